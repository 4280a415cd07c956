export interface RunnerOptions {
  /** Trades in flight at the bank at once, across all running batches. */
  concurrency: number;
  /** Most trades claimed by one statement. */
  claimSize: number;
  /** Batches RUNNING at once across every instance; the rest wait in the queue by priority. */
  maxRunningBatches: number;
  /** A claim older than this on an EXECUTING or QUOTED trade means its runner died. */
  leaseMs: number;
  /** How often the runner looks for work it was not told about (other instances, abandoned claims). */
  pollIntervalMs: number;
  /** How long results wait to be written together in one statement. */
  writeWindowMs: number;
  /** Sends of one booking when the bank's answer is lost (BANK_TIMEOUT), before the trade is left to recovery. */
  bookingAttempts: number;
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  concurrency: 256,
  claimSize: 128,
  maxRunningBatches: 4,
  leaseMs: 60_000,
  pollIntervalMs: 1_000,
  writeWindowMs: 5,
  bookingAttempts: 3,
};
