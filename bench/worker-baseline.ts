/**
 * The runner's baseline from issue 9: graphile-worker running no-op jobs with its local queue
 * and batched completion, measured on this machine, beside the product's own run of the same
 * number of trades (bench/run.ts, as a child process) in the same run. The machine is shared:
 * compare the figures of one run with each other, never with another run's. Prints figures;
 * asserts nothing.
 *
 *   npx tsx bench/worker-baseline.ts                     # 100,000 jobs, then 100,000 trades
 *   BENCH_ROWS=20000 npx tsx bench/worker-baseline.ts
 *   BENCH_WORKER_CONCURRENCY=24 BENCH_WORKER_LOCAL_QUEUE=500 npx tsx bench/worker-baseline.ts
 *   BENCH_SKIP_PRODUCT=1 npx tsx bench/worker-baseline.ts   # graphile-worker only
 */
import { spawn } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Logger, makeWorkerUtils, run } from "graphile-worker";
import pg from "pg";
import { createEmptyDatabase } from "../packages/db/src/testing";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
/** Jobs at once; graphile-worker's performance page uses 24 (the product's runner keeps up to 256 bank calls in flight). */
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 24);
/** Jobs fetched (and locked) by one query; graphile-worker's performance page uses 500. */
const LOCAL_QUEUE = Number(process.env.BENCH_WORKER_LOCAL_QUEUE ?? 500);
/** Completions written together: 0 batches those made in the same tick, as the performance page does. */
const COMPLETE_BATCH_DELAY = Number(process.env.BENCH_WORKER_COMPLETE_BATCH_DELAY_MS ?? 0);
const ADD_CHUNK = 10_000;
const ROOT = fileURLToPath(new URL("..", import.meta.url));

const silent = new Logger(() => () => {});

async function graphileWorker(): Promise<{ addSeconds: number; runSeconds: number }> {
  const database = await createEmptyDatabase("fxbt_bench_worker");
  const pool = new pg.Pool({ connectionString: database.url, max: CONCURRENCY + 4 });
  // Dropping the database ends idle connections; that is not an error of the bench.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  try {
    const utils = await makeWorkerUtils({ pgPool: pool, logger: silent });
    await utils.migrate();

    let started = performance.now();
    for (let first = 0; first < ROWS; first += ADD_CHUNK) {
      const count = Math.min(ADD_CHUNK, ROWS - first);
      await utils.addJobs(Array.from({ length: count }, (_, i) => ({ identifier: "noop", payload: { n: first + i } })));
    }
    const addSeconds = (performance.now() - started) / 1000;

    let done = 0;
    started = performance.now();
    const runner = await run({
      pgPool: pool,
      logger: silent,
      concurrency: CONCURRENCY,
      noHandleSignals: true,
      parsedCronItems: [],
      taskList: {
        noop: async () => {
          done++;
        },
      },
      preset: {
        worker: {
          localQueue: { size: LOCAL_QUEUE },
          completeJobBatchDelay: COMPLETE_BATCH_DELAY,
          failJobBatchDelay: COMPLETE_BATCH_DELAY,
        },
      },
    });
    while (done < ROWS) await new Promise((resolve) => setTimeout(resolve, 5));
    // Done means the completions are committed: batched completion writes them a little later.
    while ((await pool.query("SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS left")).rows[0].left) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const runSeconds = (performance.now() - started) / 1000;
    await runner.stop();
    await runner.promise.catch(() => {});
    await utils.release();
    return { addSeconds, runSeconds };
  } finally {
    await pool.end().catch(() => {});
    await database.drop();
  }
}

/** bench/run.ts as a child process (its own database and API), its output passed on; its "run (latency 0)" figure. */
function productRun(): Promise<{ seconds: number; rate: number } | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["tsx", "bench/run.ts"], {
      cwd: ROOT,
      env: { ...process.env, BENCH_ROWS: String(ROWS) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      process.stdout.write(chunk.replace(/^(?=.)/gm, "  run.ts | "));
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (code !== 0) return reject(new Error(`bench/run.ts exited with ${code}`));
      const match = /run \(latency 0\):\s*([\d.]+) s\s+([\d,]+) trades\/s/.exec(output);
      resolve(match ? { seconds: Number(match[1]), rate: Number(match[2]!.replaceAll(",", "")) } : null);
    });
  });
}

async function main() {
  const worker = await graphileWorker();
  const workerRate = ROWS / worker.runSeconds;
  const product = process.env.BENCH_SKIP_PRODUCT ? null : await productRun();

  const n = (value: number) => Math.round(value).toLocaleString("en-US");
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  console.log(
    `graphile-worker setup: concurrency ${CONCURRENCY}, localQueue.size ${LOCAL_QUEUE}, completeJobBatchDelay ${COMPLETE_BATCH_DELAY} ms, ${n(ROWS)} jobs`,
  );
  console.log(
    `graphile-worker addJobs: ${worker.addSeconds.toFixed(2)} s  ${n(ROWS / worker.addSeconds)} jobs/s  (bulk, ${n(ADD_CHUNK)} a call)`,
  );
  console.log(`graphile-worker no-op:   ${worker.runSeconds.toFixed(2)} s  ${n(workerRate)} jobs/s  (until every completion is committed)`);
  if (product) {
    console.log(`product run (latency 0): ${product.seconds.toFixed(2)} s  ${n(product.rate)} trades/s`);
    console.log(`product ÷ graphile-worker: ${Math.round((product.rate / workerRate) * 100)}%  (target ≥ 40%)`);
  } else if (!process.env.BENCH_SKIP_PRODUCT) {
    console.log("product run: no 'run (latency 0)' line in bench/run.ts's output");
  }
}

await main();
