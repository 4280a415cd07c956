import { createHash } from "node:crypto";
import { connectDatabase, type Database, TRADE_ATTEMPT_COLUMN_NAMES, TRADE_COLUMN_NAMES } from "@fxbt/db";
import { insertFinishedBatch } from "@fxbt/db/testing";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Archival } from "../src/services/archival";
import { readSample, stage, startTestApp, type TestApp, testDatabase } from "./harness";
import { runCommand } from "./run-command";

/**
 * The archival run over 50,000 old trades (SQL fixtures, not the bank): stopped after its third
 * chunk as a crash would stop it, then run again by two instances at once. Nothing may be lost,
 * changed or doubled: every trade and attempt row is compared byte for byte (an md5 over both
 * tables), the audit records are all still there, and the API reads the batch as before.
 */

const TRADES = 50_000;
const CHUNK = 5_000;

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
let pool: pg.Pool;
let other: Database;

beforeAll(async () => {
  db = await testDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  app = await startTestApp(db.url, { ARCHIVE_INTERVAL_MS: "0", ARCHIVE_CHUNK_SIZE: String(CHUNK) });
  other = connectDatabase({ url: db.url, maxConnections: 2 });
});

afterAll(async () => {
  await other?.close();
  await pool?.end();
  await app?.close();
  await db?.drop();
});

/** The tables' columns by name: their physical orders differ (columns were added to trade over time). */
const T = TRADE_COLUMN_NAMES;
const A = TRADE_ATTEMPT_COLUMN_NAMES;

/** Every trade and attempt of the batches, wherever they are, as one fingerprint, with the counts and exact sums. */
async function ledger(batchIds: string[]) {
  const { rows } = await pool.query(
    `WITH trades AS (
            SELECT t::text AS row, t.* FROM (SELECT ${T} FROM trade UNION ALL SELECT ${T} FROM trade_archive) t WHERE batch_id = ANY($1::uuid[])),
          attempts AS (
            SELECT a::text AS row, a.* FROM (SELECT ${A} FROM trade_attempt UNION ALL SELECT ${A} FROM trade_attempt_archive) a
            WHERE trade_id IN (SELECT id FROM trades))
     SELECT (SELECT count(*)::int FROM trades) AS trades, (SELECT count(DISTINCT id)::int FROM trades) AS distinct_trades,
            (SELECT count(*)::int FROM trades WHERE status = 'SUCCESS') AS booked,
            (SELECT sum(amount)::text FROM trades) AS amount, (SELECT sum(sell_amount)::text FROM trades WHERE status = 'SUCCESS') AS sold,
            (SELECT md5(string_agg(row, '|' ORDER BY id)) FROM trades) AS trades_md5,
            (SELECT count(*)::int FROM attempts) AS attempts,
            (SELECT md5(string_agg(row, '|' ORDER BY trade_id, number)) FROM attempts) AS attempts_md5,
            (SELECT count(*)::int FROM audit_event WHERE batch_id = ANY($1::uuid[]) AND action <> 'ARCHIVE_BATCH') AS audit`,
    [batchIds],
  );
  return rows[0];
}

