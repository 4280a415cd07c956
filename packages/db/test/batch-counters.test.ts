import { FINAL_TRADE_STATUSES, isFinalTradeStatus, TRADE_STATUSES } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishSettledBatches } from "../src/sql/batch-lifecycle";
import { FINAL_STATUS_COUNTERS } from "../src/sql/fragments";
import { pageTradeHistory } from "../src/sql/trade-reads";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  cancelAsTheApi,
  claimedBatch,
  expectCountersMatchTrades,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  setBatch,
  setTradeStatus,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** The batch's trades in each final status, as the history counts them from the batch's counters. */
async function countedFromCounters(batchId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const status of FINAL_TRADE_STATUSES) {
    counts[status] = (await pageTradeHistory(t.db.prisma, { first: 1, filter: { batchId, status: [status] } })).totalCount;
  }
  return counts;
}

describe("FINAL_STATUS_COUNTERS, the batch's counter of each final trade status", () => {
  it("names an integer column of batch for each of the domain's final statuses, and no other status", async () => {
    expect(Object.keys(FINAL_STATUS_COUNTERS).sort()).toEqual([...FINAL_TRADE_STATUSES].sort());
    const { rows } = await t.db.pool.query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'batch' AND data_type = 'integer'",
    );
    expect(rows.map((row) => row.column_name)).toEqual(expect.arrayContaining(Object.values(FINAL_STATUS_COUNTERS)));
  });

  it("is what the moves add to, what the sweeper recounts and what the history's totalCount reads, status by status", async () => {
    const { batch, trades } = await claimedBatch(t.db, 6);
    const [booked, ...rest] = trades;
    await markTradesQuoted(t.db.prisma, [quoteOf(booked!)]);
    const refused = rest.slice(0, 2);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(booked!, "book"), ...refused.map((trade) => outcomeOf(trade, "refuseQuote"))]);
    await cancelAsTheApi(t.db, batch.id);
    expect((await tradesOf(t.db, batch.id)).map((trade) => trade.status)).toEqual([
      "SUCCESS",
      "FAILED",
      "FAILED",
      "CANCELLED",
      "CANCELLED",
      "CANCELLED",
    ]);
    const counted = { SUCCESS: 1, FAILED: 2, CANCELLED: 3 };
    expect(await countedFromCounters(batch.id)).toEqual(counted);
    await expectCountersMatchTrades(t.db, batch.id);

    // Counters gone wrong (a lost update): the sweeper's recount of a batch whose trades are all final mends them.
    await t.db.prisma.$executeRaw`
      UPDATE batch SET succeeded_trades = 0, failed_trades = 0, cancelled_trades = 0 WHERE id = ${batch.id}::uuid`;
    await setBatch(t.db.prisma, batch.id, { status: "RUNNING" });
    expect(await countedFromCounters(batch.id)).toEqual({ SUCCESS: 0, FAILED: 0, CANCELLED: 0 });
    const [finished] = await t.db.prisma.$transaction((tx) => finishSettledBatches(tx));
    expect(finished?.id).toBe(batch.id);
    expect(await countedFromCounters(batch.id)).toEqual(counted);
  });

  // Each status left to run is asked on its own (the partial indexes of 20261129090000): none may be left out.
  it("the sweeper leaves a running batch alone while one trade is left to run, whichever status it is in", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    const [done, left] = trades;
    await setTradeStatus(t.db.prisma, [done!.id], "SUCCESS");
    const finishedNow = async () => (await t.db.prisma.$transaction((tx) => finishSettledBatches(tx))).map((b) => b.id);
    for (const status of TRADE_STATUSES.filter((s) => !isFinalTradeStatus(s))) {
      await setTradeStatus(t.db.prisma, [left!.id], status);
      expect(await finishedNow(), status).not.toContain(batch.id);
    }
    await setTradeStatus(t.db.prisma, [left!.id], "FAILED");
    expect(await finishedNow()).toContain(batch.id);
  });
});
