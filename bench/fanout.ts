/**
 * batchProgress to many graphql-ws subscribers (issue 9: commit → client p50 100 ms, p99 2,220 ms
 * at 1,000 subscribers; target p99 < 100 ms). The API runs in this process as bench/run.ts runs
 * it; the subscribers run in a child process of their own (as partner apps would be, one socket
 * each), all on one batch of BENCH_ROWS trades. An event's latency is the time it reached its
 * client minus the batch's updatedAt it carries (the time of the batch's last write in the
 * transaction, a few milliseconds before its commit: clock_timestamp(), stamped by a trigger; one
 * machine, one clock). One subscriber is the baseline, measured in the same run. Prints
 * figures; asserts nothing.
 *
 * Each latency is also split where the event was published (the bench listens on the API's bus,
 * as a subscription does): updatedAt → publish is the end of the writing transaction and its commit
 * plus the publisher's progress coalescing (PROGRESS_INTERVAL_MS) plus any wait for the event
 * loop; publish → client is the fan-out itself (execution, serialising, sockets, the client).
 *
 *   npx tsx bench/fanout.ts                              # 5,000 trades; 1, 1,000 and 2,000 subscribers
 *   BENCH_ROWS=2000 BENCH_SUBSCRIBERS=1,100 npx tsx bench/fanout.ts
 *   BENCH_BANK_LATENCY_MS=150 npx tsx bench/fanout.ts    # a slower bank: a longer batch, more events
 */
import { fork } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { processedTrades, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import type { BatchProgressMessage, EventBus } from "@fxbt/events";
import { type Client, createClient } from "graphql-ws";
import { pino } from "pino";
import WebSocket from "ws";

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

interface Published {
  at: number;
  /** A change of status, which the publisher sends at once; otherwise progress it held back (coalesced). */
  statusChanged: boolean;
}

/** When each snapshot of the batch was published on the API's bus, by snapshotKey. */
function recordPublishing(bus: EventBus, channel: string): Map<string, Published> {
  const published = new Map<string, Published>();
  const stop = new AbortController();
  const live = bus.subscribe<BatchProgressMessage>(channel, stop.signal, { limit: 100_000 });
  void (async () => {
    let status: string | null = null;
    for await (const { batch } of live) {
      published.set(snapshotKey({ ...batch, processedTrades: processedTrades(batch) }), {
        at: Date.now(),
        statusChanged: batch.status !== status,
      });
      status = batch.status;
      if (FINAL.includes(batch.status)) stop.abort();
    }
  })();
  return published;
}

/** Each event's latency from its updatedAt, and the two parts of it either side of its publishing; each list sorted. */
function splitLatencies(received: Received[], published: Map<string, Published>) {
  const total: number[] = [];
  const toPublish: number[] = [];
  /** updatedAt → publish of the snapshots published at once: the writing transaction and the event loop, no coalescing. */
  const statusToPublish = new Map<string, number>();
  const toClient: number[] = [];
  let unmatched = 0;
  for (const [at, snapshot] of received) {
    const updatedAt = Date.parse(snapshot.slice(0, snapshot.indexOf("|")));
    total.push(at - updatedAt);
    const publishing = published.get(snapshot);
    if (publishing === undefined) {
      unmatched++;
      continue;
    }
    toPublish.push(publishing.at - updatedAt);
    if (publishing.statusChanged) statusToPublish.set(snapshot, publishing.at - updatedAt);
    toClient.push(at - publishing.at);
  }
  const ascending = (a: number, b: number) => a - b;
  return {
    total: total.sort(ascending),
    toPublish: toPublish.sort(ascending),
    statusToPublish: [...statusToPublish.values()].sort(ascending),
    toClient: toClient.sort(ascending),
    unmatched,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main() {
  const { startApp } = await import("../apps/api/src/app");
  const { configFromEnv } = await import("../apps/api/src/config");
  const { AccessService } = await import("../apps/api/src/services/access");
  const { createMigratedDatabase } = await import("../packages/db/src/testing");
  const { channels } = await import("@fxbt/events");

  const database = await createMigratedDatabase("fxbt_bench_fanout");
  const most = Math.max(...SUBSCRIBERS);
  const app = await startApp(
    configFromEnv({
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
    }),
    { log: pino({ level: "error" }), terminal: null },
  );
  const actor = { kind: null, id: null, name: "bench", address: null };
  const { key } = await new AccessService(app.database).createApiKey(actor, { role: "TRADER", name: "bench-fanout" });
  const graphql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };

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
      const published = recordPublishing(app.bus, channels.batchProgress(batchId));

      const started = performance.now();
      await graphql(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batchId });
      const done = (await next("done")) as Extract<ClientReport, { kind: "done" }>;
      const runSeconds = (performance.now() - started) / 1000;
      await exited;

      const split = splitLatencies(done.received, published);
      const sorted = split.total;
      const perSubscriber = [...done.events].sort((a, b) => a - b);
      const finished = done.lastStatus.filter((status) => FINAL.includes(status)).length;
      const ms = (value: number) => `${Math.round(value).toLocaleString("en-US")} ms`;
      const line =
        `fanout ${count.toLocaleString("en-US")} subscriber${count === 1 ? "" : "s"}: ` +
        `p50 ${ms(percentile(sorted, 50))}  p95 ${ms(percentile(sorted, 95))}  p99 ${ms(percentile(sorted, 99))}  max ${ms(sorted.at(-1) ?? Number.NaN)}  ` +
        `(${sorted.length.toLocaleString("en-US")} events; per subscriber ${perSubscriber[0]}–${perSubscriber.at(-1)}, median ${percentile(perSubscriber, 50)}; ` +
        `${finished}/${count} saw the final status; batch ran ${runSeconds.toFixed(2)} s; sockets opened in ${ready.connectSeconds.toFixed(2)} s)`;
      console.log(line);
      const parts = (name: string, values: number[]) =>
        `${name} p50 ${ms(percentile(values, 50))}  p99 ${ms(percentile(values, 99))}  max ${ms(values.at(-1) ?? Number.NaN)}`;
      console.log(
        `  split at publish: ${parts("updatedAt → publish", split.toPublish)} (status changes, sent at once: ${split.statusToPublish.map(ms).join(", ")});  ${parts("publish → client", split.toClient)}` +
          (split.unmatched > 0 ? `  (${split.unmatched} events not seen published)` : ""),
      );
      for (const error of done.errors) console.log(`  error: ${error}`);
      lines.push(line);
    }
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    );
    console.log(
      `batch: ${ROWS.toLocaleString("en-US")} trades, bank latency ${BANK_LATENCY_MS} ms; progress events coalesced every ${process.env.PROGRESS_INTERVAL_MS ?? 250} ms (PROGRESS_INTERVAL_MS: part of each latency); one API process (sockets + runner) and one subscribers' process share the cores`,
    );
    const baseline = lines[0];
    if (baseline && SUBSCRIBERS[0] === 1) console.log(`baseline (same run): the 1-subscriber line above`);
  } finally {
    await app.close();
    await database.drop();
  }
}

if (process.argv[2] !== "subscribers") await main();
