import { type BatchView, isOlderBatchSnapshot, type TradeStatus, type TradeView } from "@fxbt/domain";
import type { EventBus } from "./bus";
import { type BatchListMessage, type BatchProgressMessage, channels, type TradeStatusMessage } from "./channels";

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

  tradeStatusChanged(changes: Iterable<{ trade: TradeView; previousStatus: TradeStatus | null }>): void {
    for (const { trade, previousStatus } of changes) {
      this.bus.publish(channels.tradeStatus(trade.batchId), { trade, previousStatus } satisfies TradeStatusMessage);
    }
  }

  batchChanged(batch: BatchView): void {
    const entry: CoalescedBatch = this.batches.get(batch.id) ?? { lastPublished: null, pending: null, timer: null };
    this.batches.set(batch.id, entry);
    const latest = entry.pending ?? entry.lastPublished;
    // The last snapshot of a finished batch is kept so a late, older one cannot follow it.
    if (latest && isOlderBatchSnapshot(batch, latest)) return;
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

  batchDeleted(batch: BatchView): void {
    this.forget(batch.id);
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
