import type { TestDatabase } from "@fxbt/db/testing";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { BATCH, type BatchFields, finishedBatch, STAGE, START, stage, startTestApp, type TestApp, testDatabase } from "./harness";

const DAY_MS = 86_400_000;
/** A UTC date `days` from today, YYYY-MM-DD: the runner and startBatch compare value dates in UTC. */
const utcDate = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

const clients: pg.Client[] = [];
const apps: TestApp[] = [];
const databases: TestDatabase[] = [];

afterAll(async () => {
  for (const client of clients) await client.end();
  for (const app of apps) await app.close();
  for (const db of databases) await db.drop();
});

/** An app on a database of its own, and a direct connection to that database. */
async function setup(env: Record<string, string> = {}): Promise<{ app: TestApp; sql: pg.Client }> {
  const db = await testDatabase();
  databases.push(db);
  const app = await startTestApp(db.url, env);
  apps.push(app);
  const sql = new pg.Client({ connectionString: db.url });
  clients.push(sql);
  await sql.connect();
  return { app, sql };
}

/** `count` trades, all with the given value date. */
function datedCsv(count: number, valueDate: string): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= count; i++) lines.push(`C-${i},Client ${i},1234567890,ZAR,USD,BUY,${100 + i}.25,${valueDate},VD-${i}`);
  return lines.join("\n");
}

async function batchOf(app: TestApp, id: string) {
  return (
    await app.query<{ batch: BatchFields & { queuedAt: string | null } }>(BATCH.replace("completedAt", "completedAt queuedAt"), { id })
  ).batch;
}

const finished = finishedBatch;

async function expectCountersEqualStatuses(sql: pg.Client, batchId: string) {
  const {
    rows: [check],
  } = await sql.query(
    `SELECT b.succeeded_trades AS succeeded, b.failed_trades AS failed, b.cancelled_trades AS cancelled,
            count(*) FILTER (WHERE t.status = 'SUCCESS')::int AS success_rows, count(*) FILTER (WHERE t.status = 'FAILED')::int AS failed_rows,
            count(*) FILTER (WHERE t.status = 'CANCELLED')::int AS cancelled_rows, count(*)::int AS total
     FROM batch b JOIN trade t ON t.batch_id = b.id WHERE b.id = $1 GROUP BY b.id`,
    [batchId],
  );
  expect({ succeeded: check.success_rows, failed: check.failed_rows, cancelled: check.cancelled_rows }).toEqual({
    succeeded: check.succeeded,
    failed: check.failed,
    cancelled: check.cancelled,
  });
  expect(check.success_rows + check.failed_rows + check.cancelled_rows).toBe(check.total);
}

