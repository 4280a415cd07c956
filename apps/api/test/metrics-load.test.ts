import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricsText, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Issue 9's metrics through /metrics (event-loop lag, the pools' wait times and sizes, the exports),
 * and the export pool's rule: one export connection here (EXPORT_MAX_CONCURRENT=1), so a second
 * export waits its turn, and one past EXPORT_MAX_QUEUED is answered 503 with Retry-After.
 */
let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, { EXPORT_MAX_CONCURRENT: "1", EXPORT_MAX_QUEUED: "1" });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The value of one sample of the exposition text (labels exactly as written), or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

const exportOf = (batchId: string) =>
  fetch(new URL(`/export/batches/${batchId}/trades.csv`, app.url), { headers: { authorization: `Bearer ${app.key}` } });

describe("metrics of the event loop, the database pools and the exports", () => {
  it("exposes event-loop lag, pool waits and sizes, and counts exports", async () => {
    const batch = await stage(app, tradesCsv(50));
    const response = await exportOf(batch.id);
    expect(response.status).toBe(200);
    expect((await response.text()).split("\r\n")).toHaveLength(52);

    const text = await metricsText(app);
    expect(sample(text, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0);
    expect(sample(text, "nodejs_eventloop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
    expect(text).toContain("# TYPE fxbt_db_pool_wait_seconds histogram");
    // The API's reads asked the main pool; the export asked its own.
    expect(sample(text, 'fxbt_db_pool_wait_seconds_count{pool="main"}')).toBeGreaterThan(0);
    expect(sample(text, 'fxbt_db_pool_wait_seconds_count{pool="export"}')).toBe(1);
    expect(sample(text, 'fxbt_db_pool_wait_seconds_bucket{le="+Inf",pool="export"}')).toBe(1);
    expect(sample(text, 'fxbt_db_pool_max_connections{pool="export"}')).toBe(1);
    expect(sample(text, 'fxbt_db_pool_max_connections{pool="main"}')).toBe(10);
    expect(sample(text, 'fxbt_db_pool_connections{pool="main"}')).toBeGreaterThan(0);
    expect(sample(text, 'fxbt_db_pool_idle_connections{pool="export"}')).toBe(1);
    expect(sample(text, 'fxbt_db_pool_waiting_requests{pool="export"}')).toBe(0);
    expect(sample(text, 'fxbt_csv_exports_total{outcome="completed"}')).toBe(1);
    expect(sample(text, 'fxbt_csv_exports{state="streaming"}')).toBe(0);
  });

  it("lets an export wait its turn for the export connection, and answers 503 + Retry-After past the queue's limit", async () => {
    const batch = await stage(app, tradesCsv(20));
    // Hold the one export connection, as a long export would.
    const held = await app.app.database.exportPool.connect();
    let released = false;
    try {
      let answered = false;
      const waiting = exportOf(batch.id).then((response) => {
        answered = true;
        return response;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(answered).toBe(false);
      const text = await metricsText(app);
      expect(sample(text, 'fxbt_csv_exports{state="waiting"}')).toBe(1);
      expect(sample(text, 'fxbt_db_pool_waiting_requests{pool="export"}')).toBe(1);
      // A second export finds the queue (of one) full.
      const refused = await exportOf(batch.id);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(JSON.parse(await refused.text()).errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");

      // The export is seen waiting above; held 300 ms more, its wait is at least that long however
      // late its request reached the pool (at load 20 it came within 250 ms of the release).
      await new Promise((resolve) => setTimeout(resolve, 300));
      held.release();
      released = true;
      const served = await waiting;
      expect(served.status).toBe(200);
      expect((await served.text()).split("\r\n")).toHaveLength(22);
    } finally {
      if (!released) held.release();
    }
    const text = await metricsText(app);
    expect(sample(text, 'fxbt_csv_exports_total{outcome="refused"}')).toBe(1);
    // The waiting export's wait was recorded: at least the 300 ms it was held back after it was seen waiting.
    expect(sample(text, 'fxbt_db_pool_wait_seconds_bucket{le="0.25",pool="export"}')).toBeLessThan(
      sample(text, 'fxbt_db_pool_wait_seconds_count{pool="export"}')!,
    );
  });
});
