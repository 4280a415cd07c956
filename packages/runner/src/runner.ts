import { setMaxListeners } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import type { FxGateway } from "@fxbt/bank";
import {
  batchesWithCancelRequested,
  cancelPendingChunk,
  claimAbandonedBookings,
  claimPendingTrades,
  type Database,
  finishSettledBatches,
  listCancellingBatches,
  listRunningBatches,
  markBankAvailable,
  markBankUnavailable,
  promoteQueuedBatches,
  releaseAbandonedClaims,
  renewLeases,
} from "@fxbt/db";
import type { EventPublisher } from "@fxbt/events";
import { type Logger, pino } from "pino";
import { BankSlots } from "./bank-slots";
import { CircuitBreaker } from "./circuit-breaker";
import { GuardedBank } from "./guarded-bank";
import { HeldBatches } from "./held-batches";
import { DEFAULT_RUNNER_OPTIONS, HELD_TRADES_PER_BANK_CALL, type RunnerOptions } from "./options";
import { ResultWriter } from "./result-writer";
import { recoverBooking, runClaimedTrade, type TradeFlowDeps } from "./trade-flow";

export interface BatchRunnerDeps {
  database: Database;
  gateway: FxGateway;
  publisher: EventPublisher;
  log?: Logger;
  options?: Partial<RunnerOptions>;
}

/** How long stop() lets trades in flight finish on their own before it ends their waits. */
const STOP_GRACE_MS = 10_000;
/**
 * The sweeper leaves a finished batch alone until its last write is this old: the outcome write
 * that finished it closes it a moment after its commit (recordTradeOutcomes), and a sweep in
 * between would report that write as lost. Far above that moment even on a starved event loop.
 */
const SWEEP_QUIET_MS = 2_000;
/**
 * A chunk of a cancel skips a batch whose row another transaction holds (an outcome write, another
 * instance's chunk) rather than wait for it: it tries again after this pause, this many times in a
 * row, then leaves the batch to the next pass (the next poll).
 */
const CANCEL_BUSY_PAUSE_MS = 10;
const CANCEL_BUSY_TRIES = 100;

/**
 * Runs queued batches in this process. Several runners (one per API instance) share the
 * work through the database alone: claims use FOR UPDATE SKIP LOCKED, promotion an
 * advisory lock, and recovery takes over the claims of a runner whose lease ran out.
 */
export class BatchRunner {
  readonly options: RunnerOptions;
  /** What this runner has done since it started: for metrics and for tests of several runners. */
  readonly stats = { claimedTrades: 0, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 };
  private readonly database: Database;
  private readonly publisher: EventPublisher;
  private readonly log: Logger;
  private readonly breaker: CircuitBreaker;
  private readonly flow: TradeFlowDeps;
  private readonly bankSlots: BankSlots;
  private stopping = new AbortController();
  /** Aborted as stop() begins: trades not yet quoted are given back rather than quoted (TradeFlowDeps.quoting). */
  private quoting = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly heldBatches = new HeldBatches();
  /** Running batches this runner found with nothing left to claim; asked again after a poll or a wake. */
  private readonly drained = new Set<string>();
  private filling: Promise<void> | null = null;
  private polling: Promise<void> | null = null;
  private cancelling: Promise<void> | null = null;
  /** The promotions of wakes under way: stop() waits for them as for a pass. */
  private readonly promoting = new Set<Promise<void>>();
  private refillRequested = false;
  private cancelRequested = false;
  private timers: NodeJS.Timeout[] = [];
  private stopped = true;

