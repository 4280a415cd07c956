import { createBankSimulator } from "@fxbt/bank";
import { connectDatabase, type Database, tradeStatusAsRead } from "@fxbt/db";
import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BatchFields,
  CANCEL,
  eventually,
  finishedBatch,
  RETRY,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";

type Batch = BatchFields;

/** Trades of this account are quoted only once the test lets them (see quotesHeld). */
const HELD_ACCOUNT = "1234564444";

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;
let bankDatabase: Database;
/** Quotes for HELD_ACCOUNT wait for this: a batch of them stays RUNNING until the test resolves it. */
let quotesHeld: Promise<void> = Promise.resolve();

beforeAll(async () => {
  db = await testDatabase();
  // The simulator the app would make from BANK_SIM_*, behind a gate for one account.
  bankDatabase = connectDatabase({ url: db.url, maxConnections: 5 });
  const bank = createBankSimulator({ database: bankDatabase, latencyMs: 20, successRate: 0.6, seed: "cancel-retry" });
  app = await startTestApp(
    db.url,
    { RUNNER_MAX_RUNNING_BATCHES: "1" },
    {
      gateway: {
        async createQuote(request) {
          if (request.accountNumber === HELD_ACCOUNT) await quotesHeld;
          return bank.createQuote(request);
        },
        bookDeal: (request) => bank.bookDeal(request),
        lookupBooking: (key) => bank.lookupBooking(key),
        close: () => bank.close(),
      },
    },
  );
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await bankDatabase?.close();
  await db?.drop();
});

const finished = (id: string) => finishedBatch(app, id);

/** A batch's trades per status: as every read shows them (a cancel's PENDING rows not yet written are CANCELLED), or as the rows hold them. */
async function statusCounts(batchId: string, as: "read" | "stored" = "read"): Promise<Record<string, number>> {
  const status = as === "read" ? tradeStatusAsRead("trade") : "trade.status";
  const { rows } = await sql.query(`SELECT (${status})::text AS status, count(*)::int FROM trade WHERE batch_id = $1 GROUP BY 1`, [
    batchId,
  ]);
  return Object.fromEntries(rows.map((r) => [r.status, r.count]));
}

