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

function positiveInteger(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
}

/** RUNNER_CONCURRENCY, RUNNER_CLAIM_SIZE, RUNNER_MAX_RUNNING_BATCHES, RUNNER_LEASE_MS, RUNNER_POLL_INTERVAL_MS. */
export function runnerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<RunnerOptions> {
  const options: Partial<RunnerOptions> = {
    concurrency: positiveInteger(env, "RUNNER_CONCURRENCY"),
    claimSize: positiveInteger(env, "RUNNER_CLAIM_SIZE"),
    maxRunningBatches: positiveInteger(env, "RUNNER_MAX_RUNNING_BATCHES"),
    leaseMs: positiveInteger(env, "RUNNER_LEASE_MS"),
    pollIntervalMs: positiveInteger(env, "RUNNER_POLL_INTERVAL_MS"),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
