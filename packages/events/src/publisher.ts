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

/**
 * The interval when none is given: PROGRESS_INTERVAL_MS's default (apps/api config.ts). Each event
 * costs the API tens of microseconds of CPU per socket watching the batch (docs/operations.md).
 */
export const DEFAULT_PROGRESS_INTERVAL_MS = 100;

export interface EventPublisherOptions {
  bus: EventBus;
  /** The longest a progress change of a batch whose status did not change is held after the batch's last event. */
  progressIntervalMs?: number;
}

/**
 * How long a progress change is held after a batch's event, as a multiple of the time this process
 * took to deliver that event: while the hold is under the interval, the event loop spends at most
 * a third of its time delivering one batch's progress, and the runner, which shares it, the rest.
 */
export const PROGRESS_HOLD_PER_DELIVERY = 2;

interface CoalescedBatch {
  lastPublished: BatchView | null;
  /** The earliest time (performance.now()) the batch's next progress change may go out. */
  nextAt: number;
  /**
   * lastPublished is out but this process has not finished delivering it to its own subscribers:
   * over a broker it has not come back yet, or its delivery's setImmediate is due.
   */
  delivering: boolean;
  pending: BatchView | null;
  /** While delivering, the wait for a message the broker lost (see publishBatch); then the held change's send. */
  timer: NodeJS.Timeout | null;
}

/**
 * The one place that publishes events. Callers hand it what a committed transaction
 * changed; it sends every trade transition, and coalesces a batch's progress so a batch
 * of 100,000 trades with thousands of subscribers does not make one fan-out per commit, while a
 * change of status (started, finished, cancelled) goes out at once.
 *
 * What a progress event costs is its delivery: with one subscriber a fraction of a millisecond,
 * with 2,000 sockets on the batch tens to hundreds of milliseconds of the event loop the runner
 * shares. So a change is held after the batch's last event for twice the time that event's
 * delivery took (PROGRESS_HOLD_PER_DELIVERY), at most `progressIntervalMs`, and then the newest held
 * snapshot goes; a change that comes after the hold goes at once. A fixed interval instead held a
 * change for up to a whole interval whatever the delivery cost, which was most of the latency
 * with few subscribers. The delivery is timed from the moment the bus hands the event to this
 * process's subscribers (at once: it is published as a snapshot, PublishOptions, so over a broker
 * too; a bus that hands it only when it comes back is allowed for below) to the next turn of the
 * event loop, so it includes whatever else ran in that turn and any wait for a core: a busy or
 * starved process holds longer. A change that comes while the event is on its way through the
 * broker waits for its delivery too, and the hold after it is shortened by the event's round trip,
 * since the next one takes about as long to come back. Should the broker lose the event, an
 * interval after its publish counts as its delivery, as every event over a broker was held a whole
 * interval from about its publish before its delivery was timed there (docs/performance.md, "The fan-out", has
 * the figures of both, bench/fanout.ts).
 */
export class EventPublisher {
  private readonly bus: EventBus;
  private readonly progressIntervalMs: number;
  private readonly batches = new Map<string, CoalescedBatch>();
  /** Set by close: nothing is held from then on, so no timer is armed. */
  private closed = false;

  constructor({ bus, progressIntervalMs = DEFAULT_PROGRESS_INTERVAL_MS }: EventPublisherOptions) {
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
    const entry: CoalescedBatch = this.batches.get(batch.id) ?? {
      lastPublished: null,
      nextAt: 0,
      delivering: false,
      pending: null,
      timer: null,
    };
    this.batches.set(batch.id, entry);
    const latest = entry.pending ?? entry.lastPublished;
    // The last snapshot of a finished batch is kept so a late, older one cannot follow it.
    if (latest && !isNewerBatchSnapshot(batch, latest)) return;
    const wait = entry.nextAt - performance.now();
    if (this.closed || !entry.lastPublished || entry.lastPublished.status !== batch.status || (wait <= 0 && !entry.delivering)) {
      this.publishBatch(entry, batch);
      return;
    }
    entry.pending = batch;
    // A change that comes before this process has delivered the last event (another commit
    // handled in the same turn of the event loop) waits for the delivery's end, which sets its timer.
    if (!entry.delivering) entry.timer ??= this.sendHeldIn(entry, wait);
  }

  private sendHeldIn(entry: CoalescedBatch, ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      entry.timer = null;
      if (entry.pending) this.publishBatch(entry, entry.pending);
    }, ms);
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

  /**
   * Sends every coalesced progress event now and holds none from then on (at shutdown, once nothing
   * else will publish): a change that still comes goes out at once. No timer is left to keep the
   * process up or to publish on a closed bus; flush alone leaves one when a change comes during the
   * delivery of the flushed event (that delivery's end would time it).
   */
  close(): void {
    this.closed = true;
    this.flush();
    // Deliveries still on their way through a broker: nothing is held any more, so nothing waits for them.
    for (const entry of this.batches.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
  }

  private publishBatch(entry: CoalescedBatch, batch: BatchView): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.pending = null;
    entry.lastPublished = batch;
    const published = performance.now();
    entry.nextAt = published + this.progressIntervalMs;
    entry.delivering = true;
    let handed = false;
    // A snapshot: this process's subscribers get it at once, not after a broker's round trip; those
    // of other instances keep the newest whatever the order (isNewerBatchSnapshot).
    this.bus.publish(
      channels.batchProgress(batch.id),
      { batch } satisfies BatchProgressMessage,
      (handedAt) => {
        handed = true;
        // This process's subscriptions got the event in the microtasks that follow, and their sockets
        // are written before the event loop moves on (thousands of writes at once when thousands of
        // sockets watch the batch): by the next turn it is delivered. The list event published with
        // it reaches this process's subscribers later, through the broker: its sockets (the
        // dashboard's batch list, people rather than partner apps) are not timed.
        setImmediate(() => this.delivered(entry, batch, published, handedAt));
      },
      { snapshot: true },
    );
    this.bus.publish(channels.batchList(), { kind: "changed", batch } satisfies BatchListMessage);
    // A broker can lose a message (a listener reconnecting): its delivery would never end, and a
    // change after it would wait for ever. An interval after the publish is as long as any change
    // was held over a broker before the delivery was timed there.
    if (!handed && !this.closed) entry.timer = setTimeout(() => this.delivered(entry, batch, published, null), this.progressIntervalMs);
  }

  /**
   * The event published at `published` has been delivered to this process's subscribers (the bus
   * handed it to them at `handedAt`: at once in process, a broker's round trip later), or, with
   * `handedAt` null, the broker is taken to have lost it: the next change may go once the hold has passed.
   */
  private delivered(entry: CoalescedBatch, batch: BatchView, published: number, handedAt: number | null): void {
    if (!entry.delivering || entry.lastPublished !== batch || this.batches.get(batch.id) !== entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = null;
    entry.delivering = false;
    const now = performance.now();
    // The next event reaches this process's subscribers about a round trip after its publish, so it
    // may be published that much before the hold ends and its delivery still starts after it.
    const hold =
      handedAt === null
        ? 0
        : Math.max(0, Math.min(this.progressIntervalMs, PROGRESS_HOLD_PER_DELIVERY * (now - handedAt)) - (handedAt - published));
    entry.nextAt = now + hold;
    if (!entry.pending) return;
    if (hold > 0) entry.timer = this.sendHeldIn(entry, hold);
    else this.publishBatch(entry, entry.pending);
  }

  private forget(batchId: string): void {
    const entry = this.batches.get(batchId);
    if (entry?.timer) clearTimeout(entry.timer);
    this.batches.delete(batchId);
  }
}
