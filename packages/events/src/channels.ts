import type { BatchView, TradeStatus, TradeView } from "@fxbt/domain";

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

/** What the trade-status channel of a batch carries: a trade's change, or the batch's end (it was deleted). */
export type TradeChannelMessage = TradeStatusMessage | { ended: "deleted" };

export type BatchListMessage = { kind: "changed"; batch: BatchView } | { kind: "deleted"; batch: BatchView };

/** Channel names, in one place so publishers and subscribers cannot drift apart. */
export const channels = {
  batchProgress: (batchId: string) => `batch-progress:${batchId}`,
  tradeStatus: (batchId: string) => `trade-status:${batchId}`,
  batchList: () => "batch-list",
} as const;
