import { checkBatchAction, TRADE_STATUSES, type TradeStatus } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/client";
import { Prisma } from "../src/generated/prisma/client";
import { type TradeRow, tradeStatusAsRead } from "../src/rows";
import { flagExpiredBatches } from "../src/sql/archive";
import { cancelPendingChunk } from "../src/sql/batch-cancel";
import { finishSettledBatches, lockBatch, requeueFailedTrades } from "../src/sql/batch-lifecycle";
import { streamBatchTrades } from "../src/sql/export-cursor";
import { tradeStatusWithBatch } from "../src/sql/fragments";
import { claimPendingTrades, releaseAbandonedClaims, releaseClaims } from "../src/sql/trade-claims";
import { countBatchTrades, findTrade, listTradesChangedAfter, pageBatchTrades, pageTradeHistory } from "../src/sql/trade-reads";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  batchOf,
  cancelInChunks,
  expectCountersMatchTrades,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  requestCancelAsTheApi,
  runningBatch,
  setTradeStatus,
  stageBatch,
  statusCounts,
  storedStatusCounts,
  type TestContext,
  tradesOf,
} from "./helpers";

/**
 * A cancel counts its batch's PENDING trades as cancelled at once and writes their rows after
 * (the domain's CANCELLED_BEFORE_WRITTEN). These tests hold every read to that rule: what each
 * answers between the request and the last chunk is what it answers once the rows are written.
 */

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const requestAsTheApi = requestCancelAsTheApi;
/** Every chunk of the cancel, as the runner's pass makes them (three rows each, so a pass takes several). */
const writeCancelledRows = (db: Database, batchId: string) => cancelInChunks(db, batchId, 3);

const statusById = (rows: readonly TradeRow[]) => Object.fromEntries(rows.map((row) => [row.id, row.status]));
const idsOf = (rows: readonly TradeRow[]) => rows.map((row) => row.id).sort();

async function exported(batchId: string, status?: TradeStatus): Promise<TradeRow[]> {
  const client = await t.db.pool.connect();
  try {
    const rows: TradeRow[] = [];
    for await (const row of streamBatchTrades(client, batchId, { status })) rows.push(row as TradeRow);
    return rows;
  } finally {
    client.release();
  }
}

/** What every read of trades answers about the batch (and, across batches, about PENDING and CANCELLED trades). */
async function everyRead(batchId: string, rowFive: string) {
  const perStatus: Record<string, unknown> = {};
  for (const status of TRADE_STATUSES) {
    perStatus[status] = {
      page: idsOf(await pageBatchTrades(t.db.prisma, batchId, { limit: 100, status })),
      count: await countBatchTrades(t.db.prisma, batchId, status),
      exported: idsOf(await exported(batchId, status)),
    };
  }
  const history = async (status: TradeStatus[], batch: string | null) => {
    const { rows, totalCount } = await pageTradeHistory(t.db.prisma, { first: 100, filter: { status, batchId: batch } });
    return { ids: idsOf(rows), totalCount };
  };
  return {
    page: statusById(await pageBatchTrades(t.db.prisma, batchId, { limit: 100 })),
    exported: statusById(await exported(batchId)),
    changed: statusById(await listTradesChangedAfter(t.db.prisma, batchId, { after: 0, limit: 100 })),
    rowFive: (await findTrade(t.db.prisma, rowFive))?.status,
    perStatus,
    history: {
      cancelled: await history(["CANCELLED"], batchId),
      pending: await history(["PENDING"], batchId),
      both: await history(["PENDING", "CANCELLED"], batchId),
      unfinished: await history(["PENDING", "EXECUTING", "QUOTED"], batchId),
      allPending: await history(["PENDING"], null),
      allCancelled: await history(["CANCELLED"], null),
    },
  };
}

