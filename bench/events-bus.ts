/**
 * The event buses side by side, in one run: the in-process bus (the baseline: no broker),
 * PostgreSQL LISTEN/NOTIFY and Redis pub/sub, each carrying trade events (~1 kB of JSON, as
 * the publisher sends them) from one bus to a second one in the same process, as from one API
 * instance to another. Prints, per bus:
 *
 * - the largest messages ours can be (a trade's and a batch's, every text field at its longest);
 * - throughput: BENCH_EVENTS messages (20,000) published in bursts of 256 (a chunk of
 *   outcomes committed at once), first publish to last receive;
 * - latency: publish → receive p50/p99/max at a steady 2,000 messages/s for 3 s;
 * - the extra load on PostgreSQL: bench/run.ts (stage and run BENCH_ROWS trades, 20,000 here)
 *   with EVENT_BUS=memory, postgres and redis, BENCH_EVENTS_REPEAT rounds (2) interleaved.
 *
 * Asserts nothing.
 *
 *   npx tsx bench/events-bus.ts
 *   BENCH_EVENTS_RUNS=0 npx tsx bench/events-bus.ts     # the buses alone, no bench/run.ts
 *   BENCH_REDIS_URL=redis://… TEST_DATABASE_ADMIN_URL=postgresql://… npx tsx bench/events-bus.ts
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Prisma, toBatchView, toTradeView } from "@fxbt/db";
import { batchRow, createEmptyDatabase, tradeRow } from "@fxbt/db/testing";
import {
  type BatchProgressMessage,
  createInProcessEventBus,
  createPostgresEventBus,
  createRedisEventBus,
  type EventBus,
  NOTIFY_PAYLOAD_LIMIT,
  type TradeStatusMessage,
} from "@fxbt/events";
import { Redis } from "ioredis";
import pg from "pg";
import { cpuSeconds } from "./lib/proc";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MESSAGES = Number(process.env.BENCH_EVENTS ?? 20_000);
const BURST = 256;
const RATE_PER_SECOND = 2_000;
const LATENCY_SECONDS = 3;
const RUN_ROWS = process.env.BENCH_ROWS ?? "20000";
const RUN_REPEAT = Number(process.env.BENCH_EVENTS_RUNS ?? 2);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A trade as the publisher sends it after the bank answered: ASCII text fields at their longest. */
function tradeMessage(fill: (length: number) => string, errorMessageLength: number): TradeStatusMessage {
  const trade = tradeRow({
    clientId: fill(64),
    clientName: fill(200),
    accountNumber: "1234567890123456789012345678901234",
    reference: fill(140),
    status: "FAILED",
    quoteId: `Q-${"0".repeat(34)}`,
    rate: new Prisma.Decimal("123456.123456789012345678"),
    sellAmount: new Prisma.Decimal("1000000000000.00"),
    buyAmount: new Prisma.Decimal("123456123456789.01"),
    valueDate: new Date("2026-12-31"),
    transactionId: `T-${"0".repeat(34)}`,
    errorCode: "INSUFFICIENT_FUNDS",
    errorMessage: fill(errorMessageLength),
    attempts: 99,
  });
  return { trade: toTradeView(trade), previousStatus: "QUOTED" };
}

/** A batch snapshot with its text fields at their longest. */
function batchMessage(fill: (length: number) => string): BatchProgressMessage {
  const batch = batchRow({
    name: fill(200),
    partner: fill(64),
    stagedBy: fill(254),
    approvedBy: fill(254),
    stagedById: "00000000-0000-4000-8000-000000000002",
    approvedById: "00000000-0000-4000-8000-000000000003",
    totalTrades: 100_000,
    succeededTrades: 99_999,
    queuedAt: new Date(),
    startedAt: new Date(),
    completedAt: new Date(),
    bankUnavailableSince: new Date(),
  });
  return { batch: toBatchView(batch) };
}

const ascii = (length: number) => "x".repeat(length);
/** The worst a character can cost in JSON: a control character, escaped as \u0001 (6 bytes). */
const escaped = (length: number) => "\u0001".repeat(length);
const bytes = (message: unknown) => Buffer.byteLength(JSON.stringify(message));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Pair {
  name: string;
  from: EventBus;
  to: EventBus;
  close(): Promise<void>;
}

