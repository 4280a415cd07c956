/**
 * Cancelling a running 100,000-trade batch (issue 9), through the product's public API: stage,
 * start, wait until about 10% of the trades are done, cancel, and time the cancel call's answer
 * and the way to status CANCELLED, while the runner writes the outcomes of its trades in flight.
 * Counts the transaction-timeout warnings the app logged ("Unable to start a transaction"), and times
 * the writing of the cancelled rows, which goes on after the batch is CANCELLED (CANCELLED_BEFORE_WRITTEN).
 * Beside it, measured in the same run: one UPDATE … SET status = 'CANCELLED' of as many rows in
 * a plain copy of the trade table (no indexes), in a copy with the trade table's indexes but no
 * trigram index (what a status change costs per row here, whatever the product does), and in that
 * copy with the trigram index of the six searched columns the trade table had until migration
 * 20261127200000_trade_search_table (what that index cost each status change). Prints figures;
 * asserts nothing.
 *
 *   npx tsx bench/cancel.ts                     # 100,000 trades on 127.0.0.1:5432
 *   BENCH_ROWS=20000 npx tsx bench/cancel.ts
 */

import os from "node:os";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import pg from "pg";
import { pino } from "pino";
import { startApp } from "../apps/api/src/app";
import { configFromEnv } from "../apps/api/src/config";
import { AccessService } from "../apps/api/src/services/access";
import { createMigratedDatabase } from "../packages/db/src/testing";
import { graphqlClient } from "./lib/graphql";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
/** Cancel once this share of the trades is done. */
const DONE_BEFORE_CANCEL = 0.1;

function benchCsv(rows: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++)
    lines.push(`C-${i % 500},Client ${i % 500},${String(1_000_000_000 + i)},ZAR,USD,BUY,${100 + (i % 9000)}.25,,BENCH-${i}`);
  return lines.join("\n");
}

interface BatchState {
  status: string;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
}
const BATCH_STATE = `status succeededTrades failedTrades cancelledTrades`;
const processed = (batch: BatchState) => batch.succeededTrades + batch.failedTrades + batch.cancelledTrades;

/** The trigram index the trade table had on its six searched columns before they moved to trade_search. */
const FORMER_SEARCH_INDEX = `USING GIN (client_id gin_trgm_ops, client_name gin_trgm_ops, account_number gin_trgm_ops,
  reference gin_trgm_ops, quote_id gin_trgm_ops, transaction_id gin_trgm_ops)`;

/**
 * One UPDATE of every row of a copy of the batch's trades: with no indexes (the floor for moving
 * them), with the trade table's indexes but any trigram one, or with those and the former trigram
 * index of the six searched columns.
 */
async function updateBaseline(
  databaseUrl: string,
  batchId: string,
  indexes: "none" | "all but trigram" | "all but trigram, plus the former one",
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS bench_trade_copy`);
    await client.query(`CREATE TABLE bench_trade_copy (LIKE trade ${indexes === "none" ? "" : "INCLUDING INDEXES"})`);
    if (indexes !== "none") {
      const { rows } = await client.query<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE tablename = 'bench_trade_copy' AND indexdef ILIKE '%USING gin%'`,
      );
      for (const { indexname } of rows) await client.query(`DROP INDEX ${pg.escapeIdentifier(indexname)}`);
    }
    if (indexes === "all but trigram, plus the former one") await client.query(`CREATE INDEX ON bench_trade_copy ${FORMER_SEARCH_INDEX}`);
    await client.query(`INSERT INTO bench_trade_copy SELECT * FROM trade WHERE batch_id = $1`, [batchId]);
    await client.query(`UPDATE bench_trade_copy SET status = 'PENDING'`);
    await client.query(`VACUUM ANALYZE bench_trade_copy`);
    const started = performance.now();
    await client.query(`UPDATE bench_trade_copy SET status = 'CANCELLED', updated_at = now(), locked_at = NULL`);
    const seconds = (performance.now() - started) / 1000;
    await client.query(`DROP TABLE bench_trade_copy`);
    return seconds;
  } finally {
    await client.end();
  }
}

