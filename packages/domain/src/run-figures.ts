import type { AttemptOutcome } from "./status";

/**
 * The figures of a batch's run that operations read off the batch page: how long it has run and
 * how fast the bank answered. The one place these rules live (the API serves them, the page ticks
 * them between snapshots with the same functions).
 *
 * Run time is the sum of the batch's runs: each run starts when the runner promotes the batch to
 * RUNNING and ends when the batch closes (every trade final). Waiting in the queue and the idle
 * time between a finished run and a retry are not run time: a batch that ran 10 s, then had its
 * failures retried an hour later and ran 2 s more, has run 12 s, not an hour.
 */

/** What the run figures are computed from: columns of the batch row. */
export interface RunClock {
  /** When the current run began (ISO-8601 or a Date); null when the batch is not running. */
  runStartedAt: string | Date | null;
  /** Seconds of the runs that finished before the current one. */
  finishedRunSeconds: number;
}

const epochMs = (value: string | Date | number) => (typeof value === "number" ? value : new Date(value).getTime());

/** Seconds the batch has run by `now`: its finished runs plus the current run so far (never negative). */
export function runSeconds(batch: RunClock, now: Date | number = Date.now()): number {
  const current = batch.runStartedAt === null ? 0 : Math.max(0, (epochMs(now) - epochMs(batch.runStartedAt)) / 1_000);
  return batch.finishedRunSeconds + current;
}

/** Shortest run time a rate is given for: below it one trade would read as a huge rate. */
export const MIN_RATE_SECONDS = 1;

/**
 * Trades the bank answered (booked or refused) per second of run time; null before the batch has
 * run MIN_RATE_SECONDS. Cancelled trades were never answered and are not counted: a batch
 * cancelled after 10 s with 40 answers ran at 4 trades/s, whatever it cancelled.
 */
export function tradesPerSecond(batch: RunClock & { answeredTrades: number }, now: Date | number = Date.now()): number | null {
  const seconds = runSeconds(batch, now);
  return seconds < MIN_RATE_SECONDS ? null : batch.answeredTrades / seconds;
}

/** Most buckets a series is cut into, however long the run: a 100,000-trade run is never 100,000 points. */
export const MAX_SERIES_BUCKETS = 300;

/** Bucket widths a series may use: round numbers of seconds, minutes, hours and days, so the axis reads well. */
export const SERIES_BUCKET_STEPS: readonly number[] = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400,
];

/** The widest bucket a series may ask for: a day. */
export const MAX_BUCKET_SECONDS = 86_400;

/**
 * The bucket width for a series spanning `spanSeconds`: the width asked for, widened to the next
 * step when the span would need more than `maxBuckets` of it. Without a wish, the narrowest step
 * that fits. A span longer than `maxBuckets` days keeps day buckets and is cut by the caller.
 */
export function chooseBucketSeconds(spanSeconds: number, requested: number | null = null, maxBuckets = MAX_SERIES_BUCKETS): number {
  const least = Math.max(requested ?? 1, Math.ceil(Math.max(0, spanSeconds) / maxBuckets));
  if (requested !== null && requested >= least) return requested;
  return SERIES_BUCKET_STEPS.find((step) => step >= least) ?? MAX_BUCKET_SECONDS;
}

/** The problem with a requested bucket width, naming the argument; null when it may be used. */
export function bucketSecondsProblem(value: number): string | null {
  if (!Number.isInteger(value) || value < 1 || value > MAX_BUCKET_SECONDS) {
    return `bucketSeconds must be a whole number of seconds from 1 to ${MAX_BUCKET_SECONDS}, got ${value}`;
  }
  return null;
}

/** The trade volume's window: hours back from now, at most a week. */
export const MAX_VOLUME_HOURS = 168;

/** The problem with a requested volume window, naming the argument; null when it may be used. */
export function volumeHoursProblem(value: number): string | null {
  if (!Number.isInteger(value) || value < 1 || value > MAX_VOLUME_HOURS) {
    return `hours must be a whole number from 1 to ${MAX_VOLUME_HOURS}, got ${value}`;
  }
  return null;
}

/** How an attempt ends when the bank answered it: booked (a success) or refused (a failure). */
export const ANSWERED_OUTCOMES = ["BOOKED", "REFUSED"] as const;

/** Whether an attempt that ended so is an answer of the bank (what answeredTrades and the charts count). */
export function isAnsweredOutcome(outcome: AttemptOutcome | null | undefined): boolean {
  return (ANSWERED_OUTCOMES as readonly (AttemptOutcome | null | undefined)[]).includes(outcome);
}
