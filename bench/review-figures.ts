/**
 * The review and chart reads at scale (issue 10), over HTTP (GraphQL) as the dashboard sends
 * them: Batch.preview of a staged 100,000-trade batch, Batch.throughputSeries of a finished one,
 * and tradeVolume(hours: 24) over the answers of ten such batches in the last 24 hours; beside
 * baselines read in the same run: plain SQL over the same rows through the API's own pool (no
 * HTTP, no GraphQL), and the batches' first page over HTTP. Prints p50/p95; asserts nothing.
 *
 *   npx tsx bench/review-figures.ts
 *   BENCH_ROWS=20000 BENCH_RUNS=10 npx tsx bench/review-figures.ts
 *   BENCH_KEEP=1 npx tsx bench/review-figures.ts   # keeps the database (for EXPLAIN) and prints its URL
 *   BENCH_ADMIN_URL=postgresql://… npx tsx bench/review-figures.ts   (TEST_DATABASE_ADMIN_URL alike)
 *
 * The data (BENCH_ROWS trades a batch, 100,000 by default):
 * - one staged batch: six pairs (USD/MXN has no holiday calendar), BUY and SELL, a quarter of the
 *   trades spot, the rest on the next 45 days (weekends, and the holidays that fall there), every
 *   997th on next New Year's Day (a holiday of every market), every 1,999th beyond a year, every
 *   5,000th a large amount; two earlier batches hold the same content (a possible duplicate);
 * - ten finished batches, run two hours apart over the last 22 hours: each run answers its trades
 *   over 10 minutes, 4% refused, and an hour later a retry of those books half of them. So about
 *   1,040,000 answers in the last 24 hours at 100,000; every third batch is the partner acme's.
 *   Their answers are counted in trade_answer_count, the charts' rollup, as the runner would have.
 */

import os from "node:os";
import pg from "pg";
import { pino } from "pino";
import { graphqlClient } from "./lib/graphql";
import { loadAsRestore } from "./lib/load";
import { timeCalls } from "./lib/timing";

if (process.env.BENCH_ADMIN_URL) process.env.TEST_DATABASE_ADMIN_URL = process.env.BENCH_ADMIN_URL;

const { startApp } = await import("../apps/api/src/app");
const { configFromEnv } = await import("../apps/api/src/config");
const { AccessService } = await import("../apps/api/src/services/access");
const { createMigratedDatabase, recountAnswers } = await import("../packages/db/src/testing");

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const FINISHED_BATCHES = 10;

/** Both earlier batches with this content are of no partner, as the staged one. */
const SAME_CONTENT = `encode(sha256('the same file'::bytea), 'hex')`;

