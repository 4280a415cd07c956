/**
 * The dashboard's reads at scale (issue 9): the trade history, its filters and searches, and the
 * batch list's search, over 1,000,000 trades in 10,000 batches, through the API's service layer
 * (BatchQueries: cursors, filters, totalCount, as the GraphQL resolvers call it), beside a
 * baseline read in the same run (the batches' first page). Prints p50/p95; asserts nothing.
 *
 *   npx tsx bench/reads.ts
 *   BENCH_BATCHES=2000 BENCH_RUNS=20 npx tsx bench/reads.ts
 *   BENCH_ADMIN_URL=postgresql://… npx tsx bench/reads.ts   (TEST_DATABASE_ADMIN_URL alike)
 *   BENCH_KEEP=1 npx tsx bench/reads.ts   # keeps the database (for EXPLAIN) and prints its URL
 *
 * The data: BENCH_BATCHES batches of 100 trades, one batch every 37 minutes; batches belong to no
 * partner (40%), acme (30%), globex (20%), initech (9%) or tiny (1%); trades are mostly SUCCESS,
 * about 4% FAILED, 0.1% CANCELLED, and every 50th batch is still PENDING (2% of trades).
 */

import { createHash } from "node:crypto";
import os from "node:os";
import { loadAsRestore } from "./lib/load";
import { timeCalls } from "./lib/timing";

if (process.env.BENCH_ADMIN_URL) process.env.TEST_DATABASE_ADMIN_URL = process.env.BENCH_ADMIN_URL;

const { BatchQueries } = await import("../apps/api/src/services/batch-queries");
const { connectDatabase } = await import("../packages/db/src/client");
const { createMigratedDatabase } = await import("../packages/db/src/testing");

