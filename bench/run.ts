/**
 * Staging and running a 100,000-trade batch against PostgreSQL, through the product's
 * public API, beside PostgreSQL's COPY of the same rows into the same table (the
 * ceiling for staging). Prints figures; asserts nothing.
 *
 *   npm run bench                       # 100,000 rows on 127.0.0.1:5432
 *   BENCH_ROWS=20000 npm run bench
 *   BENCH_BATCHES=4 npx tsx bench/run.ts     # the same rows as 4 batches run at once
 *   TEST_DATABASE_ADMIN_URL=postgresql://… npm run bench   # another server (its databases are made there)
 */

import { randomUUID } from "node:crypto";
import os from "node:os";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { pino } from "pino";
import { startApp } from "../apps/api/src/app";
import { configFromEnv, eventBusKind } from "../apps/api/src/config";
import { AccessService } from "../apps/api/src/services/access";
import { createMigratedDatabase } from "../packages/db/src/testing";
import { graphqlClient } from "./lib/graphql";
import { databaseWork, workPerTrade } from "./lib/proc";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
/**
 * The rows staged as this many batches of (about) equal size, all started at once. Each move of a
 * batch's trades takes its batch row (it numbers the batch's events in commit order), so one
 * batch's moves run one at a time; several batches show what that costs (README, "What bounds the runner").
 */
const BATCHES = Number(process.env.BENCH_BATCHES ?? 1);
const CURRENCIES = [
  ["ZAR", "USD"],
  ["USD", "EUR"],
  ["GBP", "JPY"],
  ["EUR", "CHF"],
  ["AUD", "NZD"],
] as const;

function benchCsv(rows: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++) {
    const [sell, buy] = CURRENCIES[i % CURRENCIES.length]!;
    const direction = i % 2 ? "BUY" : "SELL";
    const amount =
      buy === "JPY" && direction === "BUY" ? `${1000 + (i % 5000)}` : `${100 + (i % 90_000)}.${String(i % 100).padStart(2, "0")}`;
    lines.push(`C-${i % 500},Client ${i % 500},${String(1_000_000_000 + i)},${sell},${buy},${direction},${amount},,BENCH-${i}`);
  }
  return lines.join("\n");
}

/** COPY of the same trades into the trade table: what PostgreSQL alone needs to store them. */
async function copyCeiling(databaseUrl: string, csv: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const batchId = randomUUID();
    await client.query(`INSERT INTO batch (id, batch_uid, total_trades) VALUES ($1, 'B-COPY-0001', $2)`, [batchId, ROWS]);
    const body = csv
      .split("\n")
      .slice(1)
      .map((line, index) => {
        const c = line.split(",");
        return `${randomUUID()},${batchId},${index + 1},${c[0]},${c[1]},${c[2]},${c[3]},${c[4]},${c[5]},${c[6]},,${c[8]}\n`;
      });
    const started = performance.now();
    await client.query("BEGIN");
    await pipeline(
      Readable.from(body),
      client.query(
        copyFrom(`COPY trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency,
        buy_currency, direction, amount, value_date, reference) FROM STDIN WITH (FORMAT csv)`),
      ),
    );
    await client.query("COMMIT");
    const seconds = (performance.now() - started) / 1000;
    await client.query(`DELETE FROM batch WHERE id = $1`, [batchId]);
    return seconds;
  } finally {
    await client.end();
  }
}

/** The CSV's rows as `parts` CSVs of (about) equal size, each with the header. */
function splitCsv(csv: string, parts: number): string[] {
  const [header, ...rows] = csv.split("\n");
  const size = Math.ceil(rows.length / parts);
  return Array.from({ length: parts }, (_, i) => [header, ...rows.slice(i * size, (i + 1) * size)].join("\n"));
}

