import { chooseBucketSeconds, MAX_SERIES_BUCKETS } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";

/**
 * Trades the bank answered, counted per bucket of time, for the run charts. An answer is an
 * attempt that ended BOOKED (succeeded) or REFUSED (failed), at its finished_at: the same now()
 * that moved its trade to SUCCESS or FAILED, so trade events fall in the same buckets. A trade
 * refused, retried and booked is counted in both buckets: each was an answer then. Cancelled
 * trades were never answered and are never counted.
 *
 * The attempts are counted when they end, per batch and second, in trade_answer_count (moveTrades
 * writes it in the statement that ends them): a chart reads a few rows per second of running, not
 * every attempt ever recorded (a join of the batch's trades with all of trade_attempt took about a
 * second at 1,040,000 attempts, bench/review-figures.ts).
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

/**
 * Sums answers per bucket over the slots `firstSlot`…`lastSlot` (a slot is a bucket's number:
 * seconds since the epoch / bucketSeconds, so buckets start on round UTC times). `from` is a set
 * of trade_answer_count rows, with columns second, succeeded and failed. A row's whole second falls
 * in the bucket each of its answers' finished_at falls in: buckets are whole seconds wide.
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
      SELECT floor(date_part('epoch', second) / ${bucketSeconds}::int)::bigint AS slot,
             sum(succeeded)::int AS succeeded, sum(failed)::int AS failed
      FROM (${from}) answers GROUP BY 1)
    SELECT to_timestamp(s.slot * ${bucketSeconds}::int) AS start, coalesce(c.succeeded, 0) AS succeeded, coalesce(c.failed, 0) AS failed
    FROM generate_series(${firstSlot}::bigint, ${lastSlot}::bigint) AS s(slot) LEFT JOIN counts c ON c.slot = s.slot
    ORDER BY s.slot`;
}

/**
 * A batch's answers over its runs, from its first answer to its last, in at most
 * MAX_SERIES_BUCKETS buckets of `bucketSeconds` (widened when the span needs more:
 * chooseBucketSeconds). No buckets before the first answer. Reads the batch's rollup rows
 * (archived or not: archival leaves them), a range of trade_answer_count's primary key.
 */
export async function batchThroughputSeries(
  db: Queryable,
  batchId: string,
  bucketSeconds: number | null = null,
): Promise<TradeCountSeries> {
  const [span] = await db.$queryRaw<{ first: Date | null; last: Date | null }[]>`
    SELECT min(first_answer_at) AS first, max(last_answer_at) AS last FROM trade_answer_count WHERE batch_id = ${batchId}::uuid`;
  if (!span?.first || !span.last) return { bucketSeconds: bucketSeconds ?? 1, buckets: [] };
  const first = span.first.getTime() / 1_000;
  const last = span.last.getTime() / 1_000;
  const width = chooseBucketSeconds(last - first, bucketSeconds);
  // Past MAX_SERIES_BUCKETS days even day buckets are too many: the series keeps its first ones.
  const firstSlot = Math.floor(first / width);
  const lastSlot = Math.min(Math.floor(last / width), firstSlot + MAX_SERIES_BUCKETS - 1);
  const ofBatch = Prisma.sql`SELECT second, succeeded, failed FROM trade_answer_count WHERE batch_id = ${batchId}::uuid`;
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
 * given. Reads the rollup rows of the window through trade_answer_count_second_idx, archived
 * batches' included (a batch archived within the window stays in it).
 */
export async function tradeVolume(db: Queryable, { hours, partner = null, now = new Date() }: TradeVolumeQuery): Promise<TradeCountSeries> {
  const bucketSeconds = 3_600;
  const lastSlot = Math.floor(now.getTime() / 1_000 / bucketSeconds);
  const firstSlot = lastSlot - hours + 1;
  const inWindow = Prisma.sql`c.second >= to_timestamp(${firstSlot * bucketSeconds}::bigint)`;
  const from = partner
    ? Prisma.sql`
        SELECT c.second, c.succeeded, c.failed FROM trade_answer_count c JOIN batch b ON b.id = c.batch_id
        WHERE ${inWindow} AND b.partner = ${partner}`
    : Prisma.sql`SELECT c.second, c.succeeded, c.failed FROM trade_answer_count c WHERE ${inWindow}`;
  return { bucketSeconds, buckets: await countPerBucket(db, from, bucketSeconds, firstSlot, lastSlot) };
}
