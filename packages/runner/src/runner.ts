import type { FxGateway } from "@fxbt/bank";
import {
  claimAbandonedBookings,
  claimPendingTrades,
  type Database,
  listRunningBatches,
  promoteQueuedBatches,
  releaseAbandonedClaims,
  type TradeRow,
} from "@fxbt/db";
import type { EventPublisher } from "@fxbt/events";
import { type Logger, pino } from "pino";
import { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from "./options";
import { ResultWriter } from "./result-writer";
import { bookQuotedTrade, runClaimedTrade, type TradeFlowDeps } from "./trade-flow";

export interface BatchRunnerDeps {
  database: Database;
  gateway: FxGateway;
  publisher: EventPublisher;
  log?: Logger;
  options?: Partial<RunnerOptions>;
}

/**
 * Runs queued batches in this process. Several runners (one per API instance) share the
 * work through the database alone: claims use FOR UPDATE SKIP LOCKED, promotion an
 * advisory lock, and recovery takes over the claims of a runner whose lease ran out.
 */
export class BatchRunner {
  readonly options: RunnerOptions;
  /** What this runner has done since it started: for metrics and for tests of several runners. */
  readonly stats = { claimedTrades: 0, releasedClaims: 0, resentBookings: 0 };
  private readonly database: Database;
  private readonly publisher: EventPublisher;
  private readonly log: Logger;
  private readonly flow: TradeFlowDeps;
  private readonly inFlight = new Set<Promise<void>>();
  /** Running batches this runner found with nothing left to claim; asked again after a poll or a wake. */
  private readonly drained = new Set<string>();
  private filling: Promise<void> | null = null;
  private refillRequested = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(deps: BatchRunnerDeps) {
    this.options = { ...DEFAULT_RUNNER_OPTIONS, ...deps.options };
    this.database = deps.database;
    this.publisher = deps.publisher;
    this.log = deps.log ?? pino({ level: "silent" });
    const writer = new ResultWriter(deps.database, deps.publisher, this.options.writeWindowMs);
    this.flow = { gateway: deps.gateway, writer, log: this.log, bookingAttempts: this.options.bookingAttempts };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.pollTimer = setInterval(() => void this.poll(), this.options.pollIntervalMs);
    void this.poll();
  }

  /**
   * Looks for work now (a batch was started or retried) and resolves once queued batches
   * have been promoted, so the caller can report RUNNING or still queued.
   */
  async wake(): Promise<void> {
    this.drained.clear();
    await this.fill();
  }

  /** Stops claiming and waits for the trades in flight, so nothing is left half-written. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.filling;
    await Promise.allSettled([...this.inFlight]);
    this.publisher.flush();
  }

  get tradesInFlight(): number {
    return this.inFlight.size;
  }

  /** Final results this runner has written since it started. */
  get tradesFinished(): Readonly<{ SUCCESS: number; FAILED: number }> {
    return this.flow.writer.written;
  }

  private async poll(): Promise<void> {
    try {
      await this.recoverAbandonedWork();
      this.drained.clear();
      await this.fill();
    } catch (error) {
      this.log.error({ err: error }, "runner poll failed");
    }
  }

  /** Fills free slots with claimed trades; concurrent calls join the pass under way and ask for another. */
  private fill(): Promise<void> {
    if (this.filling !== null) {
      this.refillRequested = true;
      return this.filling;
    }
    this.filling = (async () => {
      try {
        do {
          this.refillRequested = false;
          await this.claimIntoFreeSlots();
        } while (this.refillRequested && !this.stopped);
      } catch (error) {
        this.log.error({ err: error }, "claiming trades failed");
      } finally {
        this.filling = null;
      }
    })();
    return this.filling;
  }

  private async claimIntoFreeSlots(): Promise<void> {
    await this.promoteQueuedBatches();
    while (!this.stopped && this.freeSlots() > 0) {
      const batches = (await listRunningBatches(this.database.prisma)).filter((batch) => !this.drained.has(batch.id));
      if (batches.length === 0) return;
      let claimed = 0;
      for (const batch of batches) {
        const room = this.freeSlots();
        if (room <= 0) break;
        const trades = await claimPendingTrades(this.database.prisma, batch.id, Math.min(room, this.options.claimSize));
        if (trades.length === 0) this.drained.add(batch.id);
        this.publisher.publish({ trades });
        for (const { trade } of trades) this.track(runClaimedTrade(trade, this.flow));
        claimed += trades.length;
        this.stats.claimedTrades += trades.length;
      }
      if (claimed === 0) return;
    }
  }

  private async promoteQueuedBatches(): Promise<void> {
    const batches = await this.database.prisma.$transaction((tx) => promoteQueuedBatches(tx, this.options.maxRunningBatches));
    this.publisher.publish({ batches });
  }

  private async recoverAbandonedWork(): Promise<void> {
    const released = await releaseAbandonedClaims(this.database.prisma, this.options.leaseMs);
    if (released.length > 0) {
      this.stats.releasedClaims += released.length;
      this.log.warn({ trades: released.length }, "released claims of a stopped runner");
      this.publisher.publish({ trades: released });
    }
    const room = this.freeSlots();
    if (room <= 0) return;
    const bookings: TradeRow[] = await claimAbandonedBookings(this.database.prisma, this.options.leaseMs, room);
    if (bookings.length > 0) this.log.warn({ trades: bookings.length }, "resending bookings of a stopped runner");
    this.stats.resentBookings += bookings.length;
    for (const trade of bookings) this.track(bookQuotedTrade(trade, this.flow));
  }

  /** Claim again once this many slots are free: half a claim, but never more than half the slots there are. */
  private get refillThreshold(): number {
    return Math.max(1, Math.floor(Math.min(this.options.claimSize, this.options.concurrency) / 2));
  }

  private freeSlots(): number {
    return this.options.concurrency - this.inFlight.size;
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error) => this.log.error({ err: error }, "trade left for recovery after an error"))
      .finally(() => {
        this.inFlight.delete(tracked);
        if (!this.stopped && this.freeSlots() >= this.refillThreshold) void this.fill();
      });
    this.inFlight.add(tracked);
  }
}
