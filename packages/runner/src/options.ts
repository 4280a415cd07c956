export interface RunnerOptions {
  /** Calls at the bank at once (quotes, bookings, lookups), across all running batches. */
  concurrency: number;
  /**
   * Trades this runner holds at once, across all running batches: claimed and not yet final, at the
   * bank, waiting for a call to it, or waiting for their writes. More than `concurrency`, so that
   * the bank has calls to answer while the database writes the results of others. Each is an
   * EXECUTING or QUOTED trade whose lease this runner renews, and which recovery finishes should
   * the process stop. Without it, HELD_TRADES_PER_BANK_CALL times `concurrency`.
   */
  heldTrades: number;
  /** Most trades claimed by one statement. */
  claimSize: number;
  /** Batches RUNNING at once across every instance; the rest wait in the queue by priority. */
  maxRunningBatches: number;
  /**
   * A claim whose lease is older than this belongs to a runner that died, and is taken over.
   * A live runner renews the leases of the trades it holds every third of it. Keep it below the
   * bank's quote lifetime, so a booking recovered after a crash can still arrive in time.
   */
  leaseMs: number;
  /** How often the runner looks for work it was not told about (other instances, abandoned claims). */
  pollIntervalMs: number;
  /** How long results wait to be written together in one statement. */
  writeWindowMs: number;
  /** Rounds of asking the bank (by key) and sending one booking when its answer is lost, before the trade is left to recovery. */
  bookingAttempts: number;
  /** New quotes (under new keys) a trade gets when its quote expired before the booking arrived, before it is FAILED. */
  requoteLimit: number;
  /** Tries of one database write of a result before the trade is left to recovery. */
  writeAttempts: number;
  /** Backoff between retries: exponential from the base, capped, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Transient bank failures in a row that open the circuit: the runner stops sending and trades wait. */
  breakerThreshold: number;
  /** How long the circuit stays open before one call probes the bank again. */
  breakerCooldownMs: number;
}

/**
 * Trades held per call at the bank when heldTrades is not given: with the simulated bank answering
 * at once (bench/run.ts, 40,000 trades), 256 calls and 2,048 trades did 2,800 trades/s where 256
 * and 256 did 2,400; a bank that answers slowly needs fewer, and lowering `concurrency` for such a
 * bank lowers them with it.
 */
export const HELD_TRADES_PER_BANK_CALL = 8;

/** The defaults; heldTrades follows concurrency (HELD_TRADES_PER_BANK_CALL). */
export const DEFAULT_RUNNER_OPTIONS: Omit<RunnerOptions, "heldTrades"> = {
  concurrency: 256,
  claimSize: 128,
  maxRunningBatches: 4,
  leaseMs: 15_000,
  pollIntervalMs: 1_000,
  writeWindowMs: 5,
  bookingAttempts: 3,
  requoteLimit: 3,
  writeAttempts: 5,
  retryBaseMs: 50,
  retryMaxMs: 5_000,
  breakerThreshold: 5,
  breakerCooldownMs: 5_000,
};
