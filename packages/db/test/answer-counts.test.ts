// trade_answer_count, the run charts' rollup (migration 20261129030000_trade_answer_count): every
// statement that ends attempts with the bank's answer adds them to it, so after any mix of runs,
// retries, requotes, cancels, recoveries and archival it holds exactly what the answered attempts say.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/generated/prisma/client";
import { TRADE_COLUMN_NAMES, type TradeRow } from "../src/rows";
import { flagBatchArchived, moveTradeChunk } from "../src/sql/archive";
import { lockBatch, requeueFailedTrades } from "../src/sql/batch-lifecycle";
import { batchesOfTrades } from "../src/sql/fragments";
import { moveTrades } from "../src/sql/move-trades";
import { claimAbandonedBookings, claimPendingTrades, releaseAbandonedClaims } from "../src/sql/trade-claims";
import { batchThroughputSeries, tradeVolume } from "../src/sql/trade-counts";
import { markTradesQuoted, recordTradeOutcomes, requoteTrades } from "../src/sql/trade-results";
import {
  ageLocks,
  cancelAsTheApi,
  claimedBatch,
  databaseMigratedBefore,
  expectRollupMatchesAttempts,
  migrateFully,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  setRunning,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** The batch's trades by row number (1-based), as they are now. */
async function byRow(batchId: string): Promise<Map<number, TradeRow>> {
  return new Map((await tradesOf(t.db, batchId)).map((trade) => [trade.rowNumber!, trade]));
}

describe("trade_answer_count", () => {
  it("equals the answered attempts after a run with a requote, a booking learned by lookup, a retry, a cancel and a released claim", async () => {
    // Batch A: six trades, every way an attempt ends answered.
    const { batch: a } = await claimedBatch(t.db, 6);
    let rows = await byRow(a.id);
    await markTradesQuoted(
      t.db.prisma,
      [1, 2, 3, 4, 5].map((n) => quoteOf(rows.get(n)!)),
    );
    await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(rows.get(1)!, "book"),
      outcomeOf(rows.get(2)!, "refuseBooking"),
      outcomeOf(rows.get(6)!, "refuseQuote"),
    ]);
    // Row 3's quote expired before its booking arrived: refused (an answer), quoted again and booked.
    const row3 = rows.get(3)!;
    await requoteTrades(t.db.prisma, [
      { id: row3.id, idempotencyKey: row3.idempotencyKey!, errorMessage: "quote expired", bookingSentAt: new Date() },
    ]);
    rows = await byRow(a.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(rows.get(3)!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(rows.get(3)!, "book")]);
    // Rows 4 and 5: their runner stopped with the bookings sent and no answer. Another instance takes
    // them over once the lease has passed, asks the bank by key, and records what it learns.
    await ageLocks(t.db.prisma, [rows.get(4)!.id, rows.get(5)!.id], 120);
    const taken = await claimAbandonedBookings(t.other.prisma, 60_000, 10);
    expect(taken.map((trade) => trade.rowNumber).sort()).toEqual([4, 5]);
    await recordTradeOutcomes(t.other.prisma, [
      { ...outcomeOf(rows.get(4)!, "book"), bookingSentAt: null },
      { ...outcomeOf(rows.get(5)!, "refuseBooking"), bookingSentAt: null },
    ]);
    expect((await tradesOf(t.db, a.id)).map((trade) => trade.status)).toEqual([
      "SUCCESS",
      "FAILED",
      "SUCCESS",
      "SUCCESS",
      "FAILED",
      "FAILED",
    ]);
    // A second run: rows 2 and 6 retried and booked.
    await t.db.prisma.$transaction(async (tx) => {
      await lockBatch(tx, a.id);
      await requeueFailedTrades(tx, a.id, { tradeIds: [rows.get(2)!.id, rows.get(6)!.id] });
    });
    await setRunning(t.db.prisma, a.id);
    await claimPendingTrades(t.db.prisma, a.id, 10);
    rows = await byRow(a.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(rows.get(2)!), quoteOf(rows.get(6)!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(rows.get(2)!, "book"), outcomeOf(rows.get(6)!, "book")]);

    // Batch B: one answer, then cancelled with a trade claimed (its attempt ends CANCELLED, no answer).
    const { batch: b } = await claimedBatch(t.db, 2);
    const [b1] = await tradesOf(t.db, b.id);
    await markTradesQuoted(t.db.prisma, [quoteOf(b1!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(b1!, "book")]);
    await cancelAsTheApi(t.db, b.id);

    // Batch C: its runner died before booking anything: the claim is released (ABANDONED, no answer).
    const { batch: c, trades: cTrades } = await claimedBatch(t.db, 1);
    await ageLocks(t.db.prisma, [cTrades[0]!.id], 120);
    expect(await releaseAbandonedClaims(t.other.prisma, 60_000)).toHaveLength(1);

    const totals = await expectRollupMatchesAttempts(t.db);
    // A: booked 1, 3, 4, then 2 and 6; refused 2, 6, 3's expired quote and 5.
    expect(totals.get(a.id)).toEqual({ succeeded: 5, failed: 4 });
    expect(totals.get(b.id)).toEqual({ succeeded: 1, failed: 0 });
    expect(totals.has(c.id)).toBe(false);
    const series = await batchThroughputSeries(t.db.prisma, a.id);
    expect(series.buckets.reduce((sum, bucket) => sum + bucket.succeeded, 0)).toBe(5);
    expect(series.buckets.reduce((sum, bucket) => sum + bucket.failed, 0)).toBe(4);
  });

  it("adds the answers of two instances writing one batch's outcomes at the same time", async () => {
    const { batch, trades } = await claimedBatch(t.db, 40);
    await markTradesQuoted(
      t.db.prisma,
      trades.map((trade) => quoteOf(trade)),
    );
    const halves = [trades.slice(0, 20), trades.slice(20)];
    await Promise.all([
      recordTradeOutcomes(
        t.db.prisma,
        halves[0]!.map((trade, i) => outcomeOf(trade, i % 4 === 0 ? "refuseBooking" : "book")),
      ),
      recordTradeOutcomes(
        t.other.prisma,
        halves[1]!.map((trade, i) => outcomeOf(trade, i % 4 === 0 ? "refuseBooking" : "book")),
      ),
    ]);
    expect((await expectRollupMatchesAttempts(t.db)).get(batch.id)).toEqual({ succeeded: 30, failed: 10 });
  });

  it("stays with an archived batch, whose charts read the same as before", async () => {
    const { batch, trades } = await claimedBatch(t.db, 30);
    await markTradesQuoted(
      t.db.prisma,
      trades.map((trade) => quoteOf(trade)),
    );
    await recordTradeOutcomes(
      t.db.prisma,
      trades.map((trade) => outcomeOf(trade, trade.rowNumber! % 3 === 0 ? "refuseBooking" : "book")),
    );
    const now = new Date();
    const before = {
      series: await batchThroughputSeries(t.db.prisma, batch.id),
      volume: await tradeVolume(t.db.prisma, { hours: 2, now }),
    };
    await flagBatchArchived(t.db.prisma, batch.id);
    const client = await t.db.pool.connect();
    try {
      expect(await moveTradeChunk(client, batch.id, 100)).toMatchObject({ trades: 30 });
    } finally {
      client.release();
    }
    expect((await expectRollupMatchesAttempts(t.db)).get(batch.id)).toEqual({ succeeded: 20, failed: 10 });
    expect(await batchThroughputSeries(t.db.prisma, batch.id)).toEqual(before.series);
    expect(await tradeVolume(t.db.prisma, { hours: 2, now })).toEqual(before.volume);
  });

  it("is written with the answers or not at all: a transaction that rolls back leaves no count", async () => {
    const { batch, trades } = await claimedBatch(t.db, 3);
    await markTradesQuoted(
      t.db.prisma,
      trades.map((trade) => quoteOf(trade)),
    );
    await expect(
      t.db.prisma.$transaction(async (tx) => {
        const booked = await moveTrades(tx, "book", { batches: batchesOfTrades(trades.map((trade) => trade.id)), where: Prisma.sql`true` });
        expect(booked).toHaveLength(3);
        throw new Error("the write after the answers failed");
      }),
    ).rejects.toThrow("the write after the answers failed");
    expect((await expectRollupMatchesAttempts(t.db)).has(batch.id)).toBe(false);
  });
});

