import { createHash } from "node:crypto";
import { pageBatchTrades } from "@fxbt/db";
import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESULTS_CSV_HEADER, resultsCsvLine } from "../src/services/results-export";
import { finishedBatch, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Issue 9: many exports of a large batch at once, beside a running batch. Correctness only
 * (complete, identical CSVs; /health answers; the runner finishes): the speed is bench/export-load.ts's.
 */
const EXPORTED_TRADES = 20_000;
const CONCURRENT_EXPORTS = 45;
const RUNNING_TRADES = 300;

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, {
    BANK_SIM_LATENCY_MS: "10",
    RUNNER_CONCURRENCY: "16",
    BANK_SIM_SUCCESS_RATE: "0.9",
    BANK_SIM_SEED: "export-load",
  });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** What the export of a batch must be: its header, then every trade read page by page through Prisma. */
async function expectedCsv(batchId: string): Promise<string> {
  let text = RESULTS_CSV_HEADER;
  let after: { rowNumber: number; id: string } | null = null;
  for (;;) {
    const rows = await pageBatchTrades(app.app.database.prisma, batchId, { limit: 5_000, after });
    const last = rows.at(-1);
    if (!last) return text;
    for (const row of rows) text += resultsCsvLine(row);
    after = { rowNumber: last.rowNumber ?? 0, id: last.id };
  }
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

async function exportCsv(batchId: string): Promise<{ status: number; lines: number; header: string; sha: string }> {
  const url = new URL(`/export/batches/${batchId}/trades.csv`, app.url);
  const response = await fetch(url, { headers: { authorization: `Bearer ${app.key}` } });
  const text = await response.text();
  const lines = text.split("\r\n");
  return { status: response.status, lines: lines.length, header: lines[0]!, sha: sha(text) };
}

describe("45 concurrent exports of a 20,000-trade batch", () => {
  it("all complete with the same full CSV while /health answers every poll and a batch runs to its end", async () => {
    const exported = await stage(
      app,
      tradesCsv(EXPORTED_TRADES, (i) => (i % 50 === 0 ? "1000009999" : "1234567890")),
      { name: "exported" },
    );
    const expectedSha = sha(await expectedCsv(exported.id));
    const running = await stage(app, tradesCsv(RUNNING_TRADES), { name: "running" });
    await app.query(START, { id: running.id });

    const healthUrl = new URL("/health", app.url);
    const latencies: number[] = [];
    const failures: string[] = [];
    let exporting = true;
    const polling = (async () => {
      while (exporting) {
        const asked = performance.now();
        try {
          const response = await fetch(healthUrl);
          if (response.status !== 200) failures.push(`status ${response.status}`);
          await response.text();
        } catch (error) {
          failures.push(String(error));
        }
        latencies.push(performance.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const started = performance.now();
    const exports = await Promise.all(Array.from({ length: CONCURRENT_EXPORTS }, () => exportCsv(exported.id))).finally(() => {
      exporting = false;
    });
    const exportSeconds = (performance.now() - started) / 1000;
    await polling;

    for (const result of exports) {
      expect(result.status).toBe(200);
      // The header, one line per trade, and the empty string after the last CRLF.
      expect(result.lines).toBe(EXPORTED_TRADES + 2);
      expect(`${result.header}\r\n`).toBe(RESULTS_CSV_HEADER);
      expect(result.sha).toBe(expectedSha);
    }
    expect(failures).toEqual([]);
    expect(latencies.length).toBeGreaterThan(3);
    // Generous: the old export stalled /health for seconds on this machine; timings belong to the bench.
    expect(Math.max(...latencies)).toBeLessThan(5_000);

    // The runner was not starved: the running batch finishes, and its export, outcomes included, is exact.
    const final = await finishedBatch(app, running.id, 120_000);
    expect(final.processedTrades).toBe(RUNNING_TRADES);
    const ranExport = await exportCsv(running.id);
    expect(ranExport.sha).toBe(sha(await expectedCsv(running.id)));

    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(0);
    console.log(
      `export load: ${CONCURRENT_EXPORTS} exports of ${EXPORTED_TRADES} trades in ${exportSeconds.toFixed(1)} s; ` +
        `/health polled ${latencies.length} times, p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    // The exports are the work checked here, and it is CPU: 900,000 rows read and formatted on the API's one thread (the
    // staging of the 20,000 trades 13 s, the rest under 10 s). Measured 2026-11-28 on 2 cores: 179 s (exports 156 s) at
    // load 14-16, 190 s (161 s) at load 12-20; the old 240 s limit failed at load 18-24. 600 s is three times the loaded
    // figure: it catches a hang, not a busy machine.
  }, 600_000);
});
