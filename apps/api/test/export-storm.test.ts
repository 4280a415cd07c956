import type { TestDatabase } from "@fxbt/db/testing";
import { FINAL_BATCH_STATUSES } from "@fxbt/domain";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BatchFields,
  finishedBatch,
  RETRY,
  readBatch,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";

/** The domain's final statuses, as strings the API returns. */
const FINAL: readonly string[] = FINAL_BATCH_STATUSES;
/**
 * Modest sizes: the exports run in the API's process, beside the runner, and thirty at once slow
 * it to a few trades a second on a busy 2-core machine (event-loop lag above a second), so the
 * full-size storm (EXPORT_STORM_EXPORTED=10000 EXPORT_STORM_RUNNING=5000) takes many minutes there.
 */
const EXPORTED_TRADES = Number(process.env.EXPORT_STORM_EXPORTED ?? 1_000);
const RUNNING_TRADES = Number(process.env.EXPORT_STORM_RUNNING ?? 150);
const CONCURRENT_EXPORTS = 30;

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;
/** The app's warnings and errors, counted by message: what the storm cost the runner. */
const warnings = new Map<string, number>();
const log = pino(
  { level: "warn" },
  {
    write(line: string) {
      const entry = JSON.parse(line) as { msg: string; err?: { message?: string } };
      // An error's message, last line (Prisma's start with the call site): "deadlock detected", a timeout…
      const cause = entry.err?.message?.trim().split("\n").at(-1)?.slice(0, 120);
      const msg = cause ? `${entry.msg}: ${cause}` : entry.msg;
      warnings.set(msg, (warnings.get(msg) ?? 0) + 1);
    },
  },
);

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(
    db.url,
    {
      BANK_SIM_LATENCY_MS: "20",
      RUNNER_CONCURRENCY: "64",
      BANK_SIM_SUCCESS_RATE: "0.85",
      BANK_SIM_SEED: "export-storm",
    },
    { log },
  );
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

const batchOf = (id: string) => readBatch(app, id);
const finished = (id: string, timeoutMs = 90_000) => finishedBatch(app, id, timeoutMs);

/** Mostly ordinary accounts, with some whose first booking answer is lost (…7777) and some refused at booking (…8888). */
const accounts = (i: number) => (i % 40 === 0 ? "1234567777" : i % 45 === 0 ? "1234568888" : "1234567890");

/** Violations of money's invariants across the given batches, from the bank's ledger and the trades. */
async function ledgerViolations(batchIds: string[]) {
  const {
    rows: [violations],
  } = await sql.query(
    `WITH booked AS (
       SELECT t.id AS trade_id, k.idempotency_key, k.transaction_id
       FROM bank_sim_booking k JOIN trade t ON split_part(k.idempotency_key, ':', 1) = t.id::text
       WHERE t.batch_id = ANY($1::uuid[]) AND k.transaction_id IS NOT NULL)
     SELECT
       (SELECT count(DISTINCT t.id)::int FROM trade t JOIN booked b ON b.trade_id = t.id WHERE t.status = 'FAILED') AS booked_but_failed,
       (SELECT count(*)::int FROM (SELECT trade_id FROM booked GROUP BY trade_id HAVING count(*) > 1) twice) AS booked_twice,
       (SELECT count(*)::int FROM trade t WHERE t.batch_id = ANY($1::uuid[]) AND t.status = 'SUCCESS'
          AND NOT EXISTS (SELECT 1 FROM booked b WHERE b.idempotency_key = t.idempotency_key AND b.transaction_id = t.transaction_id))
         AS success_without_its_booking,
       (SELECT count(*)::int FROM booked b JOIN trade t ON t.id = b.trade_id WHERE t.status <> 'SUCCESS') AS booked_not_success`,
    [batchIds],
  );
  return violations;
}

async function counterMismatches(batchIds: string[]) {
  const { rows } = await sql.query(
    `SELECT b.batch_uid, b.succeeded_trades, b.failed_trades, b.cancelled_trades,
            count(*) FILTER (WHERE t.status = 'SUCCESS')::int AS success_rows, count(*) FILTER (WHERE t.status = 'FAILED')::int AS failed_rows,
            count(*) FILTER (WHERE t.status = 'CANCELLED')::int AS cancelled_rows
     FROM batch b JOIN trade t ON t.batch_id = b.id WHERE b.id = ANY($1::uuid[]) GROUP BY b.id`,
    [batchIds],
  );
  return rows.filter(
    (row) =>
      row.succeeded_trades !== row.success_rows || row.failed_trades !== row.failed_rows || row.cancelled_trades !== row.cancelled_rows,
  );
}

