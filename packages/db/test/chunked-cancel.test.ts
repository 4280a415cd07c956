import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../src/client";
import {
  CANCEL_CHUNK_SIZE,
  type CancelChunkOptions,
  type CancelledChunk,
  cancelPendingChunk,
  listCancellingBatches,
} from "../src/sql/batch-cancel";
import { deleteBatchRow, lockBatch } from "../src/sql/batch-lifecycle";
import { promoteQueuedBatches } from "../src/sql/batch-queue";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  cancelInChunks,
  claimedBatch,
  emptyTables,
  expectCountersMatchTrades,
  holdInTransaction,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  requestCancelAsTheApi,
  runningBatch,
  setBatch,
  setTradeStatus,
  stageBatch,
  statusCounts,
  storedStatusCounts,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const requestAsTheApi = requestCancelAsTheApi;

/** One chunk in its own transaction. */
const chunk = (db: Database, batchId: string, options: CancelChunkOptions = {}) =>
  db.prisma.$transaction((tx) => cancelPendingChunk(tx, batchId, options));

/** Trades that are CANCELLED yet have an attempt the bank booked: must never exist. */
async function bookedAndCancelled(db: Database, batchId: string): Promise<number> {
  const [row] = await db.prisma.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM trade t JOIN trade_attempt a ON a.trade_id = t.id
    WHERE t.batch_id = ${batchId}::uuid AND t.status = 'CANCELLED' AND a.outcome = 'BOOKED'`;
  return row!.n;
}

describe("requestCancel (phase 1)", () => {
  it("marks the batch, takes it out of the queue, cancels its claims with nothing sent and counts its PENDING trades cancelled without writing them; from then on nothing of it is claimed or promoted", async () => {
    const { batch } = await runningBatch(t.db, 6);
    const claimed = await claimPendingTrades(t.db.prisma, batch.id, 3);
    await markTradesQuoted(t.db.prisma, [quoteOf(claimed[0]!.trade)]);

    const marked = await requestAsTheApi(t.db, batch.id);

    // The booking in flight keeps it RUNNING; the two claims quoting are cancelled, the three PENDING trades counted, their rows not yet written.
    expect(marked).toMatchObject({ status: "RUNNING", queuedAt: null, cancelledTrades: 5, cancelledUnmovedTrades: 3 });
    expect(marked.cancelRequestedAt).not.toBeNull();
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ QUOTED: 1, CANCELLED: 2, PENDING: 3 });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ QUOTED: 1, CANCELLED: 5 });
    await expectCountersMatchTrades(t.db, batch.id);
    expect(await claimPendingTrades(t.db.prisma, batch.id, 10)).toEqual([]);

    // A queued batch, nothing of it in flight: CANCELLED by the request itself, and never promoted.
    const queued = await stageBatch(t.db, 3);
    await setBatch(t.db.prisma, queued.id, { queuedSecondsAgo: 5 });
    const cancelled = await requestAsTheApi(t.db, queued.id);
    expect(cancelled).toMatchObject({ status: "CANCELLED", queuedAt: null, cancelledTrades: 3, cancelledUnmovedTrades: 3 });
    expect(cancelled.completedAt).not.toBeNull();
    const promoted = await t.db.prisma.$transaction((tx) => promoteQueuedBatches(tx, 1000));
    expect(promoted.map((b) => b.id)).not.toContain(queued.id);
    expect(await storedStatusCounts(t.db.prisma, queued.id)).toEqual({ PENDING: 3 });
    await expectCountersMatchTrades(t.db, queued.id);
  });
});

describe("cancelPendingChunk (phase 2)", () => {
  it("cancels window after window of rows, from the first cancellable one, with exact counters after each; leaves QUOTED trades to finish; the last booking ends it CANCELLED", async () => {
    const { batch } = await runningBatch(t.db, 23);
    await claimPendingTrades(t.db.prisma, batch.id, 6);
    const [row1, row2, row3, row4] = await tradesOf(t.db, batch.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(row1!), quoteOf(row2!), quoteOf(row3!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(row3!, "book")]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(row4!, "refuseQuote")]);
    // Rows 1, 2: QUOTED (bookings in flight); 3: SUCCESS; 4: FAILED; 5, 6: EXECUTING; 7–23: PENDING.
    // The request cancels rows 5 and 6 (nothing sent) and counts rows 7–23.
    expect(await requestAsTheApi(t.db, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 19, cancelledUnmovedTrades: 17 });
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ QUOTED: 2, SUCCESS: 1, FAILED: 1, CANCELLED: 2, PENDING: 17 });

    const chunks: CancelledChunk[] = [];
    let afterRow: number | null = null;
    for (;;) {
      const result = await chunk(t.db, batch.id, { limit: 5, afterRow });
      if (result === null || result === "busy") throw new Error(`chunk answered ${result}`);
      chunks.push(result);
      // Every chunk commits its trades and its counts together.
      expect(await expectCountersMatchTrades(t.db, batch.id)).toEqual(result.batch);
      if (!result.more) break;
      afterRow = result.throughRow;
    }

    const rows = (c: CancelledChunk) => c.trades.map(({ trade }) => trade.rowNumber!).sort((a, b) => a - b);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    // The pass starts at row 7, the first the cancel move may take (rows before it are done or in flight).
    expect(chunks.map(rows)).toEqual([range(7, 11), range(12, 16), range(17, 21), range(22, 23)]);
    expect(chunks.map((c) => [c.throughRow, c.more])).toEqual([
      [11, true],
      [16, true],
      [21, true],
      [23, false],
    ]);
    for (const c of chunks) {
      for (const { trade, previousStatus } of c.trades) {
        expect(previousStatus).toBe("PENDING");
        expect(trade).toMatchObject({ status: "CANCELLED", lockedAt: null });
      }
    }
    expect(chunks.at(-1)!.batch).toMatchObject({
      status: "RUNNING",
      succeededTrades: 1,
      failedTrades: 1,
      cancelledTrades: 19,
      cancelledUnmovedTrades: 0,
    });
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ QUOTED: 2, SUCCESS: 1, FAILED: 1, CANCELLED: 19 });
    // The claimed trades' attempts ended CANCELLED; nothing was both booked and cancelled.
    const [attempts] = await t.db.prisma.$queryRaw<{ cancelled: number }[]>`
      SELECT count(*) FILTER (WHERE a.outcome = 'CANCELLED')::int AS cancelled FROM trade_attempt a
      JOIN trade t ON t.id = a.trade_id WHERE t.batch_id = ${batch.id}::uuid`;
    expect(attempts!.cancelled).toBe(2);

    // A chunk with nothing left to cancel changes nothing.
    const empty = await chunk(t.db, batch.id, { limit: 5 });
    expect(empty).toMatchObject({ trades: [], more: false, batch: { status: "RUNNING", cancelledTrades: 19 } });

    // The bookings in flight finish; the last one ends the batch CANCELLED.
    const booked = await recordTradeOutcomes(t.db.prisma, [outcomeOf(row1!, "book")]);
    expect(booked.batches[0]).toMatchObject({ status: "RUNNING", succeededTrades: 2 });
    const last = await recordTradeOutcomes(t.db.prisma, [outcomeOf(row2!, "refuseBooking")]);
    expect(last.batches[0]).toMatchObject({ status: "CANCELLED", succeededTrades: 2, failedTrades: 2, cancelledTrades: 19 });
    expect((await expectCountersMatchTrades(t.db, batch.id)).completedAt).not.toBeNull();
    expect(await bookedAndCancelled(t.db, batch.id)).toBe(0);
    // Finished: no chunk for it any more.
    expect(await chunk(t.db, batch.id)).toBeNull();
  });

  it("a batch with nothing in flight is CANCELLED by the request; its chunks write the rows afterwards, the counters exact after each; a never-run batch alike", async () => {
    const { batch } = await runningBatch(t.db, 12);
    expect(await requestAsTheApi(t.db, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 12, cancelledUnmovedTrades: 12 });
    const chunks = await cancelInChunks(t.db, batch.id, 4);
    // Three full chunks; the third writes the last row, so it says there is no more.
    expect(chunks.map((c) => [c.trades.length, c.batch.status, c.batch.cancelledTrades, c.batch.cancelledUnmovedTrades, c.more])).toEqual([
      [4, "CANCELLED", 12, 8, true],
      [4, "CANCELLED", 12, 4, true],
      [4, "CANCELLED", 12, 0, false],
    ]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 12 });
    expect(await storedStatusCounts(t.db.prisma, batch.id)).toEqual({ CANCELLED: 12 });
    // Written: no chunk for it any more.
    expect(await chunk(t.db, batch.id)).toBeNull();

    const pending = await stageBatch(t.db, 7);
    const cancelled = await requestAsTheApi(t.db, pending.id);
    expect(cancelled).toMatchObject({ status: "CANCELLED", cancelledTrades: 7, queuedAt: null });
    expect(cancelled.completedAt).not.toBeNull();
    const [first, second] = await cancelInChunks(t.db, pending.id, 5);
    expect(first!.batch).toMatchObject({ status: "CANCELLED", cancelledTrades: 7, cancelledUnmovedTrades: 2 });
    expect(second!.batch).toMatchObject({ status: "CANCELLED", cancelledTrades: 7, cancelledUnmovedTrades: 0 });
    await expectCountersMatchTrades(t.db, pending.id);
  });

  it("a pass goes on after the last row of its previous chunk; a trade behind it that became cancellable again is left to the next pass", async () => {
    const { batch } = await runningBatch(t.db, 11);
    await claimPendingTrades(t.db.prisma, batch.id, 1);
    const trades = await tradesOf(t.db, batch.id);
    // Row 1's booking is in flight: the batch stays RUNNING after the request.
    await markTradesQuoted(t.db.prisma, [quoteOf(trades[0]!)]);
    expect(await requestAsTheApi(t.db, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 10 });
    const rowsOf = (c: CancelledChunk | "busy" | null) =>
      c && c !== "busy" ? c.trades.map(({ trade }) => trade.rowNumber!).sort((a, b) => a - b) : c;

    const first = await chunk(t.db, batch.id, { limit: 4 });
    expect(rowsOf(first)).toEqual([2, 3, 4, 5]);
    expect(first).toMatchObject({ throughRow: 5, more: true });
    // Row 1's quote expired at the bank: requoted, it is EXECUTING again, where the cancel move may take it.
    await setTradeStatus(t.db.prisma, [trades[0]!.id], "EXECUTING");

    const second = await chunk(t.db, batch.id, { limit: 4, afterRow: 5 });
    expect(rowsOf(second)).toEqual([6, 7, 8, 9]);
    const third = await chunk(t.db, batch.id, { limit: 4, afterRow: 9 });
    expect(rowsOf(third)).toEqual([10, 11]);
    expect(third).toMatchObject({
      more: false,
      throughRow: 11,
      batch: { status: "RUNNING", cancelledTrades: 10, cancelledUnmovedTrades: 0 },
    });

    expect((await listCancellingBatches(t.db.prisma)).map((b) => b.id)).toContain(batch.id);
    const next = await chunk(t.db, batch.id, { limit: 4 });
    expect(rowsOf(next)).toEqual([1]);
    expect(next).toMatchObject({ more: false, batch: { status: "CANCELLED", cancelledTrades: 11 } });
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("answers null for a batch not being cancelled, finished or deleted, and 'busy' (skipLocked) while another transaction holds the batch", async () => {
    const { batch } = await runningBatch(t.db, 3);
    expect(await chunk(t.db, batch.id)).toBeNull();
    expect(await chunk(t.db, batch.id, { skipLocked: true })).toBeNull();
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ PENDING: 3 });

    await requestAsTheApi(t.db, batch.id);
    const release = await holdInTransaction(t.db, (tx) => lockBatch(tx, batch.id));
    expect(await chunk(t.other, batch.id, { skipLocked: true })).toBe("busy");
    await release();
    expect(await chunk(t.other, batch.id, { skipLocked: true })).toMatchObject({
      more: false,
      batch: { status: "CANCELLED", cancelledTrades: 3, cancelledUnmovedTrades: 0 },
    });
    expect(await chunk(t.other, batch.id, { skipLocked: true })).toBeNull();

    const deleted = await stageBatch(t.db, 2);
    await requestAsTheApi(t.db, deleted.id);
    await t.db.prisma.$transaction((tx) => deleteBatchRow(tx, deleted.id));
    expect(await chunk(t.db, deleted.id, { skipLocked: true })).toBeNull();
  });

  it("chunks racing the runner's outcome writes and claims: no deadlock, counters exact, no trade both booked and cancelled", async () => {
    for (let round = 0; round < 5; round++) {
      const { batch, trades } = await claimedBatch(t.db, 60);
      const quoted = trades.filter((trade) => trade.rowNumber! % 3 !== 0);
      await markTradesQuoted(
        t.db.prisma,
        quoted.map((trade) => quoteOf(trade)),
      );
      // More trades behind them, still PENDING.
      await t.db.prisma.$executeRaw`
        INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction, amount, reference)
        SELECT gen_random_uuid(), batch_id, row_number + 60, client_id, client_name, account_number, sell_currency, buy_currency, direction, amount, reference
        FROM trade WHERE batch_id = ${batch.id}::uuid`;
      await t.db.prisma.$executeRaw`UPDATE batch SET total_trades = 120 WHERE id = ${batch.id}::uuid`;
      const writes = (async () => {
        for (const trade of trades) {
          const move = trade.rowNumber! % 3 === 0 ? "refuseQuote" : trade.rowNumber! % 2 ? "book" : "refuseBooking";
          await recordTradeOutcomes(t.db.prisma, [outcomeOf(trade, move)]);
        }
      })();
      const cancel = (async () => {
        const requested = await requestAsTheApi(t.other, batch.id);
        return { requested, chunks: await cancelInChunks(t.other, batch.id, 7) };
      })();
      const [, { requested, chunks }] = await Promise.all([writes, cancel]);

      const counts = await statusCounts(t.db.prisma, batch.id);
      // Quoted trades finish with the bank's answer; the others are cancelled by the request (the 60
      // PENDING, and the claims whose refusal had not come first), and the chunks write the PENDING rows.
      expect((counts.SUCCESS ?? 0) + (counts.FAILED ?? 0) + (counts.CANCELLED ?? 0)).toBe(120);
      expect(counts.CANCELLED).toBe(requested.cancelledTrades);
      expect(requested.cancelledUnmovedTrades).toBe(60);
      expect(chunks.reduce((sum, c) => sum + c.trades.length, 0)).toBe(60);
      expect(counts.SUCCESS).toBe(quoted.filter((trade) => trade.rowNumber! % 2).length);
      expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "CANCELLED" });
      expect(await bookedAndCancelled(t.db, batch.id)).toBe(0);
    }
  });

  it(`cancels 20,000 trades in chunks of ${CANCEL_CHUNK_SIZE} with exact counters`, async () => {
    const { batch } = await runningBatch(t.db, 20_000);
    await requestAsTheApi(t.db, batch.id);
    const started = performance.now();
    const chunks = await cancelInChunks(t.db, batch.id, CANCEL_CHUNK_SIZE);
    const ms = performance.now() - started;
    console.log(
      `chunked cancel: 20,000 trades in ${chunks.length} chunks, ${Math.round(ms)} ms (${Math.round(ms / chunks.length)} ms a chunk)`,
    );
    expect(chunks.map((c) => c.trades.length)).toEqual([5_000, 5_000, 5_000, 5_000]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 20_000 });
  });
});

describe("listCancellingBatches", () => {
  it("lists the batches being cancelled that still have trades the cancel move may take, oldest request first", async () => {
    await emptyTables(t.db.prisma);
    const half = await runningBatch(t.db, 6);
    const onlyQuoted = await claimedBatch(t.db, 2);
    const untouched = await runningBatch(t.db, 2);
    const pending = await stageBatch(t.db, 3);
    await markTradesQuoted(
      t.db.prisma,
      onlyQuoted.trades.map((trade) => quoteOf(trade)),
    );
    for (const id of [half.batch.id, onlyQuoted.batch.id, pending.id]) await requestAsTheApi(t.db, id);
    await chunk(t.db, half.batch.id, { limit: 4 });

    expect((await listCancellingBatches(t.db.prisma)).map((b) => b.id)).toEqual([half.batch.id, pending.id]);
    await cancelInChunks(t.db, half.batch.id, 4);
    await cancelInChunks(t.db, pending.id, 4);
    expect(await listCancellingBatches(t.db.prisma)).toEqual([]);
    expect(await statusCounts(t.db.prisma, untouched.batch.id)).toEqual({ PENDING: 2 });
  });
});
