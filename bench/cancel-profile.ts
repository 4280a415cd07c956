/**
 * Where a cancel's time goes in the database (issue 9), without the API: a batch of ROWS trades,
 * the first tenth done, the rest PENDING, as bench/cancel.ts leaves it when it cancels. Prints
 *
 * 1. the product's cancel pass (cancelPendingChunk, each chunk in its own transaction, as the
 *    runner runs them) chunk by chunk, each statement's time and the whole pass's, and EXPLAIN
 *    (ANALYZE, BUFFERS, WAL) of the moving statement of the first BENCH_EXPLAIN_CHUNKS chunks
 *    (default 2; EXPLAIN ANALYZE runs a statement, then this rolls it back, so those chunks are
 *    then timed on pages it left dead rows in and a warm cache);
 * 2. one UPDATE of the same PENDING rows to CANCELLED in copies of the trade table (written here,
 *    an approximation of the product's statement, which also locks and numbers): with all its
 *    indexes, with none, with each index dropped in turn (what each index costs a status change),
 *    and with the two status-led indexes partial on the statuses of trades still moving.
 *
 *   npx tsx bench/cancel-profile.ts                   # 100,000 trades on 127.0.0.1:5432
 *   BENCH_ROWS=20000 npx tsx bench/cancel-profile.ts
 */

import os from "node:os";
import pg from "pg";
import { cancelPendingChunk, type Queryable, requestCancel } from "../packages/db/src";
import { Prisma } from "../packages/db/src/generated/prisma/client";
import { createMigratedDatabase } from "../packages/db/src/testing";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DONE = Math.floor(ROWS / 10);
const EXPLAIN_CHUNKS = Number(process.env.BENCH_EXPLAIN_CHUNKS ?? 2);

/** A Queryable on a pg client that prints the plan of each statement matching `explain` (run under a savepoint, rolled back, then run for real). */
function queryableOn(client: pg.Client, explain: (text: string) => boolean, timings: Map<string, number>): Queryable {
  const run = async (strings: TemplateStringsArray, ...values: unknown[]) => {
    const statement = Prisma.sql(strings, ...(values as Prisma.Sql[]));
    const name = statement.text.replace(/\s+/g, " ").slice(0, 60);
    if (explain(statement.text)) {
      await client.query("SAVEPOINT explained");
      const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, WAL) ${statement.text}`, statement.values);
      await client.query("ROLLBACK TO SAVEPOINT explained");
      console.log(`--- ${name}\n${rows.map((row) => row["QUERY PLAN"]).join("\n")}`);
    }
    const started = performance.now();
    const { rows } = await client.query(statement.text, statement.values);
    timings.set(name, (timings.get(name) ?? 0) + performance.now() - started);
    return rows;
  };
  return { $queryRaw: run, $executeRaw: run } as unknown as Queryable;
}

/** A client whose connection ending (the database dropped after a failure) is not a crash of its own. */
function connectedClient(url: string): pg.Client {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  return client;
}

async function seed(client: pg.Client): Promise<string> {
  const {
    rows: [batch],
  } = await client.query<{ id: string }>(
    `INSERT INTO batch (id, batch_uid, status, total_trades, succeeded_trades, started_at, run_started_at, updated_at)
     VALUES (gen_random_uuid(), 'B-PROFILE-0001', 'RUNNING', $1, $2, now(), now(), now()) RETURNING id`,
    [ROWS, DONE],
  );
  await client.query(
    `INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction,
                        amount, reference, status, attempts, sequence, updated_at)
     SELECT gen_random_uuid(), $1::uuid, i, 'C-' || (i % 500), 'Client ' || (i % 500), (1000000000 + i)::text, 'ZAR', 'USD', 'BUY',
            100 + (i % 9000) + 0.25, 'BENCH-' || i,
            CASE WHEN i <= $2 THEN 'SUCCESS' ELSE 'PENDING' END::"TradeStatus", CASE WHEN i <= $2 THEN 1 ELSE 0 END,
            CASE WHEN i <= $2 THEN i ELSE 0 END, now()
     FROM generate_series(1, $3::int) AS i`,
    [batch!.id, DONE, ROWS],
  );
  await client.query(`UPDATE batch SET event_sequence = $2 WHERE id = $1`, [batch!.id, DONE]);
  await client.query(`VACUUM ANALYZE trade`);
  await client.query(`VACUUM ANALYZE batch`);
  return batch!.id;
}

async function profileChunks(url: string, batchId: string): Promise<void> {
  const client = connectedClient(url);
  await client.connect();
  const timings = new Map<string, number>();
  let explained = 0;
  const db = queryableOn(client, (text) => explained < EXPLAIN_CHUNKS && text.includes("moved AS ("), timings);
  await client.query("BEGIN");
  await requestCancel(db, batchId);
  await client.query("COMMIT");
  const started = performance.now();
  let afterRow: number | null = null;
  let chunks = 0;
  let cancelled = 0;
  for (;;) {
    const chunkStarted = performance.now();
    await client.query("BEGIN");
    const chunk = await cancelPendingChunk(db, batchId, { afterRow, skipLocked: true });
    await client.query("COMMIT");
    explained++;
    if (chunk === null || chunk === "busy") break;
    chunks++;
    cancelled += chunk.trades.length;
    console.log(
      `chunk ${chunks}: ${chunk.trades.length} trades, ${Math.round(performance.now() - chunkStarted)} ms, batch ${chunk.batch.status}`,
    );
    if (!chunk.more) break;
    afterRow = chunk.throughRow;
  }
  console.log(`cancelPendingChunk pass: ${cancelled} trades in ${chunks} chunks, ${Math.round(performance.now() - started)} ms`);
  for (const [name, ms] of timings) console.log(`  ${Math.round(ms).toString().padStart(6)} ms  ${name}`);
  await client.end();
}

/** One UPDATE of the copy's PENDING rows to CANCELLED (what the cancel move writes), after `prepare` shaped the copy's indexes. */
async function updateCopy(client: pg.Client, prepare: string[]): Promise<{ ms: number; walBytes: number }> {
  await client.query(`DROP TABLE IF EXISTS profile_trade`);
  await client.query(`CREATE TABLE profile_trade (LIKE trade INCLUDING DEFAULTS)`);
  await client.query(`INSERT INTO profile_trade SELECT * FROM trade`);
  await client.query(`UPDATE profile_trade SET status = 'PENDING', sequence = 0 WHERE row_number > $1`, [DONE]);
  for (const statement of prepare) await client.query(statement);
  await client.query(`VACUUM ANALYZE profile_trade`);
  await client.query(`CHECKPOINT`);
  const lsn = async () => (await client.query<{ lsn: string }>(`SELECT pg_current_wal_insert_lsn()::text AS lsn`)).rows[0]!.lsn;
  const walBefore = await lsn();
  const started = performance.now();
  await client.query(
    `UPDATE profile_trade SET status = 'CANCELLED', updated_at = now(), locked_at = NULL, sequence = row_number WHERE status = 'PENDING'`,
  );
  const ms = performance.now() - started;
  const walAfter = await lsn();
  const {
    rows: [wal],
  } = await client.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2)::bigint::text AS bytes`, [walAfter, walBefore]);
  return { ms, walBytes: Number(wal!.bytes) };
}