async function sides(batchId: string) {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*)::int FROM trade WHERE batch_id = $1) AS hot, (SELECT count(*)::int FROM trade_archive WHERE batch_id = $1) AS archived,
            (SELECT archived_at IS NOT NULL FROM batch WHERE id = $1) AS flagged`,
    [batchId],
  );
  return rows[0];
}

const RESULTS = `query($id: ID!) { batchResults(id: $id) { succeededTrades failedTrades totalsByCurrency { currency amount } errorsByCode { errorCode count } } }`;
const PAGE = `query($id: ID!) { batch(id: $id) { archived trades(first: 100) { totalCount edges { node { id rowNumber status } } } } }`;

async function exported(id: string): Promise<string> {
  const { batch } = await app.query<{ batch: { resultsCsvPath: string } }>(`query($id: ID!) { batch(id: $id) { resultsCsvPath } }`, { id });
  const response = await fetch(new URL(batch.resultsCsvPath, app.url), { headers: { authorization: `Bearer ${app.key}` } });
  return createHash("sha256")
    .update(await response.text())
    .digest("hex");
}

describe("archival over 50,000 trades", () => {
  it("stopped after a chunk and run again by two instances at once, it loses, changes and doubles nothing", async () => {
    const filled = Date.now();
    const big = await insertFinishedBatch(pool, { trades: TRADES, completedDaysAgo: 120, name: "big and old" });
    const failedOld = await insertFinishedBatch(pool, { trades: 40, completedDaysAgo: 95, allFailed: true });
    const recent = await insertFinishedBatch(pool, { trades: 30, completedDaysAgo: 10 });
    const staleStaged = await stage(app, readSample("trades-small.csv"), { name: "stale" });
    const freshStaged = await stage(app, readSample("trades-small.csv"), { name: "fresh" });
    await pool.query(`UPDATE batch SET created_at = now() - interval '31 days' WHERE id = $1`, [staleStaged.id]);
    const fillMs = Date.now() - filled;
    const all = [big.id, failedOld.id, recent.id];
    const before = await ledger(all);
    expect(before).toMatchObject({ trades: TRADES + 70, distinct_trades: TRADES + 70, attempts: TRADES + 70 + 5_000 + 4 + 3 });
    const resultsBefore = await app.query(RESULTS, { id: big.id });
    const csvBefore = await exported(big.id);

    // The first run stops after its third chunk of the big batch, as if the process died there.
    const crash = app.app.archival.run({
      afterChunk: ({ batchId }) => {
        if (batchId === big.id && ++chunks === 3) throw new Error("killed after chunk 3");
      },
    });
    let chunks = 0;
    await expect(crash).rejects.toThrow("killed after chunk 3");
    expect(await sides(big.id)).toEqual({ hot: TRADES - 3 * CHUNK, archived: 3 * CHUNK, flagged: true });
    // Half moved, the batch reads whole: every trade once, the same results.
    expect(await ledger(all)).toEqual(before);
    const half = await app.query<{
      batch: { archived: boolean; trades: { totalCount: number; edges: { node: { rowNumber: number } }[] } };
    }>(PAGE, { id: big.id });
    expect(half.batch.archived).toBe(true);
    expect(half.batch.trades.totalCount).toBe(TRADES);
    expect(half.batch.trades.edges.map((edge) => edge.node.rowNumber)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(await app.query(RESULTS, { id: big.id })).toEqual(resultsBefore);

    const leftOfFailedOld = (await sides(failedOld.id)).hot as number;
    // Two instances run it again at once: one works, the other finds the lock taken (or nothing left).
    const second = new Archival({ database: other, log: pino({ level: "silent" }), options: { chunkSize: CHUNK } });
    const [a, b] = await Promise.all([app.app.archival.run(), second.run()]);
    expect([a.skipped, b.skipped]).toContain(false);
    // The small old batch moved before the crash or after, by the order the run took them.
    expect(a.movedTrades + b.movedTrades).toBe(TRADES - 3 * CHUNK + leftOfFailedOld);
    const worked = a.skipped ? b : a;
    console.info(
      `archival of ${TRADES} trades in chunks of ${CHUNK}: fixture ${fillMs} ms; rerun moved ${worked.movedTrades} trades and ` +
        `${worked.movedAttempts} attempts in ${worked.durationMs} ms`,
    );

    expect(await sides(big.id)).toEqual({ hot: 0, archived: TRADES, flagged: true });
    expect(await sides(failedOld.id)).toEqual({ hot: 0, archived: 40, flagged: true });
    expect(await sides(recent.id)).toEqual({ hot: 30, archived: 0, flagged: false });
    expect(await ledger(all)).toEqual(before);
    expect(await app.query(RESULTS, { id: big.id })).toEqual(resultsBefore);
    expect(await exported(big.id)).toBe(csvBefore);
    const { rows: audit } = await pool.query(
      `SELECT batch_id::text AS id, action, actor FROM audit_event WHERE action IN ('ARCHIVE_BATCH', 'DELETE_BATCH') ORDER BY id`,
    );
    const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
    expect(audit.sort(byId)).toEqual(
      [
        { id: big.id, action: "ARCHIVE_BATCH", actor: "archival" },
        { id: failedOld.id, action: "ARCHIVE_BATCH", actor: "archival" },
        { id: staleStaged.id, action: "DELETE_BATCH", actor: "archival" },
      ].sort(byId),
    );

    // The staged batch never started is gone after its 30 days; the fresh one stays.
    expect((await app.query<{ batch: unknown }>(`query($id: ID!) { batch(id: $id) { id } }`, { id: staleStaged.id })).batch).toBeNull();
    expect((await app.query<{ batch: unknown }>(`query($id: ID!) { batch(id: $id) { id } }`, { id: freshStaged.id })).batch).not.toBeNull();
  }, 300_000);
});

describe("npm run admin -- archive", () => {
  it("archives finished batches older than --older-than-days now, logging its progress, and refuses a bad number", async () => {
    const batch = await insertFinishedBatch(pool, { trades: 12, completedDaysAgo: 0.01 });
    // With 0 days every finished batch not archived yet is due (the other test's recent one too, when it ran).
    const { rows: due } = await pool.query(
      `SELECT count(*)::int AS batches, coalesce(sum(total_trades), 0)::int AS trades,
              (SELECT count(*)::int FROM trade_attempt a JOIN trade t ON t.id = a.trade_id JOIN batch b ON b.id = t.batch_id
               WHERE b.archived_at IS NULL AND b.completed_at IS NOT NULL) AS attempts
       FROM batch WHERE archived_at IS NULL AND completed_at IS NOT NULL`,
    );
    expect(due[0].batches).toBeGreaterThanOrEqual(1);
    // The refusal, decided before the command opens the database, runs beside the archival: two
    // processes at once wait for their share of a busy machine's cores together, not one after the other.
    const [run, bad] = await Promise.all([admin(["archive", "--older-than-days", "0"]), admin(["archive", "--older-than-days", "-3"])]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({
      skipped: false,
      archivedBatches: due[0].batches,
      movedTrades: due[0].trades,
      movedAttempts: due[0].attempts,
    });
    expect(run.stderr).toContain('"msg":"archived a chunk"');
    expect(run.stderr).toContain('"msg":"archival finished"');
    expect(await sides(batch.id)).toEqual({ hot: 0, archived: 12, flagged: true });

    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--older-than-days <days>' argument '-3' is invalid. must be a whole number of days, 0 or more");
  }, 120_000);
});

/** The admin command as an operator runs it, with the test database as DATABASE_URL. */
const admin = (args: string[]) => runCommand("npm", ["run", "-s", "admin", "--", ...args], { DATABASE_URL: db.url, LOG_LEVEL: "info" });
