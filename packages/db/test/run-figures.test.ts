import { MAX_SERIES_BUCKETS, runSeconds, tradesPerSecond } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "../src/queryable";
import { type TradeRow, toBatchView } from "../src/rows";
import { lockBatch, queueBatch, requeueFailedTrades } from "../src/sql/batch-lifecycle";
import { promoteQueuedBatches } from "../src/sql/batch-queue";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { batchThroughputSeries, tradeVolume } from "../src/sql/trade-counts";
import { markTradesQuoted, type OutcomeMove, recordTradeOutcomes } from "../src/sql/trade-results";
import { recountAnswers } from "../src/testing";
import {
  batchOf,
  cancelAsTheApi,
  emptyTables,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  stageBatch,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** Queues the batch and promotes it as the runner does (one batch at a time: other tests' batches are closed). */
async function startRun(batchId: string) {
  await t.db.prisma.$transaction(async (tx) => {
    await queueBatch(tx, batchId);
    await promoteQueuedBatches(tx, 100);
  });
}

/** Moves the batch's current run `seconds` into the past, as if it had been promoted then. */
async function runFor(db: Queryable, batchId: string, seconds: number) {
  await db.$executeRaw`UPDATE batch SET run_started_at = run_started_at - make_interval(secs => ${seconds}::float8) WHERE id = ${batchId}::uuid`;
}

/** Claims every pending trade of the batch and answers them: the first `booked` booked, the rest refused. */
async function answerAll(batchId: string, booked: number) {
  await claimPendingTrades(t.db.prisma, batchId, 1_000);
  const claimed = (await tradesOf(t.db, batchId)).filter((trade) => trade.status === "EXECUTING");
  return answer(claimed.map((trade, i) => [trade, i < booked ? "book" : "refuseQuote"]));
}

/** Records the bank's answers; a booked trade is quoted first, as the runner does. */
async function answer(answers: readonly (readonly [TradeRow, OutcomeMove])[]) {
  const quoted = answers.filter(([, move]) => move !== "refuseQuote").map(([trade]) => quoteOf(trade));
  if (quoted.length > 0) await markTradesQuoted(t.db.prisma, quoted);
  return recordTradeOutcomes(
    t.db.prisma,
    answers.map(([trade, move]) => outcomeOf(trade, move)),
  );
}

/**
 * Sets the finish time of every answered attempt of these trades (seconds since the epoch, in order),
 * and counts their batches' rollup again, as if the answers had come then.
 */
async function finishAt(tradeIds: readonly string[], epochSeconds: readonly number[]) {
  await t.db.prisma.$executeRaw`
    UPDATE trade_attempt a SET finished_at = to_timestamp(f.at) FROM unnest(${[...tradeIds]}::uuid[], ${[...epochSeconds]}::float8[]) AS f(id, at)
    WHERE a.trade_id = f.id`;
  const batches = await t.db.prisma.trade.findMany({
    where: { id: { in: [...tradeIds] } },
    select: { batchId: true },
    distinct: ["batchId"],
  });
  await recountAnswers(
    t.db.pool,
    batches.map((batch) => batch.batchId),
  );
}

describe("run time and throughput", () => {
  it("run time is the sum of the runs: the idle hour before a retry and the queue wait are not counted", async () => {
    const staged = await stageBatch(t.db, 4);
    await startRun(staged.id);
    expect((await batchOf(t.db, staged.id)).runStartedAt).not.toBeNull();
    await runFor(t.db.prisma, staged.id, 10);
    const first = await answerAll(staged.id, 3);
    expect(first.batches[0]).toMatchObject({ status: "PARTIAL_SUCCESS", runStartedAt: null, answeredTrades: 4 });
    expect(first.batches[0]!.finishedRunSeconds).toBeGreaterThanOrEqual(10);
    // Upper bounds leave room for a loaded machine; the point is seconds, not the hour.
    expect(first.batches[0]!.finishedRunSeconds).toBeLessThan(20);

    // The first run happened an hour ago: its start and end move back, its length stays.
    await t.db.prisma.$executeRaw`
      UPDATE batch SET started_at = started_at - interval '1 hour', completed_at = completed_at - interval '1 hour' WHERE id = ${staged.id}::uuid`;
    await t.db.prisma.$transaction(async (tx) => {
      await lockBatch(tx, staged.id);
      await requeueFailedTrades(tx, staged.id);
    });
    await t.db.prisma.$executeRaw`UPDATE batch SET queued_at = queued_at - interval '5 minutes' WHERE id = ${staged.id}::uuid`;
    await startRun(staged.id);
    await runFor(t.db.prisma, staged.id, 2);
    const running = toBatchView(await batchOf(t.db, staged.id));
    expect(runSeconds(running)).toBeGreaterThanOrEqual(12);
    expect(runSeconds(running)).toBeLessThan(30);

    const second = await answerAll(staged.id, 1);
    const done = toBatchView(second.batches[0]!);
    expect(done).toMatchObject({ status: "SUCCESS", succeededTrades: 4, failedTrades: 0, answeredTrades: 5, runStartedAt: null });
    const wallClock = (Date.parse(done.completedAt!) - Date.parse(done.startedAt!)) / 1_000;
    expect(wallClock).toBeGreaterThan(3_600);
    expect(runSeconds(done)).toBeGreaterThanOrEqual(12);
    expect(runSeconds(done)).toBeLessThan(30);
    // Five answers (one trade twice) over about 12 s of runs, not four over an hour.
    expect(tradesPerSecond(done)).toBeCloseTo(5 / runSeconds(done), 6);
  });

  it("throughput does not count cancelled trades, and a batch cancelled before it ran has no run time", async () => {
    const staged = await stageBatch(t.db, 6);
    await startRun(staged.id);
    await runFor(t.db.prisma, staged.id, 4);
    await claimPendingTrades(t.db.prisma, staged.id, 2);
    const claimed = (await tradesOf(t.db, staged.id)).filter((trade) => trade.status === "EXECUTING");
    await answer([
      [claimed[0]!, "book"],
      [claimed[1]!, "refuseQuote"],
    ]);
    const cancelled = await cancelAsTheApi(t.db, staged.id);
    const view = toBatchView(cancelled!.batch);
    expect(view).toMatchObject({ status: "CANCELLED", succeededTrades: 1, failedTrades: 1, cancelledTrades: 4, answeredTrades: 2 });
    expect(tradesPerSecond(view)).toBeCloseTo(2 / view.finishedRunSeconds, 6);
    expect(view.finishedRunSeconds).toBeGreaterThanOrEqual(4);

    const never = await stageBatch(t.db, 3);
    const closed = toBatchView((await cancelAsTheApi(t.db, never.id))!.batch);
    expect(closed).toMatchObject({ status: "CANCELLED", answeredTrades: 0, finishedRunSeconds: 0, runStartedAt: null });
    expect(tradesPerSecond(closed)).toBeNull();
  });
});

describe("batchThroughputSeries", () => {
  it("counts answers per bucket, empty buckets included, cancelled trades never", async () => {
    const staged = await stageBatch(t.db, 6);
    await startRun(staged.id);
    await claimPendingTrades(t.db.prisma, staged.id, 4);
    const claimed = (await tradesOf(t.db, staged.id)).filter((trade) => trade.status === "EXECUTING");
    await answer([
      [claimed[0]!, "book"],
      [claimed[1]!, "book"],
      [claimed[2]!, "refuseBooking"],
      [claimed[3]!, "book"],
    ]);
    await cancelAsTheApi(t.db, staged.id);
    const base = 1_800_000_000; // 2027-01-15T08:00:00Z, a round minute
    await finishAt(
      claimed.map((trade) => trade.id),
      [base + 0.2, base + 0.9, base + 0.5, base + 3.1],
    );
    const series = await batchThroughputSeries(t.db.prisma, staged.id);
    expect(series.bucketSeconds).toBe(1);
    expect(series.buckets.map((b) => [b.start.toISOString(), b.succeeded, b.failed])).toEqual([
      ["2027-01-15T08:00:00.000Z", 2, 1],
      ["2027-01-15T08:00:01.000Z", 0, 0],
      ["2027-01-15T08:00:02.000Z", 0, 0],
      ["2027-01-15T08:00:03.000Z", 1, 0],
    ]);
    const wider = await batchThroughputSeries(t.db.prisma, staged.id, 5);
    expect(wider.buckets.map((b) => [b.start.toISOString(), b.succeeded, b.failed])).toEqual([["2027-01-15T08:00:00.000Z", 3, 1]]);
  });

  it("puts an answer a millisecond before a bucket's start in the bucket before, and one at its start in it", async () => {
    const staged = await stageBatch(t.db, 3);
    await startRun(staged.id);
    await answerAll(staged.id, 3);
    const trades = await tradesOf(t.db, staged.id);
    const base = 1_800_000_000; // 2027-01-15T08:00:00Z
    await finishAt(
      trades.map((trade) => trade.id),
      [base - 0.001, base, base + 59.999],
    );
    const series = await batchThroughputSeries(t.db.prisma, staged.id, 60);
    expect(series.buckets.map((b) => [b.start.toISOString(), b.succeeded])).toEqual([
      ["2027-01-15T07:59:00.000Z", 1],
      ["2027-01-15T08:00:00.000Z", 2],
    ]);
  });

  it("never returns more than MAX_SERIES_BUCKETS buckets: a long run widens the bucket asked for", async () => {
    const staged = await stageBatch(t.db, 40);
    await startRun(staged.id);
    await answerAll(staged.id, 30);
    const trades = await tradesOf(t.db, staged.id);
    const base = 1_800_000_000;
    // 40 answers spread over ten hours.
    await finishAt(
      trades.map((trade) => trade.id),
      trades.map((_, i) => base + i * 900),
    );
    const series = await batchThroughputSeries(t.db.prisma, staged.id, 1);
    // 35,100 s in at most 300 buckets: 117 s each at least, so the next step, 2 minutes.
    expect(series.bucketSeconds).toBe(120);
    expect(series.buckets.length).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
    expect(series.buckets.reduce((sum, b) => sum + b.succeeded, 0)).toBe(30);
    expect(series.buckets.reduce((sum, b) => sum + b.failed, 0)).toBe(10);
  });

  it("a batch with no answers yet has no buckets", async () => {
    const staged = await stageBatch(t.db, 2);
    expect(await batchThroughputSeries(t.db.prisma, staged.id)).toEqual({ bucketSeconds: 1, buckets: [] });
  });
});

describe("tradeVolume", () => {
  it("counts answers per UTC hour over the window, the current hour last, and a partner sees only its batches", async () => {
    await emptyTables(t.db.prisma);
    const ours = await stageBatch(t.db, 3);
    const theirs = await stageBatch(t.db, 2);
    await t.db.prisma.$executeRaw`UPDATE batch SET partner = 'acme' WHERE id = ${ours.id}::uuid`;
    await t.db.prisma.$executeRaw`UPDATE batch SET partner = 'globex' WHERE id = ${theirs.id}::uuid`;
    for (const batch of [ours, theirs]) {
      await startRun(batch.id);
      await answerAll(batch.id, 1);
    }
    const now = new Date("2027-01-15T10:30:00Z");
    const at = (iso: string) => Date.parse(iso) / 1_000;
    const [a1, a2, a3] = (await tradesOf(t.db, ours.id)).map((trade) => trade.id);
    const [g1, g2] = (await tradesOf(t.db, theirs.id)).map((trade) => trade.id);
    await finishAt(
      [a1!, a2!, a3!, g1!, g2!],
      [
        at("2027-01-15T10:05:00Z"),
        at("2027-01-15T08:59:59Z"),
        at("2027-01-14T10:00:00Z"),
        at("2027-01-15T10:10:00Z"),
        at("2027-01-15T08:00:00Z"),
      ],
    );
    const all = await tradeVolume(t.db.prisma, { hours: 3, now });
    expect(all.bucketSeconds).toBe(3_600);
    expect(all.buckets.map((b) => [b.start.toISOString(), b.succeeded, b.failed])).toEqual([
      ["2027-01-15T08:00:00.000Z", 0, 2],
      ["2027-01-15T09:00:00.000Z", 0, 0],
      ["2027-01-15T10:00:00.000Z", 2, 0],
    ]);
    const acme = await tradeVolume(t.db.prisma, { hours: 3, now, partner: "acme" });
    expect(acme.buckets.map((b) => [b.succeeded, b.failed])).toEqual([
      [0, 1],
      [0, 0],
      [1, 0],
    ]);
    const day = await tradeVolume(t.db.prisma, { hours: 24, now, partner: "acme" });
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets[0]!.start.toISOString()).toBe("2027-01-14T11:00:00.000Z");
    expect(day.buckets.reduce((sum, b) => sum + b.succeeded + b.failed, 0)).toBe(2);
  });
});