const SEED = `
INSERT INTO batch (id, batch_uid, name, status, total_trades, created_at, updated_at, queued_at, started_at, partner, staged_by, content_hash)
SELECT md5('finished' || b)::uuid, 'B-' || to_char(run.start, 'YYYYMMDD') || '-' || lpad(b::text, 5, '0'), 'Finished ' || b,
       'SUCCESS', $1::int, run.start - interval '5 minutes', run.start, run.start, run.start,
       CASE WHEN b % 3 = 0 THEN 'acme' END, 'bench',
       CASE WHEN b IN (1, 5) THEN ${SAME_CONTENT} ELSE encode(sha256(('finished' || b)::bytea), 'hex') END
FROM generate_series(1, ${FINISHED_BATCHES}) b,
     LATERAL (SELECT now() - interval '22 hours' + (b - 1) * interval '2 hours' AS start) run;

INSERT INTO batch (id, batch_uid, name, status, total_trades, created_at, updated_at, staged_by, content_hash)
VALUES (md5('staged')::uuid, 'B-' || to_char(now(), 'YYYYMMDD') || '-00099', 'Staged', 'PENDING', $1::int, now(), now(), 'bench', ${SAME_CONTENT});

INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction,
                   amount, reference, status, quote_id, rate, sell_amount, buy_amount, transaction_id, error_code, error_message,
                   attempts, created_at, updated_at, sequence)
SELECT gen_random_uuid(), md5('finished' || b)::uuid, n, 'C-' || n % 500, 'Client ' || n % 500, (1000000000 + n)::text,
       'ZAR', 'USD', 'BUY', 100 + n % 9000 + 0.25, 'F-' || b || '-' || n,
       (CASE WHEN f.failed THEN 'FAILED' ELSE 'SUCCESS' END)::"TradeStatus", 'Q-' || b || '-' || n, 0.0541234567,
       round((100 + n % 9000 + 0.25) * 18.4771, 4), 100 + n % 9000 + 0.25,
       CASE WHEN NOT f.failed THEN 'TX-' || b || '-' || n END, CASE WHEN f.failed THEN 'INSUFFICIENT_FUNDS' END,
       CASE WHEN f.failed THEN 'Insufficient funds' END, 1 + f.refused_first::int,
       run.start - interval '5 minutes', run.start, 2 * n
FROM generate_series(1, ${FINISHED_BATCHES}) b, generate_series(1, $1::int) n,
     LATERAL (SELECT now() - interval '22 hours' + (b - 1) * interval '2 hours' AS start) run,
     LATERAL (SELECT (n * 7 + b) % 100 < 4 AS refused_first) r,
     LATERAL (SELECT r.refused_first AS refused_first, r.refused_first AND n % 2 = 1 AS failed) f;

INSERT INTO trade_attempt (trade_id, number, idempotency_key, quote_id, rate, sell_amount, buy_amount, booking_sent_at, outcome,
                           transaction_id, error_code, error_message, started_at, finished_at)
SELECT t.id, a.number, t.id || ':' || a.number, t.quote_id, t.rate, t.sell_amount, t.buy_amount, a.finished_at,
       (CASE WHEN a.number < t.attempts OR t.status = 'FAILED' THEN 'REFUSED' ELSE 'BOOKED' END)::"AttemptOutcome",
       CASE WHEN a.number = t.attempts THEN t.transaction_id END,
       CASE WHEN a.number < t.attempts OR t.status = 'FAILED' THEN 'INSUFFICIENT_FUNDS' END,
       CASE WHEN a.number < t.attempts OR t.status = 'FAILED' THEN 'Insufficient funds' END,
       a.finished_at - interval '50 ms', a.finished_at
FROM trade t JOIN batch b ON b.id = t.batch_id,
     LATERAL (SELECT number, CASE number WHEN 1 THEN b.started_at + t.row_number * interval '600 s' / $1::int
                                 ELSE b.started_at + interval '70 minutes' + t.row_number * interval '60 s' / $1::int END AS finished_at
              FROM generate_series(1, t.attempts) number) a
WHERE b.status = 'SUCCESS';

UPDATE batch SET succeeded_trades = c.succeeded, failed_trades = c.failed, answered_trades = c.answered,
       status = (CASE WHEN c.failed > 0 THEN 'PARTIAL_SUCCESS' ELSE 'SUCCESS' END)::"BatchStatus",
       completed_at = c.last, updated_at = c.last, finished_run_seconds = 660
FROM (SELECT t.batch_id, count(*) FILTER (WHERE t.status = 'SUCCESS' AND a.number = t.attempts) AS succeeded,
             count(*) FILTER (WHERE t.status = 'FAILED' AND a.number = t.attempts) AS failed, count(*) AS answered,
             max(a.finished_at) AS last
      FROM trade t JOIN trade_attempt a ON a.trade_id = t.id GROUP BY t.batch_id) c
WHERE c.batch_id = batch.id;

INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction,
                   amount, value_date, reference, created_at, updated_at)
SELECT gen_random_uuid(), md5('staged')::uuid, n, 'C-' || n % 500, 'Client ' || n % 500, (1000000000 + n)::text, p.sell, p.buy,
       p.direction::"TradeDirection",
       CASE WHEN n % 5000 = 0 THEN 2500000 WHEN p.buy = 'JPY' AND p.direction = 'BUY' THEN 1000 + n % 5000
            ELSE 100 + n % 90000 + (n % 100) / 100.0 END,
       CASE WHEN n % 997 = 0 THEN make_date(extract(year FROM p.today)::int + 1, 1, 1)
            WHEN n % 1999 = 0 THEN p.today + 400 WHEN n % 4 = 0 THEN NULL ELSE p.today + 2 + n % 45 END,
       'BENCH-' || n, now(), now()
FROM generate_series(1, $1::int) n,
     LATERAL (SELECT (ARRAY['ZAR', 'USD', 'GBP', 'EUR', 'AUD', 'USD'])[n % 6 + 1] AS sell, (ARRAY['USD', 'EUR', 'JPY', 'CHF', 'NZD', 'MXN'])[n % 6 + 1] AS buy,
                     CASE WHEN n % 12 < 6 THEN 'BUY' ELSE 'SELL' END AS direction, (now() AT TIME ZONE 'UTC')::date AS today) p`;