describe("value dates", () => {
  it("refuses to start a batch with trades whose value date has passed, and starts it once they are corrected", async () => {
    const { app, sql } = await setup();
    // Staging refuses a past value date, so the batch is staged with future ones and a day "passes" in SQL.
    const past = await app.query<{ stageBatch: { batch: unknown; errors: { field: string | null }[] } }>(STAGE, {
      input: { csv: datedCsv(2, utcDate(-1)), allowDuplicate: true },
    });
    expect(past.stageBatch.batch).toBeNull();
    expect(past.stageBatch.errors.map((error) => error.field)).toEqual(["value_date", "value_date"]);

    const batch = await stage(app, datedCsv(6, utcDate(10)));
    const moved = await sql.query(`UPDATE trade SET value_date = $2::date WHERE batch_id = $1 AND row_number IN (3, 5) RETURNING id`, [
      batch.id,
      utcDate(-1),
    ]);
    expect(moved.rowCount).toBe(2);

    const refused = await app.request<{ startBatch: BatchFields }>(START, { id: batch.id });
    expect(refused.data?.startBatch ?? null).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(refused.errors![0]!.message).toContain("2 trades have value dates before today");
    expect(refused.errors![0]!.message).toContain("the first at row 3");

    const still = await batchOf(app, batch.id);
    expect(still).toMatchObject({ status: "PENDING", queuedAt: null, startedAt: null, processedTrades: 0 });
    const {
      rows: [untouched],
    } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND (status <> 'PENDING' OR attempts > 0)`, [batch.id]);
    expect(untouched.n).toBe(0);
    // Waiting does not sneak it into the runner's queue.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await batchOf(app, batch.id)).status).toBe("PENDING");

    // One trade left in the past: still refused, singular.
    await sql.query(`UPDATE trade SET value_date = $2::date WHERE batch_id = $1 AND row_number = 3`, [batch.id, utcDate(3)]);
    const one = await app.request(START, { id: batch.id });
    expect(one.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(one.errors?.[0]?.message).toContain("1 trade has a value date before today");
    expect(one.errors?.[0]?.message).toContain("the first at row 5");

    await sql.query(`UPDATE trade SET value_date = $2::date WHERE batch_id = $1 AND row_number = 5`, [batch.id, utcDate(0)]);
    const started = (await app.query<{ startBatch: BatchFields & { queuedAt: string | null } }>(START, { id: batch.id })).startBatch;
    expect(["PENDING", "RUNNING"]).toContain(started.status);
    const final = await finished(app, batch.id);
    expect(final.processedTrades).toBe(6);
    const {
      rows: [passed],
    } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND error_code = 'VALUE_DATE_PASSED'`, [batch.id]);
    expect(passed.n).toBe(0);
    await expectCountersEqualStatuses(sql, batch.id);
  });

  it("fails, without asking the bank, a trade whose value date passes after the start but before its quote", async () => {
    // One trade in flight at a time and a slow bank: most trades are still PENDING right after the start.
    const { app, sql } = await setup({ RUNNER_CONCURRENCY: "1", BANK_SIM_LATENCY_MS: "25" });
    const batch = await stage(app, datedCsv(30, utcDate(5)));
    await app.query(START, { id: batch.id });
    // A day passes for the trades not claimed yet.
    const moved = await sql.query(
      `UPDATE trade SET value_date = $2::date WHERE batch_id = $1 AND status = 'PENDING' AND row_number > 5 RETURNING id`,
      [batch.id, utcDate(-1)],
    );
    const passedIds = moved.rows.map((row) => row.id as string);
    expect(passedIds.length).toBeGreaterThanOrEqual(20);

    const final = await finished(app, batch.id);
    expect(["PARTIAL_SUCCESS", "FAILED"]).toContain(final.status);
    expect(final.processedTrades).toBe(30);

    const { rows: trades } = await sql.query(
      `SELECT id, status::text, error_code, attempts, quote_id, transaction_id FROM trade WHERE id = ANY($1::uuid[])`,
      [passedIds],
    );
    expect(trades).toHaveLength(passedIds.length);
    for (const trade of trades) {
      expect(trade, trade.id).toMatchObject({ status: "FAILED", error_code: "VALUE_DATE_PASSED", quote_id: null, transaction_id: null });
      expect(trade.attempts).toBe(1);
    }
    // The bank never heard of them: no quote was asked for under any of their keys, nothing booked.
    const {
      rows: [ledger],
    } = await sql.query(
      `SELECT (SELECT count(*)::int FROM bank_sim_quote q JOIN unnest($1::text[]) AS p(id) ON q.request_id LIKE p.id || ':%') AS quotes,
              (SELECT count(*)::int FROM bank_sim_booking b JOIN unnest($1::text[]) AS p(id) ON split_part(b.idempotency_key, ':', 1) = p.id) AS bookings`,
      [passedIds],
    );
    expect(ledger).toEqual({ quotes: 0, bookings: 0 });
    // The history says so too: one attempt, refused by the product.
    const { trade } = await app.query<{
      trade: { errorCode: string; history: { outcome: string; errorCode: string; quoteId: string | null }[] };
    }>(`query($id: ID!) { trade(id: $id) { errorCode history { outcome errorCode quoteId } } }`, { id: passedIds[0] });
    expect(trade.history).toEqual([{ outcome: "REFUSED", errorCode: "VALUE_DATE_PASSED", quoteId: null }]);

    // The others went to the bank as usual.
    const {
      rows: [others],
    } = await sql.query(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE error_code = 'VALUE_DATE_PASSED')::int AS passed,
              count(*) FILTER (WHERE EXISTS (SELECT 1 FROM bank_sim_quote q WHERE q.request_id LIKE t.id::text || ':%'))::int AS quoted
       FROM trade t WHERE batch_id = $1 AND NOT (id = ANY($2::uuid[]))`,
      [batch.id, passedIds],
    );
    expect(others.passed).toBe(0);
    expect(others.n).toBe(30 - passedIds.length);
    expect(others.quoted).toBeGreaterThan(0);
    await expectCountersEqualStatuses(sql, batch.id);
    expect(final.failedTrades).toBeGreaterThanOrEqual(passedIds.length);
  });
});
