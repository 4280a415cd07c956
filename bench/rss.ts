/**
 * The API's memory while it stages and runs a 100,000-trade batch, as `npm start` runs it (the
 * production build with the flags and environment of apps/api's "start" script), beside, in the
 * same run, the same build started with a bare `node dist/main.js` (what those flags and
 * environment are worth) and the server run from its sources through tsx (development). Prints
 * figures; asserts nothing.
 *
 *   npx tsx bench/rss.ts                  # 100,000 trades
 *   BENCH_ROWS=20000 npx tsx bench/rss.ts
 *   BENCH_RSS_ONLY=start npx tsx bench/rss.ts   # some of start, bare, tsx, compare (comma-separated)
 *   BENCH_RSS_COMPARE=dist-before npx tsx bench/rss.ts
 *
 * BENCH_RSS_TRY="MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 dist/main.js; node …" measures
 * each of these command lines too (tryN in BENCH_RSS_ONLY): flags worth trying, in one run.
 * BENCH_RSS_COMPARE names another build folder in apps/api (say, `dist` of an earlier commit
 * copied there): it is measured too, started like `npm start` (same flags and environment).
 *
 * Each server gets its own migrated database and a CSV of BENCH_ROWS rows through `stageBatch`
 * over HTTP (bank latency 0), then `startBatch`, polled until the batch completes. RSS is read
 * from /proc every 100 ms; V8's heap (used, total) and memory outside it ("external": Buffers,
 * WASM memory, strings held by native code) come from the API's own /metrics (prom-client's
 * process metrics, METRICS_TOKEN set), every 500 ms. Phases: idle (started, nothing staged),
 * staging (the stageBatch call), staged (its answer received), running (start until completed),
 * after (2 s after completion). For idle, staged and after the figures are one sample; for
 * staging and running they are the phase's highest (the /metrics samples of staging are few:
 * the parse holds the event loop, and they are the heap around it).
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { createMigratedDatabase } from "../packages/db/src/testing";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const API_DIR = fileURLToPath(new URL("../apps/api/", import.meta.url));
const METRICS_TOKEN = "bench-rss";
const MiB = 1024 * 1024;

function csv(rows: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++)
    lines.push(`C-${i % 500},Client ${i % 500},${1_000_000_000 + i},ZAR,USD,BUY,${100 + (i % 9000)}.25,,RSS-${i}`);
  return lines.join("\n");
}

/** How a server is started: node's arguments and the environment variables set for it. */
interface Launch {
  label: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * apps/api's "start" script as `npm start` runs it: leading NAME=value words are environment,
 * then `node` and its arguments (plain words: the script is kept that simple on purpose).
 */
function startScript(): Launch {
  const script: string = JSON.parse(readFileSync(`${API_DIR}package.json`, "utf8")).scripts.start;
  return commandLine(`npm start: ${script}`, script);
}

function commandLine(label: string, script: string): Launch {
  const words = script.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split("=");
    env[name!] = value.join("=");
  }
  if (words.shift() !== "node") throw new Error(`not a node command line: ${script}`);
  return { label, args: words, env };
}

const LAUNCHES: Record<string, Launch> = {
  start: startScript(),
  bare: { label: "bare build: node dist/main.js", args: ["dist/main.js"], env: {} },
  tsx: { label: "sources through tsx (development)", args: ["--import", "tsx", "src/main.ts"], env: {} },
};
const compare = process.env.BENCH_RSS_COMPARE;
if (compare) {
  const start = LAUNCHES.start!;
  LAUNCHES.compare = {
    label: `${compare}/main.js, started as npm start`,
    args: start.args.map((arg) => (arg === "dist/main.js" ? `${compare}/main.js` : arg)),
    env: start.env,
  };
}

/** Resident set size of a process, in bytes, from /proc. */
function rss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/\d+/)?.[0] ?? 0) * 1024;
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

const ZERO: Memory = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0 };

function highest(a: Memory, b: Partial<Memory>): Memory {
  return {
    rss: Math.max(a.rss, b.rss ?? 0),
    heapUsed: Math.max(a.heapUsed, b.heapUsed ?? 0),
    heapTotal: Math.max(a.heapTotal, b.heapTotal ?? 0),
    external: Math.max(a.external, b.external ?? 0),
  };
}

/** V8's heap and external memory as the API's /metrics reports them. */
async function heapOf(baseUrl: string): Promise<Omit<Memory, "rss">> {
  const text = await (await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return {
    heapUsed: value("nodejs_heap_size_used_bytes"),
    heapTotal: value("nodejs_heap_size_total_bytes"),
    external: value("nodejs_external_memory_bytes"),
  };
}

async function startApi(launch: Launch, databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, launch.args, {
    cwd: API_DIR,
    env: {
      ...process.env,
      ...launch.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      BANK_SIM_LATENCY_MS: "0",
      MAX_CSV_ROWS: String(ROWS),
      METRICS_TOKEN,
      RATE_LIMIT_PER_MINUTE: "1000000",
      RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  let output = "";
  child.stdout!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const ready = output.split("\n").find((line) => line.includes("API ready"));
      if (ready) resolve(JSON.parse(ready).url);
    });
    child.once("exit", (code) => reject(new Error(`API exited with ${code}: ${output}`)));
  });
  // the log is not measured, but an unread pipe would stop the server when it fills
  child.stdout!.on("data", () => {});
  return { child, url };
}