// The dashboard's documents (apps/web/src/graphql), fragments written out.
const SERIES = "bucketSeconds succeeded failed buckets { start succeeded failed }";
const PREVIEW = `query($id: ID!) { batch(id: $id) { id preview {
  totals { sellCurrency buyCurrency direction amountCurrency amount tradeCount }
  currencyTotals { currency amount tradeCount }
  valueDates { valueDate tradeCount firstRow }
  warnings { code message tradeCount rows valueDates currencies earlierBatchUids }
  confirmationRequired confirmationReason } } }`;
const THROUGHPUT = `query($id: ID!) { batch(id: $id) { id throughputSeries { ${SERIES} } } }`;
const VOLUME = `query($hours: Int!) { tradeVolume(hours: $hours) { ${SERIES} } }`;
const FIRST_PAGE = `query { batches(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
  id batchUid name status priority totalTrades processedTrades succeededTrades failedTrades cancelledTrades progress createdAt
  updatedAt startedAt completedAt runStartedAt finishedRunSeconds answeredTrades partner stagedBy } } } }`;

interface Series {
  bucketSeconds: number;
  succeeded: number;
  failed: number;
  buckets: unknown[];
}
interface Preview {
  totals: unknown[];
  currencyTotals: unknown[];
  valueDates: unknown[];
  warnings: { code: string; tradeCount: number }[];
  confirmationRequired: boolean;
}

const describeSeries = (series: Series) =>
  `${series.buckets.length} buckets of ${series.bucketSeconds} s, ${series.succeeded} booked, ${series.failed} refused`;

type BenchApp = Awaited<ReturnType<typeof startApp>>;

function startBenchApp(databaseUrl: string): Promise<BenchApp> {
  return startApp(
    configFromEnv({
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      // The bench calls as fast as it likes: the rate limits are for people and partners.
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    }),
    { log: pino({ level: "warn" }), terminal: null },
  );
}

