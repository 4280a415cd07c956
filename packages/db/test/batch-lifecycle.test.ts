import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addOutcomeCounts, deleteBatchRow, lockBatch, queueBatch, requeueFailedTrades } from "../src/sql/batch-lifecycle";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  batchOf,
  cancelAsTheApi,
  claimedBatch,
  expectCountersMatchTrades,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  runningBatch,
  setBatch,
  setRunning,
  sorted,
  stageBatch,
  statusCounts,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const requeueAsTheApi = (batchId: string) =>
  t.db.prisma.$transaction(async (tx) => {
    await lockBatch(tx, batchId);
    return requeueFailedTrades(tx, batchId);
  });

describe("lockBatch and queueBatch", () => {
  it("reads the batch (null for an unknown id) and puts it in the queue", async () => {
    const batch = await stageBatch(t.db, 2, { name: "to queue", priority: 3 });
    expect(await t.db.prisma.$transaction((tx) => lockBatch(tx, "00000000-0000-4000-8000-000000000000"))).toBeNull();

    const queued = await t.db.prisma.$transaction(async (tx) => {
      const locked = await lockBatch(tx, batch.id);
      expect(locked).toEqual(batch);
      return queueBatch(tx, batch.id);
    });
    expect(queued).toMatchObject({ id: batch.id, status: "PENDING", name: "to queue", priority: 3, startedAt: null });
    expect(queued.queuedAt).not.toBeNull();
    expect(await batchOf(t.db, batch.id)).toEqual(queued);
  });
});

describe("cancelBatchTrades", () => {
  it("cancels PENDING and EXECUTING trades, leaves QUOTED ones to finish, and the batch ends CANCELLED when they have", async () => {
    const { batch } = await runningBatch(t.db, 7);
    await claimPendingTrades(t.db.prisma, batch.id, 5);
    const [, , row3, row4, row5] = await tradesOf(t.db, batch.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(row3!), quoteOf(row4!), quoteOf(row5!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(row5!, "book")]);
    const before = await tradesOf(t.db, batch.id);
    // Rows 1, 2: EXECUTING; 3, 4: QUOTED; 5: SUCCESS; 6, 7: PENDING.

    const result = await cancelAsTheApi(t.db, batch.id);

    expect(result!.trades.map((c) => [c.trade.rowNumber, c.previousStatus, c.trade.status, c.trade.lockedAt]).sort()).toEqual([
      [1, "EXECUTING", "CANCELLED", null],
      [2, "EXECUTING", "CANCELLED", null],
      [6, "PENDING", "CANCELLED", null],
      [7, "PENDING", "CANCELLED", null],
    ]);
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => trade.status)).toEqual(["CANCELLED", "CANCELLED", "QUOTED", "QUOTED", "SUCCESS", "CANCELLED", "CANCELLED"]);
    // The bookings in flight keep their lease and quote.
    expect(after.slice(2, 4)).toEqual(before.slice(2, 4));
    expect(result!.batch).toMatchObject({ status: "RUNNING", queuedAt: null, succeededTrades: 1, cancelledTrades: 4, completedAt: null });
    expect(result!.batch.cancelRequestedAt).not.toBeNull();
    expect(await expectCountersMatchTrades(t.db, batch.id)).toEqual(result!.batch);

    // Its bookings finish; then it ends CANCELLED, whatever they did.
    const booked = await recordTradeOutcomes(t.db.prisma, [outcomeOf(row3!, "book")]);
    expect(booked.batches[0]).toMatchObject({ status: "RUNNING", succeededTrades: 2 });
    const last = await recordTradeOutcomes(t.db.prisma, [outcomeOf(row4!, "refuseBooking")]);
    expect(last.batches[0]).toMatchObject({ status: "CANCELLED", succeededTrades: 2, failedTrades: 1, cancelledTrades: 4 });
    const final = await expectCountersMatchTrades(t.db, batch.id);
    expect(final.completedAt).not.toBeNull();
  });

  it("ends a batch that never ran CANCELLED at once, and takes it out of the queue", async () => {
    const batch = await stageBatch(t.db, 3);
    await setBatch(t.db.prisma, batch.id, { queuedSecondsAgo: 5 });

    const result = await cancelAsTheApi(t.db, batch.id);

    expect(result!.trades.map((c) => c.previousStatus)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(result!.batch).toMatchObject({ status: "CANCELLED", cancelledTrades: 3, queuedAt: null });
    expect(result!.batch.completedAt).not.toBeNull();
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ CANCELLED: 3 });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("with every trade QUOTED, cancels nothing and only marks the batch", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    await markTradesQuoted(
      t.db.prisma,
      trades.map((trade) => quoteOf(trade)),
    );
    const result = await cancelAsTheApi(t.db, batch.id);
    expect(result!.trades).toEqual([]);
    expect(result!.batch).toMatchObject({ status: "RUNNING", cancelledTrades: 0 });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ QUOTED: 2 });
  });
});

