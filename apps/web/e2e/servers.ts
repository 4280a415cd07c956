/**
 * Child processes of the end-to-end run: the real API (`node --import tsx src/main.ts`) and
 * the built dashboard (`next start`). Used by the global setup, and by tests that need an API
 * of their own for a moment (reconnect test).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const WEB_DIR = fileURLToPath(new URL("..", import.meta.url));
export const API_DIR = fileURLToPath(new URL("../../api", import.meta.url));
export const ROOT_DIR = fileURLToPath(new URL("../../..", import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL("../test-results/", import.meta.url));
export const LOG_DIR = `${RESULTS_DIR}logs/`;

/** A port nobody listens on now: bind port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a URL until it answers (any HTTP status below 500), or the child dies, or time runs out. */
export async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before answering ${url}; see ${LOG_DIR}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${label} did not answer ${url} within ${timeoutMs} ms; see ${LOG_DIR}`);
    await sleep(100);
  }
}

export interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

function wrap(child: ChildProcess, port: number): Child {
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    process: child,
    port,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function logTo(child: ChildProcess, name: string): void {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(`${LOG_DIR}${name}.log`, { flags: "a" });
  log.write(`\n--- started ${new Date().toISOString()} pid ${child.pid}\n`);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once("exit", (code, signal) => log.end(`--- exited ${code ?? signal} ${new Date().toISOString()}\n`));
}

export interface ApiOptions {
  databaseUrl: string;
  port: number;
  webOrigin: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  logName?: string;
}

/**
 * Every API of a run signs session cookies with this: a browser signed in stays signed in when
 * the API restarts (the reconnect test) or when another API on the same database answers.
 */
export const E2E_SESSION_SECRET = "fxbt-e2e-session-secret-for-tests-only";

/** The environment the API runs with in these tests. */
export function apiEnv(options: ApiOptions): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    SESSION_SECRET: E2E_SESSION_SECRET,
    PORT: String(options.port),
    HOST: "127.0.0.1",
    BANK_SIM_LATENCY_MS: "30",
    BANK_SIM_SEED: "e2e",
    CORS_ORIGINS: options.webOrigin,
    PROGRESS_INTERVAL_MS: "100",
    // "FX Batch Trader API ready" is logged at info: at warn it never appears, so readiness is
    // also judged by GET /health (the line is still awaited when it is printed).
    LOG_LEVEL: process.env.E2E_API_LOG_LEVEL ?? "warn",
    // 32 trades in flight instead of 256, so a 5,000-trade batch runs for about 15 s (long
    // enough for a person to cancel it) instead of 2.5 s. The claim size must shrink with it:
    // the runner refills only when claimSize/2 slots are free, so with concurrency 32 and the
    // default claim size 128 it refills once per poll interval (~32 trades/s).
    RUNNER_CONCURRENCY: process.env.E2E_RUNNER_CONCURRENCY ?? "32",
    RUNNER_CLAIM_SIZE: process.env.E2E_RUNNER_CLAIM_SIZE ?? "32",
    ...options.env,
  };
}

/** Starts the API and resolves once it is ready (its "API ready" line, or /health answering). */
export async function startApi(options: ApiOptions): Promise<Child> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: { ...process.env, ...apiEnv(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  logTo(child, options.logName ?? "api");
  const handle = wrap(child, options.port);
  const sawReadyLine = new Promise<void>((resolve) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("API ready")) resolve();
    });
  });
  try {
    await Promise.race([sawReadyLine, waitForHttp(`http://127.0.0.1:${options.port}/health`, child, 60_000, "API")]);
  } catch (error) {
    await handle.stop(1_000);
    throw error;
  }
  return handle;
}

export interface WebOptions {
  port: number;
  apiUrl: string;
}

/** `next start` of the built dashboard; resolves once its first page answers. */
export async function startWeb(options: WebOptions): Promise<Child> {
  const nextBin = createRequire(`${WEB_DIR}package.json`).resolve("next/dist/bin/next");
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(options.port), "-H", "127.0.0.1"], {
    cwd: WEB_DIR,
    env: { ...process.env, FXBT_API_URL: options.apiUrl, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  logTo(child, "web");
  const handle = wrap(child, options.port);
  try {
    await waitForHttp(`http://127.0.0.1:${options.port}/`, child, 60_000, "next start");
  } catch (error) {
    await handle.stop(1_000);
    throw error;
  }
  return handle;
}

/** `npm run build -w @fxbt/web`, output kept in test-results/logs/build.log. */
export function buildWeb(): void {
  mkdirSync(LOG_DIR, { recursive: true });
  const started = Date.now();
  const result = spawnSync("npm", ["run", "build", "-w", "@fxbt/web"], {
    cwd: ROOT_DIR,
    // Vitest may have set NODE_ENV=test: leave it to `next build` (production).
    env: { ...process.env, NODE_ENV: undefined, NEXT_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  createWriteStream(`${LOG_DIR}build.log`).end(output);
  if (result.status !== 0) {
    throw new Error(
      `npm run build -w @fxbt/web failed (${result.status ?? result.signal ?? result.error?.message}):\n${output.slice(-4_000)}`,
    );
  }
  console.log(`[e2e] web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
