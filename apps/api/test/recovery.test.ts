import { once } from "node:events";
import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createAdminKey, killApiProcesses, post, startApiProcess as startProcess } from "./api-process";
import { eventually, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv, whileProgressing } from "./harness";
import { expectLedgerAgrees, expectRollupMatchesAttempts } from "./ledger";

/** A direct connection to the current test's database, for checks the API does not expose (the bank's ledger). */
let sql: pg.Client;
const clients: pg.Client[] = [];
const databases: TestDatabase[] = [];
const apps: TestApp[] = [];

afterAll(async () => {
  await killApiProcesses();
  for (const client of clients) await client.end();
  for (const app of apps) await app.close();
  for (const db of databases) await db.drop();
});

async function newDatabase() {
  const db = await testDatabase();
  databases.push(db);
  sql = new pg.Client({ connectionString: db.url });
  clients.push(sql);
  await sql.connect();
  return db;
}

/** The built server (global-setup.ts builds it) on the test's database: killed processes run what ships. */
const startApiProcess = (databaseUrl: string, env: Record<string, string> = {}) => startProcess({ DATABASE_URL: databaseUrl, ...env });
const createKey = (databaseUrl: string) => createAdminKey({ DATABASE_URL: databaseUrl });

async function expectEveryTradeBookedAtMostOnce(batchId: string) {
  const {
    rows: [ledger],
  } = await sql.query(
    `SELECT count(*)::int AS bookings, count(DISTINCT split_part(b.idempotency_key, ':', 1))::int AS trades_booked,
            (SELECT count(*)::int FROM trade WHERE batch_id = $1 AND status = 'SUCCESS') AS succeeded
     FROM bank_sim_booking b JOIN trade t ON t.id::text = split_part(b.idempotency_key, ':', 1)
     WHERE t.batch_id = $1 AND b.transaction_id IS NOT NULL`,
    [batchId],
  );
  expect(ledger.bookings).toBe(ledger.trades_booked);
  expect(ledger.bookings).toBe(ledger.succeeded);
}

describe("a restart", () => {
  it("loses nothing and books no trade twice when the server is killed (SIGKILL) ten times mid-batch", async () => {
    const db = await newDatabase();
    const env = { RUNNER_LEASE_MS: "1000", RUNNER_POLL_INTERVAL_MS: "200", RUNNER_CONCURRENCY: "32" };
    const key = await createKey(db.url);
    let api = await startApiProcess(db.url, env);
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(
      api.url,
      key,
      `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) { batch { id } } }`,
      { csv: tradesCsv(3000, (i) => (i % 50 === 0 ? "1234567777" : "1234567890")) },
    );
    const batchId = stageBatch.batch.id;
    await post(api.url, key, START, { id: batchId });
    const progress = async () =>
      (await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND status IN ('SUCCESS', 'FAILED')`, [batchId])).rows[0]
        .n as number;

    const KILLS = 10;
    let kills = 0;
    let inDoubtAtKill = 0;
    for (; kills < KILLS; kills++) {
      const before = await progress();
      // A random moment once some work is done since the last start.
      await eventually(async () => (await progress()) > before + 20, 60_000).catch(async (error: Error) => {
        const { rows } = await sql.query(`SELECT status::text, count(*)::int AS n FROM trade WHERE batch_id = $1 GROUP BY 1`, [batchId]);
        throw new Error(`no progress after start ${kills + 1}: ${JSON.stringify(rows)}; API output: ${api.output().slice(-3000)}`, {
          cause: error,
        });
      });
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      api.child.kill("SIGKILL");
      await once(api.child, "exit");
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND status IN ('EXECUTING', 'QUOTED')`, [
        batchId,
      ]);
      inDoubtAtKill += rows[0].n;
      if ((await progress()) === 3000) break;
      // After the last kill the in-process app below finishes the batch, alone.
      if (kills + 1 < KILLS) api = await startApiProcess(db.url, env);
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(inDoubtAtKill).toBeGreaterThan(0);

    const restarted = await startTestApp(db.url, { RUNNER_LEASE_MS: "300", RUNNER_POLL_INTERVAL_MS: "100", BANK_SIM_LATENCY_MS: "5" });
    apps.push(restarted);
    // The ~2,700 trades left take 30 s at load 12: the wait ends on a stall, not on the machine's speed.
    const batch = await whileProgressing(async () => {
      const { batch } = await restarted.query<{
        batch: { status: string; completedAt: string | null; processedTrades: number; succeededTrades: number; failedTrades: number };
      }>(`query($id: ID!) { batch(id: $id) { status completedAt processedTrades succeededTrades failedTrades } }`, { id: batchId });
      return batch.completedAt ? batch : null;
    }, progress);
    expect(batch.processedTrades).toBe(3000);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(batch.status);
    const check = await expectLedgerAgrees(db.url, batchId);
    // Killed mid-statement or not, every answer is in the charts' rollup exactly once.
    expect((await expectRollupMatchesAttempts(db.url, batchId)).succeeded).toBe(check.booked);
    console.log(
      `SIGKILL: ${kills} kills, ${inDoubtAtKill} trades claimed or quoted at the kills; ${check.trades} trades checked, ` +
        `${check.booked} booked, violations: ${check.violations.length}`,
    );
    // Ten starts of the built server are most of it (6-10 s each at load 9-12, mostly loading modules), then the
    // finish. Measured 2026-11-28: 153 s at load 9-12 when the key came from the admin command (12 s of it); the old 240 s
    // limit failed at load 18-24. The final wait ends on a stall; each kill waits up to 60 s for 20 more trades.
  }, 480_000);
});

