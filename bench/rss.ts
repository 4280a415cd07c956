/**
 * The API's memory (RSS) while it stages and runs a 100,000-trade batch, as `npm start` runs it
 * (the production build, `node dist/main.js`) beside the same server run from its sources
 * through tsx (development), in one run. Prints figures; asserts nothing.
 *
 *   npx tsx bench/rss.ts                  # 100,000 trades
 *   BENCH_ROWS=20000 npx tsx bench/rss.ts
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { createMigratedDatabase } from "../packages/db/src/testing";

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const API_DIR = fileURLToPath(new URL("../apps/api/", import.meta.url));

function csv(rows: number): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= rows; i++)
    lines.push(`C-${i % 500},Client ${i % 500},${1_000_000_000 + i},ZAR,USD,BUY,${100 + (i % 9000)}.25,,RSS-${i}`);
  return lines.join("\n");
}

/** Resident set size of a process, in MiB, from /proc. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"));
  return Number(line?.match(/\d+/)?.[0] ?? 0) / 1024;
}

async function startApi(args: string[], databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, {
    cwd: API_DIR,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      BANK_SIM_LATENCY_MS: "0",
      MAX_CSV_ROWS: String(ROWS),
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
  return { child, url };
}

async function measure(label: string, args: string[]): Promise<string> {
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
  const { child, url } = await startApi(args, database.url);
  const post = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
    return ((await response.json()) as { data: T }).data;
  };
  const idle = rssMiB(child.pid!);
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(child.pid!));
  }, 100);
  try {
    const staged = await post<{ stageBatch: { batch: { id: string } } }>(
      `mutation($csv: String!) { stageBatch(input: { csv: $csv }) { batch { id } } }`,
      { csv: csv(ROWS) },
    );
    const id = staged.stageBatch.batch.id;
    await post(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const { batch } = await post<{ batch: { completedAt: string | null } }>(`query($id: ID!) { batch(id: $id) { completedAt } }`, { id });
      if (batch.completedAt) break;
    }
    return `${label.padEnd(34)} idle ${idle.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB`;
  } finally {
    clearInterval(sampler);
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    await database.drop();
  }
}

execFileSync(process.execPath, ["build.mjs"], { cwd: API_DIR });
console.log(`API RSS while staging and running ${ROWS.toLocaleString("en-US")} trades (bank latency 0):`);
console.log(await measure("production build (node dist/main.js)", ["--enable-source-maps", "dist/main.js"]));
console.log(await measure("sources through tsx (development)", ["--import", "tsx", "src/main.ts"]));
