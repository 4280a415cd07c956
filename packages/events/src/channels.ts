import { type BatchView, isNewerBatchSnapshot, type TradeStatus, type TradeView } from "@fxbt/domain";

/** What travels on each channel. */
export interface BatchProgressMessage {
  batch: BatchView;
  /** Set on the last message of a batch that was deleted: `batch` is its last state. */
  deleted?: boolean;
}

export interface TradeStatusMessage {
  trade: TradeView;
  previousStatus: TradeStatus | null;
}

/**
 * Numbers of a batch's event sequence that carry no trade event: a committed transaction took them
 * for a change of the batch alone (started, approved, …). Sent on the trade channel after the
 * transaction's trade events, so a subscriber sees every number announced once, and tells a number
 * that never carries a trade from one whose event has not arrived yet.
 */
export interface SkippedSequencesMessage {
  skippedSequences: number[];
}

/** What the trade-status channel of a batch carries: a trade's change, numbers without one, or the batch's end (it was deleted). */
export type TradeChannelMessage = TradeStatusMessage | SkippedSequencesMessage | { ended: "deleted" };

export type BatchListMessage = { kind: "changed"; batch: BatchView } | { kind: "deleted"; batch: BatchView };

/**
 * Never published: what a subscriber that asked for it (SubscribeOptions.missed) receives when
 * messages on its channel may have been lost, so that it reads again what it keeps current.
 */
export interface MissedMessage {
  missed: true;
}

export const missedMessage = (): MissedMessage => ({ missed: true });

/**
 * Whether a batch's message replaces its unread one (a subscription's `supersedes`, with `conflate`
 * by batch id). Two instances publish snapshots of one batch in the order their commits reached
 * their publishers, so an older one can come after a newer one: it must not take its place, least
 * of all the final one's. A deletion is the batch's last message: it replaces any, and nothing
 * replaces it. Otherwise the higher event number wins, and the same number is the same state.
 */
export function supersedesUnreadBatchMessage<M extends BatchProgressMessage | BatchListMessage>(incoming: M, queued: M): boolean {
  return !isDeletion(queued) && (isDeletion(incoming) || !isNewerBatchSnapshot(queued.batch, incoming.batch));
}

function isDeletion(message: BatchProgressMessage | BatchListMessage): boolean {
  return "kind" in message ? message.kind === "deleted" : message.deleted === true;
}

/** Channel names, in one place so publishers and subscribers cannot drift apart. */
export const channels = {
  batchProgress: (batchId: string) => `batch-progress:${batchId}`,
  tradeStatus: (batchId: string) => `trade-status:${batchId}`,
  batchList: () => "batch-list",
} as const;
