/**
 * One batch run by two API instances sharing one database (issue 9: "two instances under load"),
 * beside the same batch run by one instance, in the same run. Each instance is the production
 * build in a process of its own (as docker-compose runs them); both runners claim from the same
 * batch. A batchProgress subscriber on every instance times the last event it receives after the
 * batch's completedAt: on the instance that did not write the last change, that event crossed
 * instances (over PostgreSQL LISTEN/NOTIFY, or Redis with BENCH_EVENT_BUS=redis). Afterwards every
 * trade is checked against the simulated bank's ledger (booked once, SUCCESS exactly when booked,
 * the batch's counters equal to its trades). Prints figures; asserts nothing.
 *
 *   npx tsx bench/instances.ts                          # 20,000 trades; bank latency 0 and 20 ms
 *   BENCH_ROWS=100000 BENCH_LATENCIES=0 npx tsx bench/instances.ts
 *   BENCH_EVENT_BUS=redis npx tsx bench/instances.ts    # events over Redis (127.0.0.1:6379)
 */
import os from "node:os";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { type Client, createClient } from "graphql-ws";
import pg from "pg";
import WebSocket from "ws";
import { type ApiProcess, buildApi, createAdminKey, killApiProcesses, post, startApiProcess } from "../apps/api/test/api-process";
import { createMigratedDatabase } from "../packages/db/src/testing";
import { cpuSeconds } from "./lib/proc";

const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const LATENCIES = (process.env.BENCH_LATENCIES ?? "0,20").split(",").map((value) => value.trim());
const EVENT_BUS = process.env.BENCH_EVENT_BUS ?? "postgres";
const FINAL = ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"];

/**
 * The batch's CSV. Every 25th trade's booking answer is lost once (the simulator's account ending
 * 7777: booked, then BANK_TIMEOUT; the runner must ask again under the same key, never book it
 * twice), and every 40th is refused at booking (8888: INSUFFICIENT_FUNDS), so the batch ends
 * PARTIAL_SUCCESS.
 */
function csv(rows: number): string {
  const account = (i: number) => (i % 40 === 0 ? "1234568888" : i % 25 === 0 ? "1234567777" : "1234567890");
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++) lines.push(`C-${i % 97},Client ${i % 97},${account(i)},ZAR,USD,BUY,${100 + (i % 1000)}.25,,INST-${i}`);
  return lines.join("\n");
}

interface Watch {
  /** When the subscriber received the batch's final state (ms since the epoch), once it has. */
  finalAt: Promise<number>;
  events(): number;
  close(): Promise<void>;
}

