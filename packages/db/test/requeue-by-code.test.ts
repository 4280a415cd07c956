import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockBatch, RequeueMismatchError, type RequeueOptions, requeueFailedTrades } from "../src/sql/batch-lifecycle";
import { findTradesOfBatch, pageBatchTrades } from "../src/sql/trade-reads";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  claimedBatch,
  expectCountersMatchTrades,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  sorted,
  statusCounts,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const requeue = (batchId: string, options?: RequeueOptions) =>
  t.db.prisma.$transaction(async (tx) => {
    await lockBatch(tx, batchId);
    return requeueFailedTrades(tx, batchId, options);
  });

/**
 * A finished batch of 7: row 1 booked; rows 2, 3 INVALID_ACCOUNT; row 4 VALUE_DATE_PASSED;
 * rows 5, 6 INSUFFICIENT_FUNDS; row 7 failed with no code recorded.
 */
async function failedBatch() {
  const { batch, trades } = await claimedBatch(t.db, 7);
  await markTradesQuoted(t.db.prisma, [quoteOf(trades[0]!), quoteOf(trades[4]!), quoteOf(trades[5]!)]);
  const refused = (index: number, errorCode: string | null) => ({
    ...outcomeOf(trades[index]!, index >= 4 && index <= 5 ? "refuseBooking" : "refuseQuote"),
    errorCode,
  });
  const closed = await recordTradeOutcomes(t.db.prisma, [
    outcomeOf(trades[0]!, "book"),
    refused(1, "INVALID_ACCOUNT"),
    refused(2, "INVALID_ACCOUNT"),
    refused(3, "VALUE_DATE_PASSED"),
    refused(4, "INSUFFICIENT_FUNDS"),
    refused(5, "INSUFFICIENT_FUNDS"),
    refused(6, null),
  ]);
  expect(closed.batches[0]).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 1, failedTrades: 6 });
  return { batch, ids: trades.map((trade) => trade.id) };
}

describe("requeueFailedTrades by error code", () => {
  it("by default requeues the retryable failures only (a trade with no code among them) and takes exactly them off the failed count", async () => {
    const { batch, ids } = await failedBatch();
    const { batch: requeued, trades } = await requeue(batch.id);
    expect(sorted(trades.map((change) => change.trade.id))).toEqual(sorted([ids[4]!, ids[5]!, ids[6]!]));
    expect(requeued).toMatchObject({ status: "PENDING", succeededTrades: 1, failedTrades: 3, completedAt: null });
    expect(requeued.queuedAt).not.toBeNull();
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, FAILED: 3, PENDING: 3 });
    const left = (await tradesOf(t.db, batch.id)).filter((trade) => trade.status === "FAILED");
    expect(left.map((trade) => trade.errorCode)).toEqual(["INVALID_ACCOUNT", "INVALID_ACCOUNT", "VALUE_DATE_PASSED"]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toEqual(requeued);
  });

  it("with errorCodes requeues exactly the failed trades with those codes, a permanent one too, and UNKNOWN names a trade with none", async () => {
    const { batch, ids } = await failedBatch();
    const { batch: requeued, trades } = await requeue(batch.id, { errorCodes: ["INVALID_ACCOUNT", "UNKNOWN"] });
    expect(sorted(trades.map((change) => change.trade.id))).toEqual(sorted([ids[1]!, ids[2]!, ids[6]!]));
    for (const { trade, previousStatus } of trades) {
      expect(previousStatus).toBe("FAILED");
      expect(trade).toMatchObject({ status: "PENDING", errorCode: null, errorMessage: null, idempotencyKey: null });
    }
    expect(requeued).toMatchObject({ status: "PENDING", failedTrades: 3 });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, FAILED: 3, PENDING: 3 });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("a code no failed trade has moves nothing", async () => {
    const { batch } = await failedBatch();
    const { trades } = await requeue(batch.id, { errorCodes: ["BOOKING_REJECTED"] });
    expect(trades).toEqual([]);
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, FAILED: 6 });
  });
});

describe("requeueFailedTrades by trade id", () => {
  it("requeues exactly the trades named, a permanent refusal too, and takes exactly them off the failed count", async () => {
    const { batch, ids } = await failedBatch();
    const { batch: requeued, trades } = await requeue(batch.id, { tradeIds: [ids[6]!, ids[1]!] });
    expect(sorted(trades.map((change) => change.trade.id))).toEqual(sorted([ids[1]!, ids[6]!]));
    expect(requeued).toMatchObject({ status: "PENDING", succeededTrades: 1, failedTrades: 4, completedAt: null });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, FAILED: 4, PENDING: 2 });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("moves nothing when one named trade is not FAILED: the requeue throws and its transaction rolls back", async () => {
    const { batch, ids } = await failedBatch();
    await expect(requeue(batch.id, { tradeIds: [ids[4]!, ids[0]!] })).rejects.toBeInstanceOf(RequeueMismatchError);
    const other = await failedBatch();
    await expect(requeue(batch.id, { tradeIds: [ids[4]!, other.ids[4]!] })).rejects.toBeInstanceOf(RequeueMismatchError);
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, FAILED: 6 });
    expect(await statusCounts(t.db.prisma, other.batch.id)).toEqual({ SUCCESS: 1, FAILED: 6 });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("findTradesOfBatch reads the named trades of that batch only, with status and code", async () => {
    const { batch, ids } = await failedBatch();
    const other = await failedBatch();
    const found = await findTradesOfBatch(t.db.prisma, batch.id, [ids[0]!, ids[3]!, other.ids[1]!]);
    expect(found.sort((a, b) => a.rowNumber! - b.rowNumber!)).toEqual([
      { id: ids[0], rowNumber: 1, status: "SUCCESS", errorCode: null },
      { id: ids[3], rowNumber: 4, status: "FAILED", errorCode: "VALUE_DATE_PASSED" },
    ]);
  });
});

describe("pageBatchTrades by error code", () => {
  it("lists the failed trades with that code in row order, UNKNOWN for none, and nothing for another status", async () => {
    const { batch, ids } = await failedBatch();
    const page = (errorCode: string, status?: "FAILED" | "SUCCESS") =>
      pageBatchTrades(t.db.prisma, batch.id, { limit: 10, errorCode, status }).then((rows) => rows.map((row) => row.id));
    expect(await page("INSUFFICIENT_FUNDS")).toEqual([ids[4], ids[5]]);
    expect(await page("INVALID_ACCOUNT", "FAILED")).toEqual([ids[1], ids[2]]);
    expect(await page("UNKNOWN")).toEqual([ids[6]]);
    expect(await page("INVALID_ACCOUNT", "SUCCESS")).toEqual([]);
    expect(
      (await pageBatchTrades(t.db.prisma, batch.id, { limit: 1, errorCode: "INVALID_ACCOUNT", after: { rowNumber: 2, id: ids[1]! } })).map(
        (row) => row.id,
      ),
    ).toEqual([ids[2]]);
  });
});
