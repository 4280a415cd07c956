/**
 * batchProgress to many graphql-ws subscribers (issue 9: commit → client p50 100 ms, p99 2,220 ms
 * at 1,000 subscribers; target p99 < 100 ms). The API runs in this process as bench/run.ts runs
 * it; the subscribers run in a child process of their own (as partner apps would be, one socket
 * each), all on one batch of BENCH_ROWS trades. One subscriber is the baseline, measured in the
 * same run. Prints figures; asserts nothing.
 *
 * An event's latency is the time it reached its client minus the time the API had PostgreSQL's
 * answer to the COMMIT of the transaction that wrote it: the first moment it could be published.
 * The API runs in this process, so its database calls, its publisher and its socket writes are
 * timed where they happen (lib/fanout-trace.ts), each event named by the batch's updatedAt it
 * carries; every stage is printed with its p50, p99 and max. Until 2026-11-28 the bench timed from
 * that updatedAt (clock_timestamp() of the batch row's update, stamped by a trigger), still printed
 * beside: but the outcome statement updates the batch row first (it numbers the events) and then
 * writes the trades, their attempts and their search rows, and the COMMIT comes after that, so
 * updatedAt → commit is the writing transaction's time (tens of ms), not the event's.
 *
 * A client's time is taken when graphql-ws hands it the event, in the same dispatch as its socket's
 * 'message' event: a listener timing the raw message ahead of graphql-ws's parse differed by at most
 * 1 ms at p99, so no parse of the event itself is timed. What is timed is the queue: the
 * subscribers' process reads its sockets one after another, on the same two cores as the API.
 *
 *   npx tsx bench/fanout.ts                              # 5,000 trades; 1, 1,000 and 2,000 subscribers
 *   BENCH_ROWS=2000 BENCH_SUBSCRIBERS=1,100 npx tsx bench/fanout.ts
 *   BENCH_BANK_LATENCY_MS=150 npx tsx bench/fanout.ts    # a slower bank: a longer batch, more events
 */
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { type Client, createClient } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";
import { describeStages, measureTraces, traceFanout } from "./lib/fanout-trace";
import { graphqlClient } from "./lib/graphql";
import { percentile } from "./lib/timing";

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000);
const SUBSCRIBERS = (process.env.BENCH_SUBSCRIBERS ?? "1,1000,2000").split(",").map(Number);
const BANK_LATENCY_MS = process.env.BENCH_BANK_LATENCY_MS ?? "0";
/** Sockets opened at once while connecting the subscribers. */
const CONNECT_WAVE = 100;

interface StartMessage {
  url: string;
  key: string;
  batchId: string;
  subscribers: number;
}
type ClientReport =
  | { kind: "ready"; connectSeconds: number }
  | { kind: "done"; received: Received[]; events: number[]; errors: string[]; lastStatus: string[] };

/** One event at one client: when it arrived (ms since the epoch) and which snapshot it was (snapshotKey). */
type Received = [at: number, snapshot: string];

/** Names a batch snapshot the same way on both sides: its updatedAt, status and processed count. */
const snapshotKey = (batch: { updatedAt: string; status: string; processedTrades: number }) =>
  `${new Date(batch.updatedAt).toISOString()}|${batch.status}|${batch.processedTrades}`;

const FINAL = ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"];
const SUBSCRIPTION = `subscription($id: ID!) { batchProgress(id: $id) { batch { status processedTrades updatedAt } } }`;

/** A socket's close (code and reason), an Error's message, or GraphQL errors. */
function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "code" in error)
    return `closed ${(error as { code: number }).code} ${(error as { reason?: string }).reason ?? ""}`.trim();
  return JSON.stringify(error);
}

// ---------------------------------------------------------------------------------------------
// The subscribers' process: S sockets, one subscription each.