describe("requeueFailedTrades", () => {
  it("sends FAILED trades back to PENDING with their last attempt cleared, queues the batch again, and it can then succeed", async () => {
    const { batch, trades } = await claimedBatch(t.db, 4);
    const [row1, row2, row3, row4] = trades as [(typeof trades)[number], ...typeof trades];
    await markTradesQuoted(t.db.prisma, [quoteOf(row1), quoteOf(row2!)]);
    const closed = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(row1, "book"),
      outcomeOf(row2!, "refuseBooking"),
      outcomeOf(row3!, "refuseQuote"),
      outcomeOf(row4!, "refuseQuote"),
    ]);
    expect(closed.batches[0]).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 1, failedTrades: 3 });
    const finished = await batchOf(t.db, batch.id);
    const booked = (await tradesOf(t.db, batch.id))[0]!;

    const { batch: requeued, trades: changes } = await requeueAsTheApi(batch.id);

    expect(sorted(changes.map((c) => c.trade.id))).toEqual(sorted([row2!.id, row3!.id, row4!.id]));
    for (const { trade, previousStatus } of changes) {
      expect(previousStatus).toBe("FAILED");
      expect(trade).toMatchObject({
        status: "PENDING",
        quoteId: null,
        rate: null,
        sellAmount: null,
        buyAmount: null,
        idempotencyKey: null,
        transactionId: null,
        errorCode: null,
        errorMessage: null,
        lockedAt: null,
        // The count of attempts goes on: the next claim is attempt 2, under a new key.
        attempts: 1,
      });
    }
    expect((await tradesOf(t.db, batch.id))[0]).toEqual(booked);
    expect(requeued).toMatchObject({ status: "PENDING", succeededTrades: 1, failedTrades: 0, cancelledTrades: 0, completedAt: null });
    expect(requeued.queuedAt).not.toBeNull();
    expect(requeued.startedAt).toEqual(finished.startedAt);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toEqual(requeued);

    // The second run.
    await setRunning(t.db.prisma, batch.id);
    const again = await claimPendingTrades(t.db.prisma, batch.id, 10);
    expect(sorted(again.map((c) => c.trade.idempotencyKey))).toEqual(sorted([`${row2!.id}:2`, `${row3!.id}:2`, `${row4!.id}:2`]));
    const claimed = again.map((c) => c.trade);
    await markTradesQuoted(
      t.db.prisma,
      claimed.map((trade) => quoteOf(trade)),
    );
    // An answer of the first run, under its old key, changes nothing.
    expect((await recordTradeOutcomes(t.db.prisma, [outcomeOf(row2!, "refuseBooking")])).trades).toEqual([]);
    const done = await recordTradeOutcomes(
      t.db.prisma,
      claimed.map((trade) => outcomeOf(trade, "book")),
    );
    expect(done.batches[0]).toMatchObject({ status: "SUCCESS", succeededTrades: 4, failedTrades: 0 });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 4 });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("requeues a FAILED batch", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    const closed = await recordTradeOutcomes(
      t.db.prisma,
      trades.map((trade) => outcomeOf(trade, "refuseQuote")),
    );
    expect(closed.batches[0]).toMatchObject({ status: "FAILED", failedTrades: 2 });

    const { batch: requeued, trades: changes } = await requeueAsTheApi(batch.id);
    expect(changes).toHaveLength(2);
    expect(requeued).toMatchObject({ status: "PENDING", failedTrades: 0, completedAt: null });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ PENDING: 2 });
    await expectCountersMatchTrades(t.db, batch.id);
  });
});

describe("addOutcomeCounts", () => {
  it("adds to several batches' counters in one statement and closes those now complete with the status finalBatchStatus gives", async () => {
    const batches = await Promise.all([1, 2, 3, 4].map(() => stageBatch(t.db, 2)));
    for (const { id } of batches) await setRunning(t.db.prisma, id);
    const [allBooked, allFailed, mixed, unfinished] = batches.map((batch) => batch.id) as [string, string, string, string];
    const cancelled = await stageBatch(t.db, 2);
    await setRunning(t.db.prisma, cancelled.id);
    await setBatch(t.db.prisma, cancelled.id, { cancelRequested: true });

    const updated = await t.db.prisma.$transaction((tx) =>
      addOutcomeCounts(tx, [
        { batchId: allBooked, SUCCESS: 2 },
        { batchId: allFailed, FAILED: 2 },
        { batchId: mixed, SUCCESS: 1, CANCELLED: 1 },
        { batchId: unfinished, SUCCESS: 1 },
        { batchId: cancelled.id, SUCCESS: 2 },
      ]),
    );

    const statusOf = new Map(updated.map((batch) => [batch.id, batch.status]));
    expect([allBooked, allFailed, mixed, unfinished, cancelled.id].map((id) => statusOf.get(id))).toEqual([
      "SUCCESS",
      "FAILED",
      "PARTIAL_SUCCESS",
      "RUNNING",
      // A cancel request wins over the outcome of trades already booked.
      "CANCELLED",
    ]);
    for (const batch of updated) {
      expect(batch).toEqual(await batchOf(t.db, batch.id));
      expect(batch.completedAt === null).toBe(batch.status === "RUNNING");
    }
    expect(await t.db.prisma.$transaction((tx) => addOutcomeCounts(tx, []))).toEqual([]);
  });

  it("never moves a batch out of a final status", async () => {
    const batch = await stageBatch(t.db, 1);
    await setBatch(t.db.prisma, batch.id, { status: "FAILED" });
    await t.db.prisma.$executeRaw`UPDATE batch SET failed_trades = 1 WHERE id = ${batch.id}::uuid`;
    await setBatch(t.db.prisma, batch.id, { cancelRequested: true });
    const [after] = await t.db.prisma.$transaction((tx) => addOutcomeCounts(tx, [{ batchId: batch.id }]));
    expect(after).toMatchObject({ status: "FAILED", completedAt: null });
  });
});

describe("deleteBatchRow", () => {
  it("deletes the batch and its trades", async () => {
    const { batch } = await claimedBatch(t.db, 3);
    const other = await stageBatch(t.db, 1);
    await t.db.prisma.$transaction((tx) => deleteBatchRow(tx, batch.id));
    expect(await t.db.prisma.batch.findUnique({ where: { id: batch.id } })).toBeNull();
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({});
    expect(await statusCounts(t.db.prisma, other.id)).toEqual({ PENDING: 1 });
  });
});