describe("a cancel's PENDING trades before their rows are written", () => {
  it("read CANCELLED in every read (pages, filters, counts, the history, exports, the trade), exactly as once written", async () => {
    const { batch } = await runningBatch(t.db, 12);
    await claimPendingTrades(t.db.prisma, batch.id, 3);
    const [row1, row2, row3, , row5] = await tradesOf(t.db, batch.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(row1!), quoteOf(row2!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(row1!, "book")]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(row3!, "refuseQuote")]);
    // Row 1 SUCCESS, 2 QUOTED (its booking in flight), 3 FAILED, 4–12 PENDING; and a batch nobody cancels.
    const untouched = await stageBatch(t.db, 3);

    const requested = await requestAsTheApi(t.db, batch.id);
    expect(requested).toMatchObject({ status: "RUNNING", cancelledTrades: 9, cancelledUnmovedTrades: 9 });
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, QUOTED: 1, FAILED: 1, PENDING: 9 });

    const { changed: changedBefore, ...before } = await everyRead(batch.id, row5!.id);
    expect(before.rowFive).toBe("CANCELLED");
    expect(Object.values(before.page).filter((status) => status === "CANCELLED")).toHaveLength(9);
    expect(Object.values(before.exported).filter((status) => status === "CANCELLED")).toHaveLength(9);
    expect(before.perStatus.PENDING).toEqual({ page: [], count: 0, exported: [] });
    expect(before.perStatus.CANCELLED).toMatchObject({ count: 9 });
    expect(before.history.cancelled.totalCount).toBe(9);
    expect(before.history.pending).toEqual({ ids: [], totalCount: 0 });
    expect(before.history.both.totalCount).toBe(9);
    expect(before.history.unfinished.totalCount).toBe(1);
    // Across batches: the other batch's PENDING trades and none of the cancelled ones; the cancelled ones among the cancelled.
    expect(before.history.allPending.ids).toEqual(idsOf(await tradesOf(t.db, untouched.id)));
    expect(before.history.allCancelled.ids).toEqual(before.history.cancelled.ids);

    await writeCancelledRows(t.db, batch.id);
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ SUCCESS: 1, QUOTED: 1, FAILED: 1, CANCELLED: 9 });

    const { changed: changedAfter, ...after } = await everyRead(batch.id, row5!.id);
    expect(after).toEqual(before);
    // The resume read lists trades by their latest event: the written rows have one now, with the status they read as before.
    for (const [id, status] of Object.entries(changedBefore)) expect(changedAfter[id]).toBe(status);
    expect(Object.keys(changedAfter)).toHaveLength(12);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ cancelledTrades: 9, cancelledUnmovedTrades: 0 });
  });

  it("no claim of a batch being cancelled goes back to PENDING (uncounted, it would read as cancelled): the cancel's chunks take it and count it", async () => {
    const { batch } = await runningBatch(t.db, 6);
    const claimed = (await claimPendingTrades(t.db.prisma, batch.id, 2)).map(({ trade }) => trade);
    await markTradesQuoted(
      t.db.prisma,
      claimed.map((trade) => quoteOf(trade)),
    );
    // Two bookings in flight when the cancel comes; then both quotes expire at the bank and each is quoted again (EXECUTING).
    expect(await requestAsTheApi(t.db, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 4, cancelledUnmovedTrades: 4 });
    await setTradeStatus(
      t.db.prisma,
      claimed.map((trade) => trade.id),
      "EXECUTING",
    );
    // The first one's runner died (its lease ran out); the second's is stopping and gives it back.
    await t.db.prisma.$executeRaw`UPDATE trade SET locked_at = now() - interval '1 hour' WHERE id = ${claimed[0]!.id}::uuid`;
    expect(await releaseAbandonedClaims(t.db.prisma, 1_000)).toEqual([]);
    expect(await releaseClaims(t.db.prisma, [{ id: claimed[1]!.id, idempotencyKey: claimed[1]!.idempotencyKey! }])).toEqual([]);
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ EXECUTING: 2, PENDING: 4 });
    await expectCountersMatchTrades(t.db, batch.id);

    await writeCancelledRows(t.db, batch.id);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({
      status: "CANCELLED",
      cancelledTrades: 6,
      cancelledUnmovedTrades: 0,
    });
  });

  it("are replayed as their rows were written: each event number one state, so a resumed subscriber gets each final state once", async () => {
    // A batch whose trades all failed, retried (each PENDING again under a new number), then cancelled before it ran.
    const { batch } = await runningBatch(t.db, 3);
    const claimed = (await claimPendingTrades(t.db.prisma, batch.id, 3)).map(({ trade }) => trade);
    await recordTradeOutcomes(
      t.db.prisma,
      claimed.map((trade) => outcomeOf(trade, "refuseQuote")),
    );
    const failedAt = (await batchOf(t.db, batch.id)).eventSequence;
    const retried = await t.db.prisma.$transaction(async (tx) => {
      await lockBatch(tx, batch.id);
      return requeueFailedTrades(tx, batch.id);
    });
    expect(retried.trades.map(({ trade }) => trade.status)).toEqual(["PENDING", "PENDING", "PENDING"]);
    expect(await requestAsTheApi(t.db, batch.id)).toMatchObject({ status: "CANCELLED", cancelledUnmovedTrades: 3 });

    const replay = async () =>
      (await listTradesChangedAfter(t.db.prisma, batch.id, { after: failedAt, limit: 100 })).map(({ id, status, sequence }) => ({
        id,
        status,
        sequence,
      }));
    // The numbers the retry's events carried stand for PENDING: the replay says so, not CANCELLED under the same number.
    const beforeWritten = await replay();
    expect(beforeWritten).toEqual(retried.trades.map(({ trade }) => ({ id: trade.id, status: "PENDING", sequence: trade.sequence })));
    // Every other read already shows them cancelled.
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ CANCELLED: 3 });

    await writeCancelledRows(t.db, batch.id);
    const written = await replay();
    expect(written.map(({ status }) => status)).toEqual(["CANCELLED", "CANCELLED", "CANCELLED"]);
    // Each under a new number, above every earlier one: the one CANCELLED event of each trade.
    const newest = Math.max(...beforeWritten.map(({ sequence }) => sequence));
    for (const trade of written) expect(trade.sequence).toBeGreaterThan(newest);
  });

  it("read the same by either form of the rule: the reads' (by the count of unwritten trades) and the sweeper's (by the cancel request)", async () => {
    const { batch } = await runningBatch(t.db, 8);
    const claimed = (await claimPendingTrades(t.db.prisma, batch.id, 2)).map(({ trade }) => trade);
    await markTradesQuoted(t.db.prisma, [quoteOf(claimed[0]!)]);
    const untouched = await stageBatch(t.db, 2);
    const bothForms = async () =>
      t.db.prisma.$queryRaw<{ id: string; byCount: string; byRequest: string }[]>`
        SELECT t.id, (${Prisma.raw(tradeStatusAsRead("t"))})::text AS "byCount", (${tradeStatusWithBatch("t", "b")})::text AS "byRequest"
        FROM trade t JOIN batch b ON b.id = t.batch_id WHERE t.batch_id = ANY(${[batch.id, untouched.id]}::uuid[])`;
    const agree = async () => {
      const rows = await bothForms();
      expect(rows).toHaveLength(10);
      for (const row of rows) expect(row.byCount).toBe(row.byRequest);
      return rows.filter((row) => row.byCount === "CANCELLED").length;
    };
    expect(await agree()).toBe(0);
    await requestAsTheApi(t.db, batch.id);
    expect(await agree()).toBe(7);
    await t.db.prisma.$transaction((tx) => cancelPendingChunk(tx, batch.id, { limit: 3 }));
    expect(await agree()).toBe(7);
    await writeCancelledRows(t.db, batch.id);
    expect(await agree()).toBe(7);
  });

  it("the sweeper's recount counts them as cancelled and as not yet written, and closes the batch", async () => {
    const { batch } = await runningBatch(t.db, 5);
    const [claim] = await claimPendingTrades(t.db.prisma, batch.id, 1);
    await markTradesQuoted(t.db.prisma, [quoteOf(claim!.trade)]);
    await requestAsTheApi(t.db, batch.id);
    // The booking's outcome reached the row but not the counters, and the counters were lost besides.
    await setTradeStatus(t.db.prisma, [claim!.trade.id], "SUCCESS");
    await t.db.prisma.$executeRaw`UPDATE batch SET cancelled_trades = 0, cancelled_unmoved_trades = 0 WHERE id = ${batch.id}::uuid`;

    const swept = await t.db.prisma.$transaction((tx) => finishSettledBatches(tx));
    expect(swept.find((b) => b.id === batch.id)).toMatchObject({
      status: "CANCELLED",
      succeededTrades: 1,
      cancelledTrades: 4,
      cancelledUnmovedTrades: 4,
    });
    await expectCountersMatchTrades(t.db, batch.id);
    await writeCancelledRows(t.db, batch.id);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ cancelledUnmovedTrades: 0 });
  });

  it("keep the batch out of the archive until they are written (the archive copies rows as they are)", async () => {
    const batch = await stageBatch(t.db, 4);
    const cancelled = await requestAsTheApi(t.db, batch.id);
    expect(cancelled).toMatchObject({ status: "CANCELLED", cancelledUnmovedTrades: 4 });
    expect(checkBatchAction(cancelled, "archive")).toEqual({
      allowed: false,
      reason: "the batch's 4 cancelled trades are still being written; archive it once they are (seconds)",
    });
    await t.db.prisma.$executeRaw`UPDATE batch SET completed_at = now() - interval '400 days' WHERE id = ${batch.id}::uuid`;
    const flag = async () => {
      const client = await t.db.pool.connect();
      try {
        return (await flagExpiredBatches(client, new Date(Date.now() - 300 * 86_400_000), 100)).map((b) => b.id);
      } finally {
        client.release();
      }
    };
    expect(await flag()).not.toContain(batch.id);

    await writeCancelledRows(t.db, batch.id);
    const written = await batchOf(t.db, batch.id);
    expect(checkBatchAction(written, "archive")).toEqual({ allowed: true });
    expect(await flag()).toContain(batch.id);
  });
});