  constructor(deps: BatchRunnerDeps) {
    const options = { ...DEFAULT_RUNNER_OPTIONS, ...deps.options };
    this.options = { ...options, heldTrades: deps.options?.heldTrades ?? HELD_TRADES_PER_BANK_CALL * options.concurrency };
    this.database = deps.database;
    this.publisher = deps.publisher;
    this.log = deps.log ?? pino({ level: "silent" });
    this.breaker = new CircuitBreaker({
      threshold: this.options.breakerThreshold,
      cooldownMs: this.options.breakerCooldownMs,
      onOpen: (since) => void this.bankChanged(since),
      onClose: () => void this.bankChanged(null),
    });
    const { retryBaseMs: baseMs, retryMaxMs: maxMs } = this.options;
    this.bankSlots = new BankSlots(this.options.concurrency);
    this.flow = {
      bank: new GuardedBank(deps.gateway, this.breaker, this.bankSlots, this.log, { retry: { baseMs, maxMs } }),
      writer: new ResultWriter(deps.database, deps.publisher, this.options.writeWindowMs),
      log: this.log,
      options: this.options,
      signal: this.stopping.signal,
      quoting: this.quoting.signal,
      held: new Map(),
      cancelled: this.heldBatches.cancelled,
      today: () => new Date().toISOString().slice(0, 10),
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = new AbortController();
    this.quoting = new AbortController();
    // Every waiting trade listens to these signals: thousands of listeners are expected, not a leak.
    setMaxListeners(0, this.stopping.signal, this.quoting.signal);
    this.flow.signal = this.stopping.signal;
    this.flow.quoting = this.quoting.signal;
    this.timers = [
      setInterval(() => void this.poll(), this.options.pollIntervalMs),
      setInterval(() => void this.renewLeases(), Math.max(1, Math.floor(this.options.leaseMs / 3))),
    ];
    void this.poll();
  }

  /**
   * Looks for work now (a batch was started, retried or cancelled) and resolves once queued
   * batches have been promoted, so the caller can report RUNNING or still queued. Cancels
   * under way go on in the background (cancelPendingTrades).
   */
  async wake(): Promise<void> {
    this.drained.clear();
    if (this.stopped) return;
    void this.cancelPendingTrades();
    // Promotion alone, not a claiming pass: trades finishing during a pass ask for the next one,
    // so under load a running batch kept the passes going and startBatch answered seconds later
    // (2.4 and 8.2 s beside a 4,000-trade batch at load 20, cancel-retry.test.ts's queue test).
    // The pass begun after it promotes again (one more short transaction), which a pass under way
    // needs anyway: a batch that finishes during it lets the next queued one in.
    // And the held trades' cancelled batches noted, before this resolves: the API wakes the runner
    // after a cancel, and no trade of that batch waiting for the bank is quoted from then on.
    const promotion = Promise.all([
      this.promoteQueuedBatches().catch((error: unknown) => {
        this.log.error({ err: error }, "promoting queued batches failed: the next poll promotes them");
      }),
      this.noteCancelledBatches(),
    ]).then(() => {});
    this.promoting.add(promotion);
    try {
      await promotion;
    } finally {
      this.promoting.delete(promotion);
    }
    void this.fill();
  }

  /**
   * Stops claiming, gives back at once the trades not yet quoted (those waiting for a slot at the
   * bank, or for the circuit), and lets the calls already made finish: a quote at the bank is saved
   * and booked. Trades still waiting (for a bank that does not answer, a database that is away)
   * after a grace period are left to recovery: one whose booking may be out keeps its key.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.quoting.abort();
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([this.polling, this.filling, this.cancelling, ...this.promoting]);
    const settled = Promise.allSettled([...this.inFlight]);
    await Promise.race([settled, sleep(STOP_GRACE_MS, undefined, { ref: false })]);
    this.stopping.abort();
    await settled;
    this.publisher.flush();
  }

  /** Trades this runner holds: claimed and not yet final (at most heldTrades). */
  get tradesInFlight(): number {
    return this.inFlight.size;
  }

  /** Calls this runner has at the bank now (at most concurrency). */
  get bankCallsInFlight(): number {
    return this.bankSlots.inUse;
  }

  /** Final results this runner has written since it started. */
  get tradesFinished(): Readonly<{ SUCCESS: number; FAILED: number }> {
    return this.flow.writer.written;
  }

  /** Whether this runner is sending to the bank (false while the circuit is open), and how often it stopped. */
  get bank(): { available: boolean; unavailableSince: Date | null; circuitOpened: number } {
    return { available: !this.breaker.isOpen, unavailableSince: this.breaker.openSince, circuitOpened: this.breaker.opened };
  }

  /** One poll at a time, and stop() waits for the one under way: a stopped runner starts no work. */
  private poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    try {
      const swept = await this.database.prisma.$transaction((tx) => finishSettledBatches(tx, SWEEP_QUIET_MS));
      if (swept.length > 0) {
        this.stats.sweptBatches += swept.length;
        this.log.warn({ batches: swept.map((batch) => batch.batchUid) }, "finished running batches whose trades were all final");
        this.publisher.publish({ batches: swept });
      }
      if (this.stopped) return;
      await this.noteCancelledBatches();
      void this.cancelPendingTrades();
      if (!this.breaker.isOpen) await this.recoverAbandonedWork();
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
    if (this.stopped) return;
    await this.promoteQueuedBatches();
    while (!this.stopped && this.freeSlots() > 0) {
      const batches = (await listRunningBatches(this.database.prisma)).filter((batch) => !this.drained.has(batch.id));
      if (batches.length === 0) return;
      let claimed = 0;
      for (const batch of batches) {
        const room = this.freeSlots();
        if (room <= 0) break;
        const trades = await claimPendingTrades(this.database.raw, batch.id, Math.min(room, this.options.claimSize));
        if (trades.length === 0) this.drained.add(batch.id);
        this.publisher.publish({ trades });
        for (const { trade } of trades) this.track(runClaimedTrade(trade, this.flow), trade.batchId);
        claimed += trades.length;
        this.stats.claimedTrades += trades.length;
      }
      if (claimed === 0) return;
    }
  }

  /**
   * Phase 2 of every cancel under way (see cancelPendingChunk): the rows of the trades the
   * request counted as cancelled (and any claim a requote left since) are written CANCELLED chunk by
   * chunk, each chunk its own short transaction, so outcome writes wait at most one chunk; this
   * goes on after the batch is CANCELLED. The API wakes the runner when it has asked for a cancel;
   * every poll looks again, so a cancel whose process stopped between chunks is finished by the
   * next runner of any instance. One pass at a time; calls during a pass ask for another.
   */
  private cancelPendingTrades(): Promise<void> {
    if (this.cancelling !== null) {
      this.cancelRequested = true;
      return this.cancelling;
    }
    this.cancelling = (async () => {
      try {
        do {
          this.cancelRequested = false;
          for (const batch of await listCancellingBatches(this.database.prisma)) {
            if (this.stopped) return;
            await this.cancelInChunks(batch.id);
          }
        } while (this.cancelRequested && !this.stopped);
      } catch (error) {
        this.log.error({ err: error }, "cancelling trades failed: the next poll goes on");
      } finally {
        this.cancelling = null;
      }
    })();
    return this.cancelling;
  }

  /** One pass over a batch being cancelled: chunk after chunk, in row order, until a window is not full, no row is left to write, or the runner stops. */
  private async cancelInChunks(batchId: string): Promise<void> {
    const started = performance.now();
    const pass = { batch: batchId, trades: 0, chunks: 0, busy: 0, status: "" };
    let afterRow: number | null = null;
    let busy = 0;
    try {
      while (!this.stopped) {
        const chunk = await this.database.prisma.$transaction((tx) => cancelPendingChunk(tx, batchId, { afterRow, skipLocked: true }));
        if (chunk === null) return;
        if (chunk === "busy") {
          pass.busy++;
          if (++busy >= CANCEL_BUSY_TRIES) return;
          await sleep(CANCEL_BUSY_PAUSE_MS);
          continue;
        }
        busy = 0;
        pass.trades += chunk.trades.length;
        pass.chunks++;
        pass.status = chunk.batch.status;
        this.publisher.publish({ trades: chunk.trades, batches: [chunk.batch] });
        if (!chunk.more) return;
        afterRow = chunk.throughRow;
      }
    } finally {
      if (pass.trades > 0)
        this.log.info({ ...pass, ms: Math.round(performance.now() - started) }, "cancelled trades of a batch being cancelled");
    }
  }

  private async promoteQueuedBatches(): Promise<void> {
    const batches = await this.database.prisma.$transaction((tx) => promoteQueuedBatches(tx, this.options.maxRunningBatches));
    this.publisher.publish({ batches });
    if (batches.length > 0 && this.breaker.openSince) await this.bankChanged(this.breaker.openSince);
  }

  private async recoverAbandonedWork(): Promise<void> {
    const released = await releaseAbandonedClaims(this.database.prisma, this.options.leaseMs);
    if (released.length > 0) {
      this.stats.releasedClaims += released.length;
      this.log.warn({ trades: released.length }, "released claims of a stopped runner");
      this.publisher.publish({ trades: released });
    }
    const room = this.freeSlots();
    if (room <= 0 || this.stopped) return;
    const bookings = await claimAbandonedBookings(this.database.prisma, this.options.leaseMs, room);
    if (bookings.length > 0) this.log.warn({ trades: bookings.length }, "finishing bookings of a stopped runner: asking the bank by key");
    this.stats.resentBookings += bookings.length;
    for (const trade of bookings) this.track(recoverBooking(trade, this.flow), trade.batchId);
  }

  /** Keeps the trades this runner holds from being taken over while it waits for the bank. */
  private async renewLeases(): Promise<void> {
    const held = [...this.flow.held].map(([id, idempotencyKey]) => ({ id, idempotencyKey }));
    try {
      // Every third of the lease, those older than a sixth of it: a lease is at most half its
      // length old when the next pass comes, the other half left should that pass be late.
      await renewLeases(this.database.prisma, held, this.options.leaseMs / 6);
    } catch (error) {
      this.log.warn({ err: error, trades: held.length }, "renewing leases failed");
    }
  }

  /** Marks running batches as waiting for the bank (since when), or clears the mark, and tells subscribers. */
  private async bankChanged(unavailableSince: Date | null): Promise<void> {
    if (unavailableSince) this.log.error({ since: unavailableSince }, "the bank keeps failing: holding trades until it answers");
    else this.log.info("the bank answers again: sending trades");
    try {
      const batches = unavailableSince
        ? await markBankUnavailable(this.database.prisma, unavailableSince)
        : await markBankAvailable(this.database.prisma);
      this.publisher.publish({ batches });
    } catch (error) {
      this.log.warn({ err: error }, "could not record the bank's availability on the batches");
    }
    if (!unavailableSince && !this.stopped) {
      this.drained.clear();
      void this.fill();
    }
  }

  /** Claim again once this many slots are free: half a claim, but never more than half the slots there are. */
  private get refillThreshold(): number {
    return Math.max(1, Math.floor(Math.min(this.options.claimSize, this.options.heldTrades) / 2));
  }

  /**
   * Slots to claim into. While the bank does not answer, trades stay PENDING in the database
   * rather than waiting here; one trade is claimed when none is in flight, to probe the bank.
   */
  private freeSlots(): number {
    if (this.breaker.isOpen) return this.inFlight.size === 0 ? 1 : 0;
    return this.options.heldTrades - this.inFlight.size;
  }

  private track(work: Promise<void>, batchId: string): void {
    this.heldBatches.take(batchId);
    const tracked = work
      .catch((error) => this.log.error({ err: error }, "trade left for recovery after an error"))
      .finally(() => {
        this.inFlight.delete(tracked);
        this.heldBatches.release(batchId);
        if (!this.stopped && this.freeSlots() >= this.refillThreshold) void this.fill();
      });
    this.inFlight.add(tracked);
  }

  /**
   * Looks up which batches of the trades held have had their cancel requested: on a wake, as the
   * API wakes this instance after a cancel, and on every poll, for a cancel asked of another
   * instance (HeldBatches says why).
   */
  private async noteCancelledBatches(): Promise<void> {
    try {
      this.heldBatches.noteCancelled(await batchesWithCancelRequested(this.database.prisma, this.heldBatches.ids()));
    } catch (error) {
      this.log.warn({ err: error }, "could not look up cancelled batches: their held trades may be quoted for nothing");
    }
  }
}