describe("a stop", () => {
  it("on SIGTERM finishes the trades in flight, leaves none claimed, and exits cleanly", async () => {
    const db = await newDatabase();
    // Within the 120 s default: 42 s at load 13-15 with the key from the admin command (21 s of it), one start of the
    // server (10 s at that load) and 3,000 trades staged are the rest.
    const key = await createKey(db.url);
    const api = await startApiProcess(db.url);
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(
      api.url,
      key,
      `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) { batch { id } } }`,
      { csv: tradesCsv(3000) },
    );
    await post(api.url, key, START, { id: stageBatch.batch.id });
    await eventually(async () => (await sql.query(`SELECT count(*)::int AS n FROM trade WHERE status = 'SUCCESS'`)).rows[0].n > 100);
    api.child.kill("SIGTERM");
    const [code] = await once(api.child, "exit");
    expect(code).toBe(0);
    const { rows } = await sql.query(`SELECT status::text, count(*)::int AS n FROM trade GROUP BY 1 ORDER BY 1`);
    const counts = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    expect(counts.EXECUTING).toBeUndefined();
    expect(counts.QUOTED).toBeUndefined();
    expect(counts.PENDING).toBeGreaterThan(0);
  });
});

describe("two instances on one database", () => {
  it("share one batch's trades without running any trade twice", async () => {
    const db = await newDatabase();
    const env = { RUNNER_POLL_INTERVAL_MS: "50", BANK_SIM_LATENCY_MS: "20", RUNNER_CONCURRENCY: "100" };
    const [one, two] = [await startTestApp(db.url, env), await startTestApp(db.url, env)];
    apps.push(one, two);
    const batch = await stage(one, tradesCsv(3000));
    await one.query(START, { id: batch.id });
    const final = await eventually(async () => {
      const { batch: b } = await two.query<{ batch: { completedAt: string | null; processedTrades: number } }>(
        `query($id: ID!) { batch(id: $id) { completedAt processedTrades } }`,
        { id: batch.id },
      );
      return b.completedAt ? b : null;
    }, 60_000);
    expect(final.processedTrades).toBe(3000);
    const [a, b] = [one.app.runner.stats.claimedTrades, two.app.runner.stats.claimedTrades];
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(a + b).toBe(3000);
    const {
      rows: [attempts],
    } = await sql.query(`SELECT max(attempts)::int AS max FROM trade WHERE batch_id = $1`, [batch.id]);
    expect(attempts.max).toBe(1);
    await expectEveryTradeBookedAtMostOnce(batch.id);
  });
});