/** Publishes `count` messages in bursts, one burst a tick, and times the last one's arrival. */
async function throughput(pair: Pair, message: TradeStatusMessage): Promise<number> {
  const channel = `trade-status:throughput-${pair.name}`;
  const subscription = pair.to.subscribe(channel, undefined, { limit: MESSAGES + 1 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = performance.now();
  const reading = (async () => {
    let seen = 0;
    for await (const _ of subscription) if (++seen === MESSAGES) break;
    return seen;
  })();
  for (let sent = 0; sent < MESSAGES; sent += BURST) {
    for (let i = sent; i < Math.min(MESSAGES, sent + BURST); i++) pair.from.publish(channel, message);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const seen = await reading;
  if (seen !== MESSAGES) throw new Error(`${pair.name}: ${seen} of ${MESSAGES} messages arrived`);
  return MESSAGES / ((performance.now() - started) / 1000);
}

/** Publish → receive at a steady rate, in bursts every 10 ms (one process: one clock). */
async function latency(pair: Pair, message: TradeStatusMessage): Promise<number[]> {
  const channel = `trade-status:latency-${pair.name}`;
  const total = RATE_PER_SECOND * LATENCY_SECONDS;
  const subscription = pair.to.subscribe<{ at: number }>(channel, undefined, { limit: total + 1 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const delays: number[] = [];
  const reading = (async () => {
    for await (const received of subscription) {
      delays.push(performance.now() - received.at);
      if (delays.length === total) break;
    }
  })();
  const perBurst = RATE_PER_SECOND / 100;
  const started = performance.now();
  for (let burst = 0; burst * perBurst < total; burst++) {
    const due = started + burst * 10;
    if (due > performance.now()) await new Promise((resolve) => setTimeout(resolve, due - performance.now()));
    for (let i = 0; i < perBurst; i++) pair.from.publish(channel, { ...message, at: performance.now() });
  }
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (delays.length !== total) throw new Error(`${pair.name}: ${delays.length} of ${total} messages arrived`);
  return delays.sort((a, b) => a - b);
}

async function pairs(databaseUrl: string): Promise<Pair[]> {
  const memory = createInProcessEventBus();
  const out: Pair[] = [{ name: "in-process (baseline)", from: memory, to: memory, close: () => memory.close() }];
  const [pgFrom, pgTo] = await Promise.all([createPostgresEventBus({ url: databaseUrl }), createPostgresEventBus({ url: databaseUrl })]);
  out.push({
    name: "PostgreSQL NOTIFY",
    from: pgFrom,
    to: pgTo,
    close: async () => void (await Promise.all([pgFrom.close(), pgTo.close()])),
  });
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const redisUp = await probe.connect().then(
    () => true,
    () => false,
  );
  probe.disconnect();
  if (redisUp) {
    const prefix = `fxbt:bench:${process.pid}:`;
    const [from, to] = await Promise.all([
      createRedisEventBus({ url: REDIS_URL, prefix }),
      createRedisEventBus({ url: REDIS_URL, prefix }),
    ]);
    out.push({ name: "Redis pub/sub", from, to, close: async () => void (await Promise.all([from.close(), to.close()])) });
  } else {
    console.log(`Redis at ${REDIS_URL}: unreachable, left out`);
  }
  return out;
}

interface BackendCpu {
  /** CPU seconds of every backend of the bench's database (the runner's, the API's, the bus's). */
  database: number;
  /** Of which the event bus's own backends (its listener and its publishing connection). */
  bus: number;
}

/**
 * Samples the CPU time of the bench database's backends while bench/run.ts runs, from
 * pg_stat_activity and /proc (the server must run on this machine): what PostgreSQL spends on
 * the bus, beside what the whole run costs it. A bench database is told by its name and by the
 * the database's name bench/run.ts gives it (fxbt_bench_<pid>_<hex>) and by being the first made after the
 * sampler started: other benches may run at the same time.
 */
function sampleBackends(): { stop(): Promise<BackendCpu> } {
  const client = new pg.Client({
    connectionString: process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  });
  const last = new Map<number, { cpu: number; bus: boolean }>();
  let database: string | null = null;
  let stopped = false;
  const sampling = (async () => {
    await client.connect();
    const startedAt = new Date();
    while (!stopped) {
      const { rows } = await client.query<{ pid: number; datname: string; application_name: string }>(
        `SELECT pid, datname, application_name FROM pg_stat_activity
          WHERE datname ~ '^fxbt_bench_[0-9]+_[0-9a-f]{8}$' AND backend_start >= $1`,
        [startedAt],
      );
      // The run's database: the first one seen that started after this sampler did.
      database ??= rows[0]?.datname ?? null;
      for (const row of rows) {
        if (row.datname !== database) continue;
        const cpu = cpuSeconds(row.pid);
        if (cpu !== null) last.set(row.pid, { cpu, bus: row.application_name.startsWith("fxbt-events-") });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await sampling.catch(() => {});
      await client.end().catch(() => {});
      let total = 0;
      let bus = 0;
      for (const entry of last.values()) {
        total += entry.cpu;
        if (entry.bus) bus += entry.cpu;
      }
      return { database: total, bus };
    },
  };
}

/** Redis's own CPU seconds so far (INFO cpu), or null without Redis. */
async function redisCpu(): Promise<number | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    const info = await redis.info("cpu");
    const value = (name: string) => Number(info.match(new RegExp(`${name}:([\\d.]+)`))?.[1] ?? Number.NaN);
    return value("used_cpu_sys") + value("used_cpu_user");
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

interface RunFigures {
  line: string;
  tradesPerSecond: number;
  backends: BackendCpu;
  /** Redis's CPU seconds during the run (anything else using that Redis counts too). */
  redis: number | null;
}

/** bench/run.ts in a child process with the given bus: its trades/s, and what PostgreSQL and Redis spent. */
async function runnerThroughput(bus: string): Promise<RunFigures> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_ROWS: RUN_ROWS, EVENT_BUS: bus };
  if (bus === "redis") env.REDIS_URL = REDIS_URL;
  else delete env.REDIS_URL;
  const redisBefore = await redisCpu();
  const sampler = sampleBackends();
  const { line, tradesPerSecond } = await new Promise<{ line: string; tradesPerSecond: number }>((resolve, reject) => {
    const child = spawn("npx", ["tsx", "bench/run.ts"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const found = output.split("\n").find((l) => l.startsWith("run (latency 0):"));
      const rate = found?.match(/([\d,]+) trades\/s/)?.[1];
      if (code !== 0 || !found || !rate) reject(new Error(`bench/run.ts with EVENT_BUS=${bus} failed (${code}):\n${output}`));
      else resolve({ line: found, tradesPerSecond: Number(rate.replaceAll(",", "")) });
    });
  });
  const backends = await sampler.stop();
  const redisAfter = await redisCpu();
  return { line, tradesPerSecond, backends, redis: redisBefore !== null && redisAfter !== null ? redisAfter - redisBefore : null };
}

async function main() {
  const typical = tradeMessage(ascii, 200);
  console.log(`NOTIFY payload limit ${NOTIFY_PAYLOAD_LIMIT} bytes`);
  console.log(
    `largest messages (JSON bytes): trade ${bytes(tradeMessage(ascii, 200))} (ASCII text at its longest, a 200-character bank message), ` +
      `${bytes(tradeMessage(escaped, 200))} (every character a control character); batch ${bytes(batchMessage(ascii))} ASCII, ${bytes(batchMessage(escaped))} escaped`,
  );
  console.log(`a trade message as benched: ${bytes(typical)} bytes; messages: ${MESSAGES.toLocaleString("en-US")} in bursts of ${BURST}`);

  const database = await createEmptyDatabase("fxbt_bench_events");
  try {
    const buses = await pairs(database.url);
    try {
      for (const pair of buses) {
        const perSecond = await throughput(pair, typical);
        const delays = await latency(pair, typical);
        console.log(
          `${pair.name.padEnd(22)} ${Math.round(perSecond).toLocaleString("en-US").padStart(9)} messages/s   ` +
            `at ${RATE_PER_SECOND.toLocaleString("en-US")}/s: p50 ${percentile(delays, 50).toFixed(2)} ms  p99 ${percentile(delays, 99).toFixed(2)} ms  max ${delays.at(-1)!.toFixed(2)} ms`,
        );
      }
    } finally {
      await Promise.all(buses.map((pair) => pair.close()));
    }
  } finally {
    await database.drop();
  }

  if (RUN_REPEAT <= 0) return;
  console.log(
    `bench/run.ts, ${Number(RUN_ROWS).toLocaleString("en-US")} trades, bank latency 0, with each bus (${RUN_REPEAT} rounds, interleaved):`,
  );
  const rates = new Map<string, number[]>();
  for (let round = 0; round < RUN_REPEAT; round++) {
    for (const bus of ["memory", "postgres", "redis"]) {
      const { line, tradesPerSecond, backends, redis } = await runnerThroughput(bus);
      const busShare = backends.database > 0 ? Math.round((backends.bus / backends.database) * 1000) / 10 : 0;
      console.log(
        `  EVENT_BUS=${bus.padEnd(8)} ${line}; PostgreSQL backends ${backends.database.toFixed(1)} CPU-s, of which the bus ${backends.bus.toFixed(2)} (${busShare}%)` +
          (bus === "redis" && redis !== null ? `; Redis ${redis.toFixed(2)} CPU-s` : ""),
      );
      rates.set(bus, [...(rates.get(bus) ?? []), tradesPerSecond]);
    }
  }
  const baseline = Math.max(...(rates.get("memory") ?? [Number.NaN]));
  for (const [bus, values] of rates) {
    const best = Math.max(...values);
    console.log(
      `runner with EVENT_BUS=${bus.padEnd(8)} best ${best.toLocaleString("en-US")} trades/s (${Math.round((best / baseline) * 100)}% of memory's best), all: ${values.join(", ")}`,
    );
  }
}

await main();