async function subscribers({ url, key, batchId, subscribers: count }: StartMessage): Promise<void> {
  // Sent before the process exits: a large report is still in the pipe when send() returns.
  const send = (message: ClientReport) =>
    new Promise<void>((resolve, reject) => process.send!(message, undefined, {}, (error) => (error ? reject(error) : resolve())));
  const received: Received[] = [];
  const events = new Array<number>(count).fill(0);
  const lastStatus = new Array<string>(count).fill("");
  const errors: string[] = [];
  const clients: Client[] = [];
  const firsts: Promise<void>[] = [];
  const ends: Promise<void>[] = [];
  const started = performance.now();
  for (let wave = 0; wave < count; wave += CONNECT_WAVE) {
    const opened: Promise<void>[] = [];
    for (let i = wave; i < Math.min(count, wave + CONNECT_WAVE); i++) {
      let connected!: () => void;
      opened.push(new Promise((resolve) => (connected = resolve)));
      const client = createClient({
        url: url.replace("http", "ws"),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${key}` },
        onNonLazyError: (error) => errors.push(`socket ${i}: ${describe(error)}`),
        // A refused socket ends its wait too (its subscription reports the error).
        on: { connected: () => connected(), closed: () => connected() },
      });
      clients.push(client);
      let first!: () => void;
      firsts.push(new Promise((resolve) => (first = resolve)));
      ends.push(
        new Promise((resolve) => {
          client.subscribe<{ batchProgress: { batch: { status: string; processedTrades: number; updatedAt: string } } }>(
            { query: SUBSCRIPTION, variables: { id: batchId } },
            {
              next: ({ data, errors: failed }) => {
                const at = Date.now();
                if (failed) errors.push(`subscriber ${i}: ${JSON.stringify(failed)}`);
                if (!data) return;
                // The first event is the state when subscribing (staged long ago), not a commit to time.
                if (events[i]! > 0 || lastStatus[i]) {
                  received.push([at, snapshotKey(data.batchProgress.batch)]);
                  events[i]!++;
                } else {
                  first();
                }
                lastStatus[i] = data.batchProgress.batch.status;
              },
              error: (error) => {
                errors.push(`subscriber ${i}: ${describe(error)}`);
                first();
                resolve();
              },
              complete: () => resolve(),
            },
          );
        }),
      );
    }
    await Promise.all(opened);
  }
  await Promise.all(firsts);
  await send({ kind: "ready", connectSeconds: (performance.now() - started) / 1000 });
  await Promise.all(ends);
  await send({ kind: "done", received, events, errors: errors.slice(0, 5), lastStatus });
  await Promise.all(clients.map((client) => client.dispose()));
}

if (process.argv[2] === "subscribers") {
  process.once("message", (message: StartMessage) => {
    subscribers(message).then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// The API's process.

function csv(rows: number, round: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++)
    lines.push(`C-${i % 500},Client ${i % 500},${1_000_000_000 + i},ZAR,USD,BUY,${100 + (i % 9000)}.25,,FANOUT-${round}-${i}`);
  return lines.join("\n");
}

async function main() {
  const { startApp } = await import("../apps/api/src/app");
  const { configFromEnv, eventBusKind } = await import("../apps/api/src/config");
  const { AccessService } = await import("../apps/api/src/services/access");
  const { createMigratedDatabase } = await import("../packages/db/src/testing");

  const database = await createMigratedDatabase("fxbt_bench_fanout");
  const most = Math.max(...SUBSCRIBERS);
  const config = configFromEnv({
    ...process.env,
    DATABASE_URL: database.url,
    PORT: "0",
    HOST: "127.0.0.1",
    BANK_SIM_LATENCY_MS: BANK_LATENCY_MS,
    MAX_CSV_ROWS: String(ROWS),
    // The subscribers are one key's many sockets: the limits are for people and partners.
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    MAX_SOCKETS_PER_PRINCIPAL: String(Math.max(5000, most + 10)),
  });
  const app = await startApp(config, { log: pino({ level: "error" }), terminal: null });
  const actor = { kind: null, id: null, name: "bench", address: null };
  const { key } = await new AccessService(app.database).createApiKey(actor, { role: "TRADER", name: "bench-fanout" });
  const graphql = graphqlClient(app.url, key);

  const lines: string[] = [];
  try {
    for (const [round, count] of SUBSCRIBERS.entries()) {
      const { stageBatch } = await graphql<{ stageBatch: { batch: { id: string } | null; errors: unknown[] } }>(
        `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } errors { row field message } } }`,
        { csv: csv(ROWS, round) },
      );
      if (!stageBatch.batch) throw new Error(`staging failed: ${JSON.stringify(stageBatch.errors.slice(0, 3))}`);
      const batchId = stageBatch.batch.id;

      const child = fork(fileURLToPath(import.meta.url), ["subscribers"], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
      const reports: ClientReport[] = [];
      let wake = () => {};
      child.on("message", (message: ClientReport) => {
        reports.push(message);
        wake();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const next = async (kind: ClientReport["kind"]) => {
        for (;;) {
          const found = reports.find((report) => report.kind === kind);
          if (found) return found;
          const woken = new Promise<void>((resolve) => (wake = resolve));
          const code = await Promise.race([woken.then(() => undefined), exited]);
          if (code !== undefined && !reports.some((report) => report.kind === kind))
            throw new Error(`subscribers' process exited with ${code} before "${kind}"`);
        }
      };
      child.send({ url: app.url, key, batchId, subscribers: count } satisfies StartMessage);
      const ready = (await next("ready")) as Extract<ClientReport, { kind: "ready" }>;
      const trace = traceFanout();
      const started = performance.now();
      await graphql(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batchId });
      const done = (await next("done")) as Extract<ClientReport, { kind: "done" }>;
      const runSeconds = (performance.now() - started) / 1000;
      const loopDelay = trace.stop();
      await exited;

      const measured = measureTraces(
        trace.traces,
        done.received.map(([at, snapshot]): [number, string] => [at, snapshot.slice(0, snapshot.indexOf("|"))]),
      );
      const sorted = measured.fromCommit;
      const perSubscriber = [...done.events].sort((a, b) => a - b);
      const finished = done.lastStatus.filter((status) => FINAL.includes(status)).length;
      const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
      const line =
        `fanout ${count.toLocaleString("en-US")} subscriber${count === 1 ? "" : "s"}, commit → client: ` +
        `p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}  p99 ${ms(percentile(sorted, 99))}  max ${ms(sorted.at(-1) ?? Number.NaN)}  ` +
        `(${sorted.length.toLocaleString("en-US")} events; per subscriber ${perSubscriber[0]}–${perSubscriber.at(-1)}, median ${percentile(perSubscriber, 50)}; ` +
        `${finished}/${count} saw the final status; batch ran ${runSeconds.toFixed(2)} s; sockets opened in ${ready.connectSeconds.toFixed(2)} s)`;
      console.log(line);
      const parts = (values: number[]) =>
        `p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}  max ${ms(values.at(-1) ?? Number.NaN)}`;
      console.log(`  updatedAt → client (what this bench printed before 2026-11-28): ${parts(measured.fromUpdatedAt)}`);
      console.log(
        `  stages (the API's event-loop delay meanwhile: p50 ${loopDelay.p50.toFixed(1)}, p99 ${loopDelay.p99.toFixed(1)}, max ${loopDelay.max.toFixed(1)} ms):`,
      );
      for (const stage of describeStages(measured)) console.log(stage);
      for (const error of done.errors) console.log(`  error: ${error}`);
      lines.push(line);
    }
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    );
    console.log(
      `batch: ${ROWS.toLocaleString("en-US")} trades, bank latency ${BANK_LATENCY_MS} ms; a progress change held after the batch's last event for twice that event's delivery time (over a broker, from its return, less its round trip), at most ${config.progressIntervalMs} ms (PROGRESS_INTERVAL_MS); events over the ${eventBusKind(config)} bus; one API process (sockets + runner) and one subscribers' process share the cores`,
    );
    const baseline = lines[0];
    if (baseline && SUBSCRIBERS[0] === 1) console.log(`baseline (same run): the 1-subscriber line above`);
  } finally {
    await app.close();
    await database.drop();
  }
}

if (process.argv[2] !== "subscribers") await main();