const BATCHES = Number(process.env.BENCH_BATCHES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const WARMUP = 5;
const PAGE = 50;

const SEED = `
INSERT INTO batch (id, batch_uid, name, status, priority, total_trades, created_at, updated_at, partner)
SELECT md5('b' || b)::uuid,
       'B-2026' || lpad(((b / 100) % 12 + 1)::text, 2, '0') || lpad(((b / 10) % 28 + 1)::text, 2, '0') || '-' || lpad(b::text, 5, '0'),
       'Batch ' || b || ' payroll ' || (b % 37),
       (CASE WHEN b % 50 = 0 THEN 'PENDING' WHEN b % 7 = 0 THEN 'PARTIAL_SUCCESS' ELSE 'SUCCESS' END)::"BatchStatus",
       0, 100, timestamptz '2026-01-01' + b * interval '37 minutes', timestamptz '2026-01-01' + b * interval '37 minutes',
       CASE WHEN b % 10 < 4 THEN NULL WHEN b % 10 < 7 THEN 'acme' WHEN b % 10 < 9 THEN 'globex'
            WHEN b % 100 <> 99 THEN 'initech' ELSE 'tiny' END
FROM generate_series(1, $1::int) b;

INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction,
                   amount, reference, status, quote_id, transaction_id, error_code, attempts, created_at, updated_at)
SELECT gen_random_uuid(), md5('b' || b)::uuid, r,
       'C-' || ((b * 131 + r * 17) % 5000), 'Client ' || ((b * 131 + r * 17) % 5000) || ' Holdings',
       (1000000000 + b * 100 + r)::text, 'USD', 'EUR', (CASE WHEN r % 2 = 0 THEN 'BUY' ELSE 'SELL' END)::"TradeDirection",
       100 + r, 'INV-' || b || '-' || r, s.status::"TradeStatus",
       CASE WHEN s.status IN ('SUCCESS', 'FAILED') THEN 'Q-' || md5(b || '-' || r) END,
       CASE WHEN s.status = 'SUCCESS' THEN 'TX-' || md5(r || '-' || b) END,
       CASE WHEN s.status = 'FAILED' THEN 'INSUFFICIENT_FUNDS' END,
       CASE WHEN s.status = 'PENDING' THEN 0 ELSE 1 END,
       timestamptz '2026-01-01' + b * interval '37 minutes', timestamptz '2026-01-01' + b * interval '37 minutes'
FROM generate_series(1, $1::int) b, generate_series(1, 100) r,
     LATERAL (SELECT CASE WHEN b % 50 = 0 THEN 'PENDING' WHEN (b * 7 + r * 13) % 100 < 4 THEN 'FAILED'
                          WHEN (b * 7 + r) % 1000 = 0 THEN 'CANCELLED' ELSE 'SUCCESS' END AS status) s;

UPDATE batch SET succeeded_trades = c.s, failed_trades = c.f, cancelled_trades = c.c
FROM (SELECT batch_id, count(*) FILTER (WHERE status = 'SUCCESS') s, count(*) FILTER (WHERE status = 'FAILED') f,
             count(*) FILTER (WHERE status = 'CANCELLED') c FROM trade GROUP BY batch_id) c
WHERE c.batch_id = batch.id;`;

const database = await createMigratedDatabase("fxbt_bench_reads");
const db = connectDatabase({ url: database.url, maxConnections: 4 });
try {
  const seeding = performance.now();
  // trade_search is filled from the inserted trades by its trigger.
  await loadAsRestore(database.url, { tables: ["batch", "trade", "trade_search"], statements: SEED, parameter: BATCHES });
  const seedSeconds = (performance.now() - seeding) / 1000;

  const staff = new BatchQueries(db);
  const acme = staff.forPartner("acme");
  const tiny = staff.forPartner("tiny");
  const middle = await staff.tradeHistory({ first: 1, filter: { batchId: md5Uuid(Math.floor(BATCHES / 2)) } });
  const deepCursor = middle.edges[0]!.cursor;
  const batchId = md5Uuid(Math.floor(BATCHES / 3));
  const acmeBatch = md5Uuid(Math.floor(BATCHES / 3) - (Math.floor(BATCHES / 3) % 10) + 5);
  // Part of the transaction id the seed gives row 42 of batch BATCHES / 4 + 1 (a SUCCESS at 10,000 batches): 'TX-' || md5(r || '-' || b).
  const transactionPart = createHash("md5")
    .update(`42-${Math.floor(BATCHES / 4) + 1}`)
    .digest("hex")
    .slice(5, 15);

  const reads: [string, () => Promise<{ totalCount: number; edges: unknown[] }>][] = [
    ["batches: first page (baseline)", () => staff.batches({ first: PAGE })],
    ["batches: search '0512-'", () => staff.batches({ first: PAGE, filter: { search: "0512-" } })],
    ["batches: search 'payroll 3' (many)", () => staff.batches({ first: PAGE, filter: { search: "payroll 3" } })],
    ["batches: acme, search '0512-'", () => acme.batches({ first: PAGE, filter: { search: "0512-" } })],
    ["trades: first page", () => staff.tradeHistory({ first: PAGE })],
    ["trades: page after a deep cursor", () => staff.tradeHistory({ first: PAGE, after: deepCursor })],
    ["trades: status FAILED", () => staff.tradeHistory({ first: PAGE, filter: { status: ["FAILED"] } })],
    ["trades: status FAILED, deep cursor", () => staff.tradeHistory({ first: PAGE, after: deepCursor, filter: { status: ["FAILED"] } })],
    ["trades: status PENDING+CANCELLED", () => staff.tradeHistory({ first: PAGE, filter: { status: ["PENDING", "CANCELLED"] } })],
    ["trades: batchId", () => staff.tradeHistory({ first: PAGE, filter: { batchId } })],
    ["trades: search client id 'C-1234'", () => staff.tradeHistory({ first: PAGE, filter: { search: "C-1234" } })],
    ["trades: search reference 'INV-5000-'", () => staff.tradeHistory({ first: PAGE, filter: { search: "INV-5000-" } })],
    ["trades: search 'holdings' (every row)", () => staff.tradeHistory({ first: PAGE, filter: { search: "holdings" } })],
    ["trades: search 'zzzq' (no row)", () => staff.tradeHistory({ first: PAGE, filter: { search: "zzzq" } })],
    ["trades: search a transaction id's 10 chars", () => staff.tradeHistory({ first: PAGE, filter: { search: transactionPart } })],
    ["trades: search 'TX-' (every SUCCESS)", () => staff.tradeHistory({ first: PAGE, filter: { search: "TX-" } })],
    ["trades: acme, first page", () => acme.tradeHistory({ first: PAGE })],
    ["trades: acme, status FAILED", () => acme.tradeHistory({ first: PAGE, filter: { status: ["FAILED"] } })],
    ["trades: acme, batchId", () => acme.tradeHistory({ first: PAGE, filter: { batchId: acmeBatch } })],
    ["trades: acme, search 'C-1234'", () => acme.tradeHistory({ first: PAGE, filter: { search: "C-1234" } })],
    ["trades: tiny (1% of trades), first page", () => tiny.tradeHistory({ first: PAGE })],
    ["trades: tiny, status FAILED", () => tiny.tradeHistory({ first: PAGE, filter: { status: ["FAILED"] } })],
  ];

  const [cpu] = os.cpus();
  console.log(`machine: ${os.cpus().length} × ${cpu?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const [{ server_version: version }] = (await db.pool.query("SHOW server_version")).rows;
  console.log(`PostgreSQL ${version}; ${BATCHES.toLocaleString("en-US")} batches, ${(BATCHES * 100).toLocaleString("en-US")} trades`);
  console.log(`seeded in ${seedSeconds.toFixed(1)} s; each read ${RUNS} runs after ${WARMUP} warm-up runs, page size ${PAGE}`);
  console.log(`${"read".padEnd(44)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)} ${"rows".padStart(5)} ${"totalCount".padStart(11)}`);
  for (const [name, read] of reads) {
    const { p50, p95, last } = await timeCalls(read, RUNS, WARMUP);
    const [rows, totalCount] = [last.edges.length, last.totalCount];
    console.log(
      `${name.padEnd(44)} ${p50.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${String(rows).padStart(5)} ${String(totalCount).padStart(11)}`,
    );
  }
} finally {
  await db.close();
  if (process.env.BENCH_KEEP) console.log(`kept: ${database.url}`);
  else await database.drop();
}

/** The id the seed gives batch number `b` (md5('b' || b) as a uuid). */
function md5Uuid(b: number): string {
  const hex = createHash("md5").update(`b${b}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
