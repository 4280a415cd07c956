/**
 * Issue 9: 45 concurrent CSV exports of a 20,000-trade batch against the product's API, with
 * the longest event-loop stall of the API's thread (monitorEventLoopDelay) and /health's p50/p99
 * during the exports, beside a baseline in the same run: /health with no exports. The exports
 * and the /health polls are made from a worker thread (an event loop of its own), so the API's
 * loop measures the API alone. Prints figures; asserts nothing.
 *
 *   npx tsx bench/export-load.ts
 *   BENCH_EXPORT_ROWS=20000 BENCH_EXPORTS=45 npx tsx bench/export-load.ts
 */

import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { observePoolWaits } from "@fxbt/db";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { pino } from "pino";
import { startApp } from "../apps/api/src/app";
import { configFromEnv } from "../apps/api/src/config";
import { AccessService } from "../apps/api/src/services/access";
import { createMigratedDatabase } from "../packages/db/src/testing";

const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 20_000);
const EXPORTS = Number(process.env.BENCH_EXPORTS ?? 45);
const BASELINE_MS = 5_000;

function benchCsv(rows: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++) {
    lines.push(`C-${i % 500},Client ${i % 500},${String(1_000_000_000 + i)},ZAR,USD,BUY,${100 + (i % 90_000)}.25,,BENCH-${i}`);
  }
  return lines.join("\n");
}

/** The load generator, in a worker thread: /health polled one after another, and (unless baseline) the exports at once. */
const LOAD = `
const { parentPort, workerData } = require("node:worker_threads");
const { origin, key, batchId, exports, baselineMs } = workerData;
(async () => {
  const latencies = [];
  let running = true;
  const polling = (async () => {
    while (running) {
      const asked = performance.now();
      const response = await fetch(origin + "/health");
      await response.text();
      latencies.push(performance.now() - asked);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const started = performance.now();
  let bytes = 0;
  const statuses = {};
  if (exports === 0) {
    await new Promise((resolve) => setTimeout(resolve, baselineMs));
  } else {
    await Promise.all(Array.from({ length: exports }, async () => {
      const response = await fetch(origin + "/export/batches/" + batchId + "/trades.csv", { headers: { authorization: "Bearer " + key } });
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      for await (const chunk of response.body) bytes += chunk.length;
    }));
  }
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await polling;
  parentPort.postMessage({ latencies, seconds, bytes, statuses });
})();
`;

interface LoadResult {
  latencies: number[];
  seconds: number;
  bytes: number;
  statuses: Record<string, number>;
}

function runLoad(data: { origin: string; key: string; batchId: string; exports: number; baselineMs: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD, { eval: true, workerData: data });
    worker.once("message", (result: LoadResult) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(1)} ms`;

async function main() {
  const database = await createMigratedDatabase("fxbt_bench_export");
  const app = await startApp(
    configFromEnv({
      ...process.env,
      DATABASE_URL: database.url,
      PORT: "0",
      HOST: "127.0.0.1",
      MAX_CSV_ROWS: String(ROWS),
      // The bench asks as fast as it likes: the rate limits are for people and partners.
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    }),
    { log: pino({ level: "warn" }), terminal: null },
  );
  const actor = { kind: null, id: null, name: "bench", address: null };
  const { key } = await new AccessService(app.database).createApiKey(actor, { role: "TRADER", name: "bench export" });
  const poolWaits = { main: 0, export: 0 };
  observePoolWaits((seconds, pool) => {
    poolWaits[pool] = Math.max(poolWaits[pool], seconds);
  });
  try {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({
        query: `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } errors { message } } }`,
        variables: { csv: benchCsv(ROWS) },
      }),
    });
    const staged = (await response.json()) as { data?: { stageBatch: { batch: { id: string } | null } } };
    const batchId = staged.data?.stageBatch.batch?.id;
    if (!batchId) throw new Error(`staging failed: ${JSON.stringify(staged).slice(0, 300)}`);
    const origin = new URL(app.url).origin;

    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const baseline = await runLoad({ origin, key, batchId, exports: 0, baselineMs: BASELINE_MS });
    const baselineStall = loop.max / 1e6;
    loop.reset();
    poolWaits.main = 0;
    poolWaits.export = 0;
    const load = await runLoad({ origin, key, batchId, exports: EXPORTS, baselineMs: 0 });
    const stall = loop.max / 1e6;
    const loopP99 = loop.percentile(99) / 1e6;
    loop.disable();

    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `exports: ${EXPORTS} concurrent of ${ROWS.toLocaleString("en-US")} trades, export pool ${app.database.exportPool.options.max} connections`,
    );
    console.log(
      `baseline (no exports, ${BASELINE_MS / 1000} s): /health p50 ${ms(quantile(baseline.latencies, 0.5))}, p99 ${ms(quantile(baseline.latencies, 0.99))} ` +
        `(${baseline.latencies.length} polls); max event-loop stall ${ms(baselineStall)}`,
    );
    console.log(
      `during exports: total ${load.seconds.toFixed(2)} s for ${(load.bytes / 2 ** 20).toFixed(1)} MiB (statuses ${JSON.stringify(load.statuses)}); ` +
        `max event-loop stall ${ms(stall)} (p99 ${ms(loopP99)}); /health p50 ${ms(quantile(load.latencies, 0.5))}, ` +
        `p99 ${ms(quantile(load.latencies, 0.99))}, max ${ms(Math.max(...load.latencies))} (${load.latencies.length} polls)`,
    );
    console.log(`longest pool wait during exports: main ${ms(poolWaits.main * 1000)}, export ${ms(poolWaits.export * 1000)}`);
  } finally {
    await app.close();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
