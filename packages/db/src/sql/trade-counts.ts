import { ANSWERED_OUTCOMES, chooseBucketSeconds, MAX_SERIES_BUCKETS } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";

/**
 * Trades the bank answered, counted per bucket of time, for the run charts. An answer is an
 * attempt that ended BOOKED (succeeded) or REFUSED (failed), at its finished_at: the same now()
 * that moved its trade to SUCCESS or FAILED, so trade events fall in the same buckets. A trade
 * refused, retried and booked is counted in both buckets: each was an answer then. Cancelled
 * trades were never answered and are never counted.
 */

/** Answers in one bucket of time, which starts at `start` (UTC) and lasts the series' bucketSeconds. */
export interface TradeCountBucket {
  start: Date;
  succeeded: number;
  failed: number;
}

export interface TradeCountSeries {
  bucketSeconds: number;
  /** Every bucket from the first to the last, empty ones included (so the time axis has no holes). */
  buckets: TradeCountBucket[];
}

const answered = Prisma.sql`a.outcome = ANY(${[...ANSWERED_OUTCOMES]}::"AttemptOutcome"[]) AND a.finished_at IS NOT NULL`;

/**
 * Counts answers per bucket over the slots `firstSlot`…`lastSlot` (a slot is a bucket's number:
 * seconds since the epoch / bucketSeconds, so buckets start on round UTC times). `from` is the
 * relation of answers, with columns finished_at and outcome.
 */
async function countPerBucket(
  db: Queryable,
  from: Prisma.Sql,
  bucketSeconds: number,
  firstSlot: number,
  lastSlot: number,
): Promise<TradeCountBucket[]> {
  return db.$queryRaw<TradeCountBucket[]>`
    WITH counts AS (
      SELECT floor(extract(epoch FROM finished_at) / ${bucketSeconds}::int)::bigint AS slot,
             count(*) FILTER (WHERE outcome = 'BOOKED')::int AS succeeded, count(*) FILTER (WHERE outcome = 'REFUSED')::int AS failed
      FROM (${from}) answers GROUP BY 1)
    SELECT to_timestamp(s.slot * ${bucketSeconds}::int) AS start, coalesce(c.succeeded, 0) AS succeeded, coalesce(c.failed, 0) AS failed
    FROM generate_series(${firstSlot}::bigint, ${lastSlot}::bigint) AS s(slot) LEFT JOIN counts c ON c.slot = s.slot
    ORDER BY s.slot`;
}

/**
 * A batch's answers over its runs, from its first answer to its last, in at most
 * MAX_SERIES_BUCKETS buckets of `bucketSeconds` (widened when the span needs more:
 * chooseBucketSeconds). No buckets before the first answer.
 */
export async function batchThroughputSeries(
  db: Queryable,
  batchId: string,
  bucketSeconds: number | null = null,
): Promise<TradeCountSeries> {
  // An archived batch's attempts are in the archive tables (archive.ts), wholly or, while they move, in part.
  const ofBatch = Prisma.sql`
    SELECT a.finished_at, a.outcome FROM trade t JOIN trade_attempt a ON a.trade_id = t.id
    WHERE t.batch_id = ${batchId}::uuid AND ${answered}
    UNION ALL
    SELECT a.finished_at, a.outcome FROM trade_archive t JOIN trade_attempt_archive a ON a.trade_id = t.id
    WHERE t.batch_id = ${batchId}::uuid AND ${answered}`;
  const [span] = await db.$queryRaw<{ first: Date | null; last: Date | null }[]>`
    SELECT min(finished_at) AS first, max(finished_at) AS last FROM (${ofBatch}) answers`;
  if (!span?.first || !span.last) return { bucketSeconds: bucketSeconds ?? 1, buckets: [] };
  const first = span.first.getTime() / 1_000;
  const last = span.last.getTime() / 1_000;
  const width = chooseBucketSeconds(last - first, bucketSeconds);
  // Past MAX_SERIES_BUCKETS days even day buckets are too many: the series keeps its first ones.
  const firstSlot = Math.floor(first / width);
  const lastSlot = Math.min(Math.floor(last / width), firstSlot + MAX_SERIES_BUCKETS - 1);
  return { bucketSeconds: width, buckets: await countPerBucket(db, ofBatch, width, firstSlot, lastSlot) };
}

export interface TradeVolumeQuery {
  /** Hours back: the current hour and the `hours - 1` before it. */
  hours: number;
  /** Only this partner's batches; every batch when null. */
  partner?: string | null;
  now?: Date;
}

/**
 * Answers per UTC hour over the last `hours` hours, the current (partial) hour last, every hour
 * given. Reads the attempts finished in the window through trade_attempt_finished_at_idx.
 */
export async function tradeVolume(db: Queryable, { hours, partner = null, now = new Date() }: TradeVolumeQuery): Promise<TradeCountSeries> {
  const bucketSeconds = 3_600;
  const lastSlot = Math.floor(now.getTime() / 1_000 / bucketSeconds);
  const firstSlot = lastSlot - hours + 1;
  const inWindow = Prisma.sql`a.finished_at >= to_timestamp(${firstSlot * bucketSeconds}::bigint) AND ${answered}`;
  const from = partner
    ? Prisma.sql`
        SELECT a.finished_at, a.outcome FROM trade_attempt a JOIN trade t ON t.id = a.trade_id JOIN batch b ON b.id = t.batch_id
        WHERE ${inWindow} AND b.partner = ${partner}`
    : Prisma.sql`SELECT a.finished_at, a.outcome FROM trade_attempt a WHERE ${inWindow}`;
  return { bucketSeconds, buckets: await countPerBucket(db, from, bucketSeconds, firstSlot, lastSlot) };
}