const PHASES = ["idle", "staging", "staged", "running", "after"] as const;
type Phase = (typeof PHASES)[number];

interface Measured {
  figures: Record<Phase, Memory>;
  /** Seconds the stageBatch call took, and from startBatch to completed: what the flags cost in speed. */
  stageSeconds: number;
  runSeconds: number;
}

async function measure(launch: Launch, text: string): Promise<Measured> {
  const database = await createMigratedDatabase("fxbt_bench_rss");
  const key = execFileSync(process.execPath, ["--import", "tsx", "src/admin.ts", "create-key", "--role", "TRADER"], {
    cwd: API_DIR,
    env: { ...process.env, DATABASE_URL: database.url },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  })
    .trim()
    .split("\n")
    .at(-1)!;
  const { child, url } = await startApi(launch, database.url);
  const baseUrl = new URL(url).origin;
  const post = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data: T; errors?: unknown };
    if (body.errors) throw new Error(`API answered ${JSON.stringify(body.errors).slice(0, 500)}`);
    return body.data;
  };
  const figures = Object.fromEntries(PHASES.map((phase) => [phase, ZERO])) as Record<Phase, Memory>;
  const snapshot = async (): Promise<Memory> => ({ rss: rss(child.pid!), ...(await heapOf(baseUrl)) });
  let phase = "idle" as Phase;
  const rssSampler = setInterval(() => {
    figures[phase] = highest(figures[phase], { rss: rss(child.pid!) });
  }, 100);
  let sampling = true;
  const heapSampler = (async () => {
    while (sampling) {
      const sampledIn = phase;
      // A sample lost to a connection the server closed while its event loop was busy (ECONNRESET
      // under load) is skipped: it must not end the run and leave the detached server behind.
      const heap = await heapOf(baseUrl).catch(() => null);
      if (heap && (sampledIn === "staging" || sampledIn === "running")) figures[sampledIn] = highest(figures[sampledIn], heap);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  try {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    figures.idle = await snapshot();
    phase = "staging";
    const stagingFrom = performance.now();
    const staged = await post<{ stageBatch: { batch: { id: string } } }>(
      `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } } }`,
      { csv: text },
    );
    const stageSeconds = (performance.now() - stagingFrom) / 1000;
    phase = "staged";
    figures.staged = await snapshot();
    const id = staged.stageBatch.batch.id;
    phase = "running";
    const runFrom = performance.now();
    await post(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { batch } = await post<{ batch: { completedAt: string | null } }>(`query($id: ID!) { batch(id: $id) { completedAt } }`, { id });
      if (batch.completedAt) break;
    }
    const runSeconds = (performance.now() - runFrom) / 1000;
    phase = "after";
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    figures.after = await snapshot();
    return { figures, stageSeconds, runSeconds };
  } finally {
    sampling = false;
    clearInterval(rssSampler);
    await heapSampler.catch(() => {});
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await database.drop();
  }
}

const mib = (bytes: number) => `${(bytes / MiB).toFixed(0).padStart(4)}`;

execFileSync(process.execPath, ["build.mjs"], { cwd: API_DIR });
const only = process.env.BENCH_RSS_ONLY?.split(",").map((name) => name.trim());
const text = csv(ROWS);
console.log(`API memory while staging and running ${ROWS.toLocaleString("en-US")} trades (bank latency 0), MiB:`);
console.log(`  ${"".padEnd(8)}  ${"RSS".padStart(5)}  ${"heap used".padStart(9)}  ${"heap total".padStart(10)}  ${"external".padStart(8)}`);
const tries = (process.env.BENCH_RSS_TRY ?? "").split(";").filter((line) => line.trim() !== "");
tries.forEach((line, i) => {
  LAUNCHES[`try${i + 1}`] = commandLine(`try${i + 1}: ${line.trim()}`, line);
});
for (const name of ["start", "compare", ...tries.map((_, i) => `try${i + 1}`), "bare", "tsx"]) {
  const launch = LAUNCHES[name];
  if (!launch || (only && !only.includes(name))) continue;
  const { figures, stageSeconds, runSeconds } = await measure(launch, text);
  console.log(`${launch.label}`);
  for (const phase of PHASES) {
    const { rss: resident, heapUsed, heapTotal, external } = figures[phase];
    console.log(
      `  ${phase.padEnd(8)}  ${mib(resident).padStart(5)}  ${mib(heapUsed).padStart(9)}  ${mib(heapTotal).padStart(10)}  ${mib(external).padStart(8)}`,
    );
  }
  const peak = Math.max(...PHASES.map((phase) => figures[phase].rss));
  console.log(
    `  ${name}: idle ${mib(figures.idle.rss).trim()} MiB, peak ${mib(peak).trim()} MiB; staged in ${stageSeconds.toFixed(1)} s, ran in ${runSeconds.toFixed(0)} s`,
  );
}