async function report(app: BenchApp, seedSeconds: number): Promise<void> {
  const access = new AccessService(app.database);
  const actor = { kind: null, id: null, name: "bench", address: null };
  const { key: staffKey } = await access.createApiKey(actor, { role: "VIEWER", name: "bench" });
  const { key: acmeKey } = await access.createApiKey(actor, { role: "VIEWER", partner: "acme", name: "bench acme" });
  const staff = graphqlClient(app.url, staffKey);
  const acme = graphqlClient(app.url, acmeKey);
  const pool = app.database.pool;
  const { rows: ids } = await pool.query<{ staged: string; finished: string }>(
    `SELECT md5('staged')::uuid AS staged, md5('finished' || $1)::uuid AS finished`,
    [String(FINISHED_BATCHES)],
  );
  const { staged, finished } = ids[0]!;
  const sqlRows = async (text: string, values: unknown[]) => `${(await pool.query(text, values)).rowCount} rows`;
  const sqlCount = async (text: string, values: unknown[]) => `count ${(await pool.query<{ count: string }>(text, values)).rows[0]!.count}`;

  const reads: [string, () => Promise<string>][] = [
    ["baseline SQL: count(*) of the staged batch", () => sqlCount(`SELECT count(*) FROM trade WHERE batch_id = $1`, [staged])],
    [
      "baseline SQL: sum(amount) GROUP BY pair, direction",
      () =>
        sqlRows(`SELECT sell_currency, buy_currency, direction, sum(amount), count(*) FROM trade WHERE batch_id = $1 GROUP BY 1, 2, 3`, [
          staged,
        ]),
    ],
    [
      "baseline SQL: count(*) of the finished batch's answers",
      () => sqlCount(`SELECT count(*) FROM trade t JOIN trade_attempt a ON a.trade_id = t.id WHERE t.batch_id = $1`, [finished]),
    ],
    [
      "baseline SQL: count(*) of answers in the last 24 h",
      () => sqlCount(`SELECT count(*) FROM trade_attempt WHERE finished_at >= now() - interval '24 hours'`, []),
    ],
    [
      "baseline HTTP: batches, first page",
      async () => `${(await staff<{ batches: { edges: unknown[] } }>(FIRST_PAGE)).batches.edges.length} batches`,
    ],
    [
      "Batch.preview, staged batch",
      async () => {
        const { preview } = (await staff<{ batch: { preview: Preview } }>(PREVIEW, { id: staged })).batch;
        const byCode = new Map<string, { warnings: number; trades: number }>();
        for (const { code, tradeCount } of preview.warnings) {
          const seen = byCode.get(code) ?? { warnings: 0, trades: 0 };
          byCode.set(code, { warnings: seen.warnings + 1, trades: seen.trades + tradeCount });
        }
        const warnings = [...byCode].map(([code, { warnings, trades }]) => `${code} ×${warnings} (${trades} trades)`).join(", ");
        return `${preview.totals.length} pairs, ${preview.currencyTotals.length} currencies, ${preview.valueDates.length} dates; ${warnings}`;
      },
    ],
    [
      "Batch.throughputSeries, finished batch",
      async () =>
        describeSeries((await staff<{ batch: { throughputSeries: Series } }>(THROUGHPUT, { id: finished })).batch.throughputSeries),
    ],
    [
      "tradeVolume(hours: 24), staff",
      async () => describeSeries((await staff<{ tradeVolume: Series }>(VOLUME, { hours: 24 })).tradeVolume),
    ],
    [
      "tradeVolume(hours: 24), partner acme",
      async () => describeSeries((await acme<{ tradeVolume: Series }>(VOLUME, { hours: 24 })).tradeVolume),
    ],
  ];

  const [cpu] = os.cpus();
  console.log(`machine: ${os.cpus().length} × ${cpu?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
  const [{ server_version: version }] = (await pool.query("SHOW server_version")).rows;
  const [{ count: answers }] = (await pool.query("SELECT count(*)::int AS count FROM trade_attempt")).rows;
  const [{ count: seconds }] = (await pool.query("SELECT count(*)::int AS count FROM trade_answer_count")).rows;
  console.log(
    `PostgreSQL ${version}; ${ROWS.toLocaleString("en-US")} trades a batch, 1 staged + ${FINISHED_BATCHES} finished batches, ${answers.toLocaleString("en-US")} answers ` +
      `(${seconds.toLocaleString("en-US")} rows of trade_answer_count)`,
  );
  const load = os.loadavg().map((average) => average.toFixed(1));
  console.log(`seeded in ${seedSeconds.toFixed(1)} s; each read ${RUNS} runs after ${WARMUP} warm-up runs; load average ${load.join(" ")}`);
  console.log(`${"read".padEnd(56)} ${"p50 ms".padStart(8)} ${"p95 ms".padStart(8)}  answer`);
  for (const [name, read] of reads) {
    const { p50, p95, last: answer } = await timeCalls(read, RUNS, WARMUP);
    console.log(`${name.padEnd(56)} ${p50.toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)}  ${answer}`);
  }
}

async function withClient(url: string, work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

const database = await createMigratedDatabase("fxbt_bench_review");
try {
  const seeding = performance.now();
  // Triggers off: trade_search, which one fills, stays empty (none of the reads measured here searches).
  await loadAsRestore(database.url, {
    tables: ["batch", "trade", "trade_attempt"],
    statements: SEED,
    parameter: ROWS,
    withoutTriggers: true,
  });
  // The runs' answers in the charts' rollup, as the runner's statements would have counted them.
  await withClient(database.url, async (client) => {
    const { rows } = await client.query<{ id: string }>("SELECT id FROM batch");
    await recountAnswers(
      client,
      rows.map((row) => row.id),
    );
    await client.query("VACUUM ANALYZE trade_answer_count");
  });
  const seedSeconds = (performance.now() - seeding) / 1000;
  const app = await startBenchApp(database.url);
  try {
    await report(app, seedSeconds);
  } finally {
    await app.close();
  }
} finally {
  if (process.env.BENCH_KEEP) console.log(`kept: ${database.url}`);
  else await database.drop();
}