async function main() {
  const database = await createMigratedDatabase("fxbt_bench");
  const csv = benchCsv(ROWS);
  const config = configFromEnv({
    ...process.env,
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    BANK_SIM_LATENCY_MS: "0",
    MAX_CSV_ROWS: String(ROWS),
    // The bench polls as fast as it likes: the rate limits are for people and partners.
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
  });
  const app = await startApp(config, { log: pino({ level: "warn" }), terminal: null });
  const actor = { kind: null, id: null, name: "bench", address: null };
  // The bench's API key (TRADER, no partner), made as the admin command makes one.
  const { key } = await new AccessService(app.database).createApiKey(actor, { role: "TRADER", name: "bench" });
  const graphql = graphqlClient(app.url, key);
  try {
    const copySeconds = await copyCeiling(database.url, csv);

    let started = performance.now();
    const batchIds: string[] = [];
    for (const part of splitCsv(csv, BATCHES)) {
      const { stageBatch } = await graphql<{ stageBatch: { batch: { id: string } | null; errors: unknown[] } }>(
        `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } errors { row field message } } }`,
        { csv: part },
      );
      if (!stageBatch.batch) throw new Error(`staging failed: ${JSON.stringify(stageBatch.errors.slice(0, 3))}`);
      batchIds.push(stageBatch.batch.id);
    }
    const stageSeconds = (performance.now() - started) / 1000;

    const workBefore = await databaseWork(database.url);
    const nodeBefore = process.cpuUsage();
    started = performance.now();
    for (const id of batchIds) await graphql(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
    type Finished = { status: string; completedAt: string | null; succeededTrades: number; failedTrades: number };
    let batches: Finished[];
    do {
      await new Promise((resolve) => setTimeout(resolve, 100));
      batches = await Promise.all(
        batchIds.map(async (id) => {
          const { batch } = await graphql<{ batch: Finished }>(
            `query($id: ID!) { batch(id: $id) { status completedAt succeededTrades failedTrades } }`,
            { id },
          );
          return batch;
        }),
      );
    } while (batches.some((batch) => !batch.completedAt));
    const runSeconds = (performance.now() - started) / 1000;
    const statuses = [...new Set(batches.map((batch) => batch.status))].join(", ");
    const succeeded = batches.reduce((sum, batch) => sum + batch.succeededTrades, 0);
    const failed = batches.reduce((sum, batch) => sum + batch.failedTrades, 0);
    const nodeCpu = process.cpuUsage(nodeBefore);
    // The table statistics reach pg_stat_user_tables up to a second after the statements.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const work = workPerTrade(workBefore, await databaseWork(database.url), ROWS);

    const rate = (seconds: number) => Math.round(ROWS / seconds).toLocaleString("en-US");
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    );
    console.log(
      `rows: ${ROWS.toLocaleString("en-US")} (${(csv.length / 2 ** 20).toFixed(1)} MiB of CSV); events over ${eventBusKind(config)} (EVENT_BUS)`,
    );
    console.log(`COPY ceiling:  ${copySeconds.toFixed(2)} s  ${rate(copySeconds)} rows/s`);
    console.log(
      `stageBatch:    ${stageSeconds.toFixed(2)} s  ${rate(stageSeconds)} rows/s  (${Math.round((copySeconds / stageSeconds) * 100)}% of COPY; parse + validate + insert, over HTTP${BATCHES > 1 ? `; ${BATCHES} batches, one after the other` : ""})`,
    );
    console.log(
      `run (latency 0): ${runSeconds.toFixed(2)} s  ${rate(runSeconds)} trades/s  (${BATCHES > 1 ? `${BATCHES} batches at once, ` : ""}${statuses}: ${succeeded} succeeded, ${failed} failed)`,
    );
    // What bounds the run (README, "What bounds the runner"): CPU per trade on each side, what each trade writes.
    const backend = work.backendMs === null ? "unknown (the server is not on this machine)" : `${work.backendMs.toFixed(2)} ms`;
    console.log(
      `  per trade: this process's CPU ${((nodeCpu.user + nodeCpu.system) / 1000 / ROWS).toFixed(2)} ms, the database's backends' CPU ${backend}; ` +
        `WAL ${work.walKb.toFixed(2)} kB (the whole server's: anything else it ran counts); ` +
        `${work.tradeUpdates.toFixed(2)} updates of trade (${work.tradeHot}% HOT), attempt updates ${work.attemptHot}% HOT; load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}`,
    );
  } finally {
    await app.close();
    await database.drop();
  }
}

await main();