describe("cancelling", () => {
  it("cancels a running batch of thousands of trades: unbooked trades end CANCELLED, booked ones stay booked", async () => {
    const batch = await stage(app, tradesCsv(4000));
    await app.query(START, { id: batch.id });
    // While it runs, the counters equal the trades' statuses in every snapshot (one statement, one snapshot).
    let samples = 0;
    await eventually(async () => {
      const {
        rows: [check],
      } = await sql.query(
        `SELECT b.succeeded_trades = count(*) FILTER (WHERE t.status = 'SUCCESS') AND b.failed_trades = count(*) FILTER (WHERE t.status = 'FAILED')
                AND b.cancelled_trades = count(*) FILTER (WHERE t.status = 'CANCELLED') AS equal, b.succeeded_trades + b.failed_trades AS processed
         FROM batch b JOIN trade t ON t.batch_id = b.id WHERE b.id = $1 GROUP BY b.id`,
        [batch.id],
      );
      expect(check.equal).toBe(true);
      samples++;
      return check.processed > 200;
    });
    expect(samples).toBeGreaterThan(1);

    const cancelling = (await app.query<{ cancelBatch: Batch }>(CANCEL, { id: batch.id })).cancelBatch;
    expect(cancelling.cancelledTrades).toBeGreaterThan(0);
    const final = await finished(batch.id);

    expect(final.status).toBe("CANCELLED");
    expect(final.succeededTrades + final.failedTrades + final.cancelledTrades).toBe(4000);
    const expected = Object.fromEntries(
      Object.entries({ SUCCESS: final.succeededTrades, FAILED: final.failedTrades, CANCELLED: final.cancelledTrades }).filter(
        ([, n]) => n > 0,
      ),
    );
    expect(await statusCounts(batch.id)).toEqual(expected);
    // The runner writes the cancelled trades' rows after the batch is CANCELLED: in the end they say so too.
    const sorted = (counts: Record<string, number>) => JSON.stringify(Object.entries(counts).sort());
    await eventually(async () => sorted(await statusCounts(batch.id, "stored")) === sorted(expected));
    expect(await statusCounts(batch.id, "stored")).toEqual(expected);
    // Every booked deal belongs to a SUCCESS trade and every SUCCESS trade to one booked deal.
    const {
      rows: [booked],
    } = await sql.query(
      `SELECT count(*)::int AS deals, count(*) FILTER (WHERE t.status = 'SUCCESS')::int AS on_success
       FROM bank_sim_booking b JOIN trade t ON t.idempotency_key = b.idempotency_key
       WHERE t.batch_id = $1 AND b.transaction_id IS NOT NULL`,
      [batch.id],
    );
    expect(booked).toEqual({ deals: final.succeededTrades, on_success: final.succeededTrades });

    const again = await app.request(CANCEL, { id: batch.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    const start = await app.request(START, { id: batch.id });
    expect(start.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
  });

  it("cancels a PENDING batch at once", async () => {
    const batch = await stage(app, tradesCsv(50));
    const cancelled = (await app.query<{ cancelBatch: Batch }>(CANCEL, { id: batch.id })).cancelBatch;
    expect(cancelled).toMatchObject({ status: "CANCELLED", cancelledTrades: 50, processedTrades: 50 });
    expect(cancelled.completedAt).not.toBeNull();
  });
});

describe("retrying failed trades", () => {
  it("runs only the FAILED trades again, with a new attempt, and never re-runs a succeeded one", async () => {
    const batch = await stage(app, tradesCsv(200));
    await app.query(START, { id: batch.id });
    const first = await finished(batch.id);
    expect(first.status).toBe("PARTIAL_SUCCESS");
    expect(first.failedTrades).toBeGreaterThan(0);
    const before = await sql.query(`SELECT id, status::text, attempts, transaction_id FROM trade WHERE batch_id = $1`, [batch.id]);

    const retried = (await app.query<{ retryFailedTrades: Batch }>(RETRY, { id: batch.id })).retryFailedTrades;
    expect(["PENDING", "RUNNING"]).toContain(retried.status);
    expect(retried.failedTrades).toBe(0);
    expect(retried.completedAt).toBeNull();
    const second = await finished(batch.id);
    expect(second.succeededTrades).toBeGreaterThan(first.succeededTrades);
    expect(second.processedTrades).toBe(200);

    const after = new Map(
      (await sql.query(`SELECT id, status::text, attempts, transaction_id FROM trade WHERE batch_id = $1`, [batch.id])).rows.map((r) => [
        r.id,
        r,
      ]),
    );
    for (const trade of before.rows) {
      const now = after.get(trade.id)!;
      if (trade.status === "SUCCESS") expect(now).toEqual(trade);
      else expect(now.attempts).toBe(2);
    }
  });

  it("refuses to retry a batch with no failed trades or that is not finished", async () => {
    const batch = await stage(
      app,
      tradesCsv(5, () => "1000001234"),
    );
    const pending = await app.request(RETRY, { id: batch.id });
    expect(pending.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
  });
});

describe("the queue", () => {
  it("runs queued batches by priority, then age, when only one may run", async () => {
    // The first batch cannot finish before the test releases its quotes: it is RUNNING, the only
    // one, while the two others are started and the queue is read, however fast or slow the machine.
    let release = () => {};
    quotesHeld = new Promise((resolve) => {
      release = resolve;
    });
    try {
      const running = await stage(
        app,
        tradesCsv(20, () => HELD_ACCOUNT),
        { name: "first" },
      );
      const low = await stage(app, tradesCsv(20), { name: "low", priority: 1 });
      const high = await stage(app, tradesCsv(20), { name: "high", priority: 9 });
      expect((await app.query<{ startBatch: Batch }>(START, { id: running.id })).startBatch.status).toBe("RUNNING");
      expect((await app.query<{ startBatch: Batch }>(START, { id: low.id })).startBatch.status).toBe("PENDING");
      expect((await app.query<{ startBatch: Batch }>(START, { id: high.id })).startBatch.status).toBe("PENDING");

      const { activeBatches } = await app.query<{ activeBatches: { name: string; status: string }[] }>(`{ activeBatches { name status } }`);
      expect(activeBatches).toEqual([
        { name: "first", status: "RUNNING" },
        { name: "high", status: "PENDING" },
        { name: "low", status: "PENDING" },
      ]);
      release();
      const [h, l] = [await finished(high.id), await finished(low.id)];
      expect(Date.parse(h.startedAt!)).toBeLessThan(Date.parse(l.startedAt!));
      expect(Date.parse(h.startedAt!)).toBeGreaterThanOrEqual(Date.parse((await finished(running.id)).completedAt!));
    } finally {
      release();
    }
  });
});
