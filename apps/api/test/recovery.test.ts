import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { eventually, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

const API_DIR = fileURLToPath(new URL("..", import.meta.url));

/** A direct connection to the current test's database, for checks the API does not expose (the bank's ledger). */
let sql: pg.Client;
const clients: pg.Client[] = [];
const databases: TestDatabase[] = [];
const apps: TestApp[] = [];

afterAll(async () => {
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

/** The API as its own process, so it can be killed mid-run like a crashed server. */
async function startApiProcess(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  // node itself runs the server (tsx only as a loader), so SIGKILL reaches the server and not a wrapper.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", HOST: "127.0.0.1", BANK_SIM_LATENCY_MS: "100", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const ready = output.split("\n").find((line) => line.includes("API ready"));
      if (ready) resolve(JSON.parse(ready).url);
    });
    child.once("exit", (code) => reject(new Error(`API exited with ${code} before it was ready: ${output}`)));
  });
  return { child, url };
}

async function post<T>(url: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

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
  it("loses nothing and books no trade twice when the server is killed mid-batch", async () => {
    const db = await newDatabase();
    const crashing = await startApiProcess(db.url);
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(
      crashing.url,
      `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) { batch { id } } }`,
      { csv: tradesCsv(3000) },
    );
    const batchId = stageBatch.batch.id;
    await post(crashing.url, START, { id: batchId });
    await eventually(
      async () =>
        (await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND status = 'SUCCESS'`, [batchId])).rows[0].n > 300,
    );
    crashing.child.kill("SIGKILL");
    await once(crashing.child, "exit");

    const { rows: left } = await sql.query(
      `SELECT status::text, count(*)::int AS n FROM trade WHERE batch_id = $1 AND status IN ('PENDING','EXECUTING','QUOTED') GROUP BY 1`,
      [batchId],
    );
    expect(left.length).toBeGreaterThan(0);

    const restarted = await startTestApp(db.url, { RUNNER_LEASE_MS: "300", RUNNER_POLL_INTERVAL_MS: "100", BANK_SIM_LATENCY_MS: "5" });
    apps.push(restarted);
    const batch = await eventually(async () => {
      const { batch } = await restarted.query<{
        batch: { status: string; completedAt: string | null; processedTrades: number; succeededTrades: number; failedTrades: number };
      }>(`query($id: ID!) { batch(id: $id) { status completedAt processedTrades succeededTrades failedTrades } }`, { id: batchId });
      return batch.completedAt ? batch : null;
    }, 60_000);
    expect(batch.processedTrades).toBe(3000);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(batch.status);
    const {
      rows: [counts],
    } = await sql.query(
      `SELECT count(*) FILTER (WHERE status = 'SUCCESS')::int AS s, count(*) FILTER (WHERE status = 'FAILED')::int AS f FROM trade WHERE batch_id = $1`,
      [batchId],
    );
    expect(counts).toEqual({ s: batch.succeededTrades, f: batch.failedTrades });
    expect(restarted.app.runner.stats.releasedClaims + restarted.app.runner.stats.resentBookings).toBeGreaterThan(0);
    await expectEveryTradeBookedAtMostOnce(batchId);
  });
});

describe("a stop", () => {
  it("on SIGTERM finishes the trades in flight, leaves none claimed, and exits cleanly", async () => {
    const db = await newDatabase();
    const api = await startApiProcess(db.url);
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(
      api.url,
      `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) { batch { id } } }`,
      { csv: tradesCsv(3000) },
    );
    await post(api.url, START, { id: stageBatch.batch.id });
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