describe("migration 20261129030000_trade_answer_count", () => {
  it("fills the rollup from the answered attempts already recorded, hot and archived", async () => {
    // The migrations before this one, then a batch's attempts of every kind, then this migration.
    const database = await databaseMigratedBefore("20261129030000_trade_answer_count");
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const batch = "00000000-0000-0000-0000-00000000000b";
        const trade = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
        await client.query(`INSERT INTO batch (id, batch_uid, total_trades) VALUES ($1, 'B-OLD', 4)`, [batch]);
        const columns = `id, batch_id, row_number, client_id, account_number, sell_currency, buy_currency, direction, amount, status, attempts`;
        const values = (n: number) => `('${trade(n)}', '${batch}', ${n}, 'C-${n}', '111', 'ZAR', 'USD', 'BUY', 1, 'SUCCESS', 2)`;
        await client.query(`INSERT INTO trade (${columns}) VALUES ${values(1)}, ${values(2)}, ${values(3)}, ${values(4)}`);
        // Trade 4 archived, as the archival moves it (its attempts follow it below).
        await client.query(
          `WITH moved AS (DELETE FROM trade WHERE id = $1 RETURNING ${TRADE_COLUMN_NAMES})
           INSERT INTO trade_archive (${TRADE_COLUMN_NAMES}) SELECT ${TRADE_COLUMN_NAMES} FROM moved`,
          [trade(4)],
        );
        const attempt = (n: number, number: number, outcome: string | null, finishedAt: string | null) =>
          `('${trade(n)}', ${number}, '${trade(n)}:${number}', ${outcome ? `'${outcome}'` : "NULL"}, ${finishedAt ? `'${finishedAt}'` : "NULL"})`;
        await client.query(
          `INSERT INTO trade_attempt (trade_id, number, idempotency_key, outcome, finished_at) VALUES
             ${attempt(1, 1, "REFUSED", "2027-01-15T08:00:00.250Z")}, ${attempt(1, 2, "BOOKED", "2027-01-15T08:00:00.900Z")},
             ${attempt(2, 1, "ABANDONED", "2027-01-15T08:00:00.100Z")}, ${attempt(2, 2, "BOOKED", "2027-01-15T08:00:03.000Z")},
             ${attempt(3, 1, "CANCELLED", "2027-01-15T08:00:00.500Z")}, ${attempt(3, 2, null, null)}`,
        );
        await client.query(
          `INSERT INTO trade_attempt_archive (trade_id, number, idempotency_key, outcome, finished_at, started_at) VALUES
             ${attempt(4, 1, "REFUSED", "2027-01-15T08:00:03.999Z").slice(0, -1)}, now()),
             ${attempt(4, 2, "BOOKED", "2027-01-15T08:00:07.001Z").slice(0, -1)}, now())`,
        );
        expect(await migrateFully(database)).toContain("20261129030000_trade_answer_count");
        const { rows } = await client.query(
          `SELECT second, succeeded, failed, first_answer_at AS first, last_answer_at AS last FROM trade_answer_count
           WHERE batch_id = $1 ORDER BY second`,
          [batch],
        );
        const at = (iso: string) => new Date(iso);
        expect(rows).toEqual([
          {
            second: at("2027-01-15T08:00:00Z"),
            succeeded: 1,
            failed: 1,
            first: at("2027-01-15T08:00:00.250Z"),
            last: at("2027-01-15T08:00:00.900Z"),
          },
          {
            second: at("2027-01-15T08:00:03Z"),
            succeeded: 1,
            failed: 1,
            first: at("2027-01-15T08:00:03.000Z"),
            last: at("2027-01-15T08:00:03.999Z"),
          },
          {
            second: at("2027-01-15T08:00:07Z"),
            succeeded: 1,
            failed: 0,
            first: at("2027-01-15T08:00:07.001Z"),
            last: at("2027-01-15T08:00:07.001Z"),
          },
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});
