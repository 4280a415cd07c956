import { type BatchRow, type CommittedChange, toBatchView, toTradeView } from "@fxbt/db";
import { type BatchView, isNewerBatchSnapshot } from "@fxbt/domain";
import type { EventBus } from "./bus";
import {
  type BatchListMessage,
  type BatchProgressMessage,
  channels,
  type SkippedSequencesMessage,
  type TradeChannelMessage,
  type TradeStatusMessage,
} from "./channels";

export interface EventPublisherOptions {
  bus: EventBus;
  /** The shortest time between two progress events of one batch whose status did not change. */
  progressIntervalMs?: number;
}

interface CoalescedBatch {
  lastPublished: BatchView | null;
  pending: BatchView | null;
  timer: NodeJS.Timeout | null;
}

/**
 * The one place that publishes events. Callers hand it what a committed transaction
 * changed; it sends every trade transition, and coalesces a batch's progress so a batch
 * of 100,000 trades yields a few events a second, while a change of status (started,
 * finished, cancelled) goes out at once.
 */
export class EventPublisher {
  private readonly bus: EventBus;
  private readonly progressIntervalMs: number;
  private readonly batches = new Map<string, CoalescedBatch>();

  constructor({ bus, progressIntervalMs = 250 }: EventPublisherOptions) {
    this.bus = bus;
    this.progressIntervalMs = progressIntervalMs;
  }

  /**
   * The one way into the event stream: what a transaction changed, handed over once it has
   * committed. Each trade change goes out on its batch's channel; batches are coalesced.
   */
  publish({ trades = [], batches = [], deletedBatches = [] }: CommittedChange): void {
    const numbered = new Map<string, Set<number>>();
    for (const { trade, previousStatus } of trades) {
      this.bus.publish(channels.tradeStatus(trade.batchId), { trade: toTradeView(trade), previousStatus } satisfies TradeStatusMessage);
      numbered.set(trade.batchId, (numbered.get(trade.batchId) ?? new Set()).add(trade.sequence));
    }
    for (const batch of batches) {
      this.announceSkipped(batch, numbered.get(batch.id));
      this.batchChanged(toBatchView(batch));
    }
    for (const batch of deletedBatches) this.batchDeleted(toBatchView(batch));
  }

  /**
   * The numbers of the transaction's range (eventSequenceFrom…eventSequence, the batch row as the
   * transaction left it) that none of its trade events carries. This is why a CommittedChange must
   * hold every trade the transaction moved: a number of a trade left out would be announced as
   * carrying none.
   */
  private announceSkipped(batch: BatchRow, numbered: ReadonlySet<number> = new Set()): void {
    const skippedSequences: number[] = [];
    for (let n = batch.eventSequenceFrom; n <= batch.eventSequence; n++) if (!numbered.has(n)) skippedSequences.push(n);
    if (skippedSequences.length > 0) {
      this.bus.publish(channels.tradeStatus(batch.id), { skippedSequences } satisfies SkippedSequencesMessage);
    }
  }

  private batchChanged(batch: BatchView): void {
    const entry: CoalescedBatch = this.batches.get(batch.id) ?? { lastPublished: null, pending: null, timer: null };
    this.batches.set(batch.id, entry);
    const latest = entry.pending ?? entry.lastPublished;
    // The last snapshot of a finished batch is kept so a late, older one cannot follow it.
    if (latest && !isNewerBatchSnapshot(batch, latest)) return;
    if (!entry.lastPublished || entry.lastPublished.status !== batch.status) {
      this.publishBatch(entry, batch);
      return;
    }
    entry.pending = batch;
    entry.timer ??= setTimeout(() => {
      entry.timer = null;
      if (entry.pending) this.publishBatch(entry, entry.pending);
    }, this.progressIntervalMs);
  }

  /** A deleted batch's subscriptions end with a last message rather than silence. */
  private batchDeleted(batch: BatchView): void {
    this.forget(batch.id);
    this.bus.publish(channels.batchProgress(batch.id), { batch, deleted: true } satisfies BatchProgressMessage);
    this.bus.publish(channels.tradeStatus(batch.id), { ended: "deleted" } satisfies TradeChannelMessage);
    this.bus.publish(channels.batchList(), { kind: "deleted", batch } satisfies BatchListMessage);
  }

  /** Sends every coalesced progress event now (at shutdown, so no last state is lost). */
  flush(): void {
    for (const entry of this.batches.values()) {
      if (entry.pending) this.publishBatch(entry, entry.pending);
    }
  }

  private publishBatch(entry: CoalescedBatch, batch: BatchView): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.pending = null;
    entry.lastPublished = batch;
    this.bus.publish(channels.batchProgress(batch.id), { batch } satisfies BatchProgressMessage);
    this.bus.publish(channels.batchList(), { kind: "changed", batch } satisfies BatchListMessage);
  }

  private forget(batchId: string): void {
    const entry = this.batches.get(batchId);
    if (entry?.timer) clearTimeout(entry.timer);
    this.batches.delete(batchId);
  }
}