describe("exports while a batch runs", () => {
  it("serves storms of results exports of a large batch while another runs and is retried, and money stays exact", async () => {
    const exported = await stage(app, tradesCsv(EXPORTED_TRADES, accounts), { name: "exported" });
    await app.query(START, { id: exported.id });
    const exportedFinal = await finished(exported.id);
    expect(exportedFinal.processedTrades).toBe(EXPORTED_TRADES);

    const origin = new URL(app.url).origin;
    const exportUrl = `${origin}/export/batches/${exported.id}/trades.csv`;
    const exportOnce = async () => {
      const response = await fetch(exportUrl, { headers: { authorization: `Bearer ${app.key}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
      const text = await response.text();
      const lines = text.split("\r\n");
      // The header, one line per trade, and the empty string after the last CRLF.
      expect(lines).toHaveLength(EXPORTED_TRADES + 2);
      expect(lines[0]!.startsWith("row,client_id,")).toBe(true);
      expect(lines.at(-1)).toBe("");
      return text.length;
    };
    const firstExport = await exportOnce();

    const running = await stage(app, tradesCsv(RUNNING_TRADES, accounts), { name: "running" });
    const started = Date.now();
    await app.query(START, { id: running.id });
    let served = 0;
    let rounds = 0;
    let runningFinal: BatchFields | null = null;
    while (!runningFinal) {
      const sizes = await Promise.all(Array.from({ length: CONCURRENT_EXPORTS }, exportOnce));
      for (const size of sizes) expect(size).toBe(firstExport);
      served += sizes.length;
      rounds++;
      const current = await batchOf(running.id);
      if (FINAL.includes(current.status)) runningFinal = current;
      expect(Date.now() - started, "the running batch did not finish in time").toBeLessThan(120_000);
    }
    const runSeconds = (Date.now() - started) / 1000;
    expect(runningFinal.processedTrades).toBe(RUNNING_TRADES);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(runningFinal.status);
    expect(await counterMismatches([exported.id, running.id])).toEqual([]);
    expect(await ledgerViolations([exported.id, running.id])).toEqual({
      booked_but_failed: 0,
      booked_twice: 0,
      success_without_its_booking: 0,
      booked_not_success: 0,
    });

    // Its failed trades run again; the invariants hold across both attempts.
    expect(runningFinal.failedTrades).toBeGreaterThan(0);
    const retried = (await app.query<{ retryFailedTrades: BatchFields }>(RETRY, { id: running.id })).retryFailedTrades;
    expect(retried.failedTrades).toBe(0);
    const afterRetry = await finished(running.id);
    expect(afterRetry.processedTrades).toBe(RUNNING_TRADES);
    expect(afterRetry.succeededTrades).toBeGreaterThan(runningFinal.succeededTrades);
    expect(await counterMismatches([exported.id, running.id])).toEqual([]);
    expect(await ledgerViolations([exported.id, running.id])).toEqual({
      booked_but_failed: 0,
      booked_twice: 0,
      success_without_its_booking: 0,
      booked_not_success: 0,
    });
    const {
      rows: [attempts],
    } = await sql.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCESS' AND transaction_id IS NULL)::int AS unbooked_success,
              count(*) FILTER (WHERE status NOT IN ('SUCCESS', 'FAILED'))::int AS unfinished
       FROM trade WHERE batch_id = $1`,
      [running.id],
    );
    expect(attempts).toEqual({ unbooked_success: 0, unfinished: 0 });

    // The exported batch was only read: its export is what it was before the storm.
    expect(await exportOnce()).toBe(firstExport);
    console.log(
      `export storm: ${served} exports of ${EXPORTED_TRADES} trades served in ${rounds} rounds of ${CONCURRENT_EXPORTS} while ` +
        `${RUNNING_TRADES} trades ran in ${runSeconds.toFixed(1)} s (${runningFinal.status}: ${runningFinal.succeededTrades} booked, ` +
        `${runningFinal.failedTrades} failed; after the retry ${afterRetry.succeededTrades} booked, ${afterRetry.failedTrades} failed); ` +
        `the app's warnings: ${JSON.stringify(Object.fromEntries(warnings))}`,
    );
  }, 170_000);
});