async function main() {
  const database = await createMigratedDatabase("fxbt_bench_cancel");
  const logLines: string[] = [];
  const app = await startApp(
    configFromEnv({
      ...process.env,
      DATABASE_URL: database.url,
      PORT: "0",
      HOST: "127.0.0.1",
      // Slow enough for the cancel to come near 10% done, fast enough that outcomes are written throughout.
      BANK_SIM_LATENCY_MS: process.env.BANK_SIM_LATENCY_MS ?? "20",
      RUNNER_CONCURRENCY: process.env.RUNNER_CONCURRENCY ?? "64",
      MAX_CSV_ROWS: String(ROWS),
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    }),
    { log: pino({ level: "info" }, { write: (line: string) => void logLines.push(line) }), terminal: null },
  );
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= app.close());
  const actor = { kind: null, id: null, name: "bench", address: null };
  const { key } = await new AccessService(app.database).createApiKey(actor, { role: "TRADER", name: "bench" });
  const graphql = graphqlClient(app.url, key);
  try {
    const { stageBatch } = await graphql<{ stageBatch: { batch: { id: string } | null; errors: unknown[] } }>(
      `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } errors { row field message } } }`,
      { csv: benchCsv(ROWS) },
    );
    if (!stageBatch.batch) throw new Error(`staging failed: ${JSON.stringify(stageBatch.errors.slice(0, 3))}`);
    const id = stageBatch.batch.id;
    // Progress is read on a connection of the bench's own: the app's pool is busy with the runner's writes.
    const probe = new pg.Client({ connectionString: database.url });
    await probe.connect();
    const read = async (): Promise<BatchState & { unwritten: number }> =>
      (
        await probe.query(
          `SELECT status::text AS status, succeeded_trades AS "succeededTrades", failed_trades AS "failedTrades",
                  cancelled_trades AS "cancelledTrades", cancelled_unmoved_trades AS unwritten FROM batch WHERE id = $1`,
          [id],
        )
      ).rows[0];

    await graphql(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
    let before: BatchState;
    do {
      await new Promise((resolve) => setTimeout(resolve, 10));
      before = await read();
    } while (processed(before) < ROWS * DONE_BEFORE_CANCEL);

    const timeoutsBefore = logLines.filter((line) => line.includes("Unable to start a transaction")).length;
    const asked = performance.now();
    const { cancelBatch: answer } = await graphql<{ cancelBatch: BatchState }>(
      `mutation($id: ID!) { cancelBatch(id: $id) { ${BATCH_STATE} } }`,
      { id },
    );
    const answerMs = performance.now() - asked;
    let final: BatchState & { unwritten: number };
    do {
      await new Promise((resolve) => setTimeout(resolve, 10));
      final = await read();
    } while (final.status !== "CANCELLED" && final.status !== "SUCCESS" && final.status !== "PARTIAL_SUCCESS" && final.status !== "FAILED");
    const cancelledMs = performance.now() - asked;
    // The cancel counts its PENDING trades at once and the runner writes their rows after (CANCELLED_BEFORE_WRITTEN).
    const unwrittenAtCancelled = final.unwritten;
    while ((await read()).unwritten > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const writtenMs = performance.now() - asked;
    const timeouts = logLines.filter((line) => line.includes("Unable to start a transaction")).length - timeoutsBefore;
    const writeRetries = logLines.filter((line) => line.includes("writing a trade's result failed")).length;
    const pass = logLines.filter((line) => line.includes("cancelled trades of a batch being cancelled")).map((line) => JSON.parse(line));

    await probe.end();
    await close();
    const plainSeconds = await updateBaseline(database.url, id, "none");
    const indexedSeconds = await updateBaseline(database.url, id, "all but trigram");
    const formerSeconds = await updateBaseline(database.url, id, "all but trigram, plus the former one");

    const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os
        .loadavg()
        .map((n) => n.toFixed(1))
        .join(" ")}`,
    );
    console.log(
      `rows: ${ROWS.toLocaleString("en-US")}; cancelled with ${processed(before).toLocaleString("en-US")} done (${final.status} in the end)`,
    );
    console.log(
      `cancelBatch answered:          ${ms(answerMs)}  (${answer.status}, ${answer.cancelledTrades} cancelled: the claims with nothing sent, and the PENDING ones counted)`,
    );
    console.log(
      `cancel call → CANCELLED:       ${ms(cancelledMs)}  (${final.succeededTrades} succeeded, ${final.failedTrades} failed, ${final.cancelledTrades} cancelled)`,
    );
    console.log(
      `every cancelled row written:   ${ms(writtenMs)}  (${unwrittenAtCancelled.toLocaleString("en-US")} not yet written when the batch was CANCELLED; every read showed them CANCELLED meanwhile)`,
    );
    for (const line of pass)
      console.log(`  runner's pass: ${line.trades} trades in ${line.chunks} chunks, ${line.busy} busy retries, ${ms(line.ms)}`);
    console.log(`transaction-timeout warnings:  ${timeouts}  (result writes retried: ${writeRetries})`);
    console.log(`baseline, one UPDATE of ${ROWS.toLocaleString("en-US")} rows, plain copy table:        ${ms(plainSeconds * 1000)}`);
    console.log(`baseline, the same, copy with the trade table's indexes but trigram ones: ${ms(indexedSeconds * 1000)}`);
    console.log(`baseline, the same, plus the former trigram index of the six searched columns: ${ms(formerSeconds * 1000)}`);
  } finally {
    await close();
    await database.drop();
  }
}

await main();