/** A batchProgress subscriber on one instance: counts its events and notes when the final one arrives. */
function watch(instance: ApiProcess, key: string, batchId: string): Promise<Watch> {
  let events = 0;
  let client!: Client;
  let resolveFinal!: (at: number) => void;
  let rejectFinal!: (error: unknown) => void;
  const finalAt = new Promise<number>((resolve, reject) => {
    resolveFinal = resolve;
    rejectFinal = reject;
  });
  return new Promise((ready, failed) => {
    client = createClient({
      url: instance.url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${key}` },
      onNonLazyError: failed,
    });
    client.subscribe<{ batchProgress: { batch: { status: string } } }>(
      { query: `subscription($id: ID!) { batchProgress(id: $id) { batch { status } } }`, variables: { id: batchId } },
      {
        next: ({ data }) => {
          const at = Date.now();
          // The first event is the state when subscribing: the subscription is live from then on.
          if (events++ === 0) ready({ finalAt, events: () => events - 1, close: () => client.dispose() as Promise<void> });
          if (data && FINAL.includes(data.batchProgress.batch.status)) resolveFinal(at);
        },
        // An error before the first event fails the wait for it too, so the run ends (and kills its APIs).
        error: (error) => {
          failed(error);
          rejectFinal(error);
        },
        complete: () => resolveFinal(Number.NaN),
      },
    );
  });
}

/** The ledger's verdict on a batch: how many trades the bank booked, and every trade that disagrees with it. */
async function ledger(databaseUrl: string, batchId: string): Promise<{ booked: number; violations: number; counters: boolean }> {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    const { rows } = await sql.query<{ booked: number; violations: number; counters: boolean }>(
      `WITH t AS (
         SELECT t.status, count(b.transaction_id)::int AS booked_keys, min(b.transaction_id) AS booked, t.transaction_id
         FROM trade t LEFT JOIN bank_sim_booking b ON split_part(b.idempotency_key, ':', 1) = t.id::text
         WHERE t.batch_id = $1 GROUP BY t.id),
       totals AS (
         SELECT count(*) FILTER (WHERE booked_keys > 0)::int AS booked,
                count(*) FILTER (WHERE booked_keys > 1 OR (booked_keys = 1) <> (status = 'SUCCESS')
                                    OR (booked_keys = 1 AND booked IS DISTINCT FROM transaction_id))::int AS violations,
                count(*) FILTER (WHERE status = 'SUCCESS')::int AS succeeded,
                count(*) FILTER (WHERE status = 'FAILED')::int AS failed,
                count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled
         FROM t)
       SELECT booked, violations,
              (batch.succeeded_trades = succeeded AND batch.failed_trades = failed AND batch.cancelled_trades = cancelled) AS counters
       FROM totals, batch WHERE batch.id = $1`,
      [batchId],
    );
    return rows[0]!;
  } finally {
    await sql.end();
  }
}

interface Outcome {
  seconds: number;
  status: string;
  succeeded: number;
  failed: number;
  cpu: number[];
  /** Per instance: its subscriber's final event after the batch's completedAt, ms, and its event count. */
  lastEvent: { afterCompletion: number; events: number }[];
  ledger: { booked: number; violations: number; counters: boolean };
}

async function runOn(instances: number, latency: string): Promise<Outcome> {
  const database = await createMigratedDatabase("fxbt_bench_instances");
  const env = {
    DATABASE_URL: database.url,
    BANK_SIM_LATENCY_MS: latency,
    BANK_SIM_SUCCESS_RATE: "1",
    EVENT_BUS,
    ...(EVENT_BUS === "redis" ? { REDIS_URL: "redis://127.0.0.1:6379", REDIS_EVENTS_PREFIX: `bench-${process.pid}-${Date.now()}:` } : {}),
    MAX_CSV_ROWS: String(ROWS),
    // The bench polls as fast as it likes: the rate limits are for people and partners.
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
  };
  try {
    const key = await createAdminKey(env);
    const servers: ApiProcess[] = [];
    for (let i = 0; i < instances; i++) servers.push(await startApiProcess(env));
    const [first] = servers as [ApiProcess];
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(
      first.url,
      key,
      `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) { batch { id } } }`,
      { csv: csv(ROWS) },
    );
    const id = stageBatch.batch.id;
    const watches = await Promise.all(servers.map((server) => watch(server, key, id)));
    const cpuBefore = servers.map((server) => cpuSeconds(server.child.pid!) ?? Number.NaN);
    const started = performance.now();
    await post(first.url, key, `mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
    const finals = await Promise.all(watches.map((w) => w.finalAt));
    const seconds = (performance.now() - started) / 1000;
    const cpu = servers.map((server, i) => (cpuSeconds(server.child.pid!) ?? Number.NaN) - cpuBefore[i]!);
    const { batch } = await post<{ batch: { status: string; completedAt: string; succeededTrades: number; failedTrades: number } }>(
      first.url,
      key,
      `query($id: ID!) { batch(id: $id) { status completedAt succeededTrades failedTrades } }`,
      { id },
    );
    await Promise.all(watches.map((w) => w.close()));
    const completedAt = Date.parse(batch.completedAt);
    return {
      seconds,
      status: batch.status,
      succeeded: batch.succeededTrades,
      failed: batch.failedTrades,
      cpu,
      lastEvent: watches.map((w, i) => ({ afterCompletion: finals[i]! - completedAt, events: w.events() })),
      ledger: await ledger(database.url, id),
    };
  } finally {
    await killApiProcesses();
    await database.drop();
  }
}

await buildApi();
console.log(
  `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${os.loadavg()[0]!.toFixed(1)}`,
);
console.log(`${ROWS.toLocaleString("en-US")} trades, one batch; events across instances over ${EVENT_BUS}`);
for (const latency of LATENCIES) {
  for (const instances of [1, 2]) {
    const outcome = await runOn(instances, latency);
    const rate = Math.round(ROWS / outcome.seconds).toLocaleString("en-US");
    console.log(
      `bank latency ${latency} ms, ${instances} instance${instances > 1 ? "s" : ""}: ${outcome.seconds.toFixed(1)} s, ${rate} trades/s ` +
        `(${outcome.status}: ${outcome.succeeded} succeeded, ${outcome.failed} failed); load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    console.log(
      `  API CPU seconds per instance: ${outcome.cpu.map((s) => s.toFixed(1)).join(", ")}; ` +
        `final event after completedAt, per instance: ${outcome.lastEvent.map((e) => `${e.afterCompletion} ms (${e.events} events)`).join(", ")}`,
    );
    console.log(
      `  ledger: ${outcome.ledger.booked} booked, ${outcome.ledger.violations} trades disagreeing with it, counters ${outcome.ledger.counters ? "equal to the trades" : "DIFFERENT from the trades"}`,
    );
  }
}
