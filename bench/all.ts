/**
 * Every bench in bench/, one after another, each as a child process (`npx tsx bench/<file>`),
 * their output passed on as it comes, then a summary of each file's figure lines. Each bench
 * measures its own baseline in its own run; figures from different runs of a shared machine are
 * not comparable. BENCH_ROWS and the other variables reach every bench.
 *
 *   npm run bench
 *   BENCH_ROWS=20000 npm run bench
 *   npx tsx bench/run.ts                 # one bench alone
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/**
 * These first, in this order, then any other bench/*.ts (bank-simulator.ts, parse-csv.ts, …)
 * by name. bench/worker-baseline.ts runs bench/run.ts itself (the product's figure beside
 * graphile-worker's, in one run) and passes its lines on as "  run.ts | …", so run.ts is not run
 * a second time when it is there.
 */
const FIRST = ["run.ts", "worker-baseline.ts", "fanout.ts", "rss.ts", "cancel.ts", "export-load.ts", "reads.ts", "review-figures.ts"];

function benches(): string[] {
  const files = readdirSync(`${ROOT}bench`).filter(
    (file) => file.endsWith(".ts") && file !== "all.ts" && !file.startsWith(".") && !file.includes(".tmp."),
  );
  const rank = (file: string) => (FIRST.includes(file) ? FIRST.indexOf(file) : FIRST.length);
  return files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

interface Outcome {
  file: string;
  code: number | null;
  seconds: number;
  lines: string[];
}

function runBench(file: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("npx", ["tsx", `bench/${file}`], { cwd: ROOT, env: process.env, stdio: ["ignore", "pipe", "inherit"] });
    const lines: string[] = [];
    let partial = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      process.stdout.write(chunk);
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    });
    const done = (code: number | null) => {
      if (partial) lines.push(partial);
      resolve({ file, code, seconds: (performance.now() - started) / 1000, lines });
    };
    child.once("error", (error) => {
      console.error(`bench/${file}: ${error.message}`);
      done(null);
    });
    child.once("exit", (code, signal) => done(code ?? (signal ? 128 : null)));
  });
}

/** A line with a figure in it: not a log record (JSON), not the machine (printed once), not blank. */
function isFigure(line: string): boolean {
  const text = line.trim();
  return text !== "" && !text.startsWith("{") && !text.startsWith("machine:") && /\d/.test(text);
}

async function main() {
  const present = benches();
  const runInside = present.includes("worker-baseline.ts");
  const order = present.filter((file) => !(file === "run.ts" && runInside));
  const outcomes: Outcome[] = [];
  for (const file of order) {
    console.log(`\n=== bench/${file} ===`);
    outcomes.push(await runBench(file));
  }

  // Lines a bench passed on from another ("  run.ts | …") belong to that one.
  const figures = new Map<string, string[]>();
  for (const outcome of outcomes) {
    for (const line of outcome.lines) {
      const nested = /^\s+(\S+\.ts) \| (.*)$/.exec(line);
      const [file, text] = nested ? [nested[1]!, nested[2]!] : [outcome.file, line];
      if (!isFigure(text)) continue;
      figures.set(file, [...(figures.get(file) ?? []), text.trim()]);
    }
  }

  console.log(`\n=== summary (one run: compare figures only with each other) ===`);
  console.log(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; BENCH_ROWS ${process.env.BENCH_ROWS ?? "unset (each bench's default)"}`,
  );
  const width = Math.max(...present.map((file) => file.length));
  for (const file of present) {
    const outcome = outcomes.find((o) => o.file === file);
    const status =
      file === "run.ts" && runInside
        ? "run by worker-baseline.ts"
        : outcome?.code === 0
          ? `ok, ${outcome.seconds.toFixed(0)} s`
          : `FAILED (exit ${outcome?.code ?? "?"})`;
    const lines = figures.get(file) ?? [];
    console.log(`${file.padEnd(width)}  ${status}`);
    for (const line of lines) console.log(`${"".padEnd(width)}    ${line}`);
  }
  if (outcomes.some((outcome) => outcome.code !== 0)) process.exitCode = 1;
}

await main();