async function profileIndexes(url: string): Promise<void> {
  const client = connectedClient(url);
  await client.connect();
  const { rows: indexes } = await client.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'trade' ORDER BY indexname`,
  );
  const onCopy = (def: string) =>
    def.replace(/ON public\.trade /, "ON profile_trade ").replace(/^CREATE (UNIQUE )?INDEX \S+/, "CREATE $1INDEX");
  const all = indexes.map(({ def }) => onCopy(def));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const measure = async (label: string, prepare: string[]) => {
    const runs: { ms: number; walBytes: number }[] = [];
    for (let i = 0; i < rounds; i++) runs.push(await updateCopy(client, prepare));
    const perRow = (bytes: number) => Math.round(bytes / (ROWS - DONE));
    console.log(
      `${runs.map(({ ms }) => `${Math.round(ms)}`.padStart(6)).join(" ")} ms, WAL ${runs.map(({ walBytes }) => perRow(walBytes)).join(" / ")} B/row  ${label}`,
    );
  };
  console.log(`\nUPDATE of ${(ROWS - DONE).toLocaleString("en-US")} PENDING rows to CANCELLED in a copy of trade (${rounds} rounds):`);
  await measure("no indexes", []);
  await measure(`all ${indexes.length} indexes`, all);
  for (const [i, { name }] of indexes.entries())
    await measure(
      `all but ${name}`,
      all.filter((_, j) => j !== i),
    );
  // A partial index takes no entry for a row outside its predicate, even in a non-HOT update. The two
  // status-led indexes are partial since 20261129090000; this is what they cost a cancel in full, as before.
  const statusLed = /\(batch_id, status, row_number\)|\(status, locked_at\)/;
  const full = all.map((def) => (statusLed.test(def) ? def.replace(/ WHERE .*$/, "") : def));
  await measure("(batch_id, status, row_number) and (status, locked_at) in full, as before 20261129090000", full);
  await client.query(`DROP TABLE profile_trade`);
  await client.end();
}

const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(1))
    .join(" ");

async function main() {
  const database = await createMigratedDatabase("fxbt_bench_cancel_profile");
  try {
    const client = connectedClient(database.url);
    await client.connect();
    const batchId = await seed(client);
    await client.end();
    console.log(
      `machine: ${os.cpus().length} CPUs, Node ${process.version}, load ${loadAverage()}; ${ROWS.toLocaleString("en-US")} trades, ${DONE.toLocaleString("en-US")} done`,
    );
    if (process.env.BENCH_SKIP_CHUNKS !== "1") await profileChunks(database.url, batchId);
    await profileIndexes(database.url);
    console.log(`load ${loadAverage()}`);
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP !== "1") await database.drop();
    else console.log(`kept ${database.url}`);
  }
}

await main();
