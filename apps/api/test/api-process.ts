import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { withAccess } from "../src/admin-access";

/**
 * The API as a process of its own, running the production build (apps/api/dist, built once per
 * test run by global-setup.ts, as `npm start` builds and runs it): for tests that kill a server
 * mid-run, or run two instances as docker-compose does.
 */

const API_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Every API process started, so none outlives its test file (not even a failed test's). */
const children: ChildProcess[] = [];

export interface ApiProcess {
  child: ChildProcess;
  /** The GraphQL URL the process printed when it was ready. */
  url: string;
  /** Its standard output so far (JSON log lines). */
  output(): string;
}

/**
 * What a test sets for an API process over the test run's own environment; a variable set to
 * undefined is left out, for a test of what the API does when a variable is not set at all.
 */
export type ProcessEnv = Record<string, string | undefined>;

/**
 * Starts the built server with this environment (DATABASE_URL, or DATA_DIR and EMBEDDED_PG_PORT
 * for the embedded database) and resolves once it logs "API ready". Detached (a session of its
 * own, so no controlling terminal): a first run on an empty database writes its admin's one-time
 * password to the terminal, and a test must not write to the developer's. node itself runs the
 * server (no wrapper), so a SIGKILL reaches the server.
 */
export async function startApiProcess(env: ProcessEnv): Promise<ApiProcess> {
  const child = spawn(process.execPath, ["--enable-source-maps", "dist/main.js"], {
    cwd: API_DIR,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", BANK_SIM_LATENCY_MS: "100", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  children.push(child);
  let output = "";
  child.stdout!.setEncoding("utf8");
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      output += chunk;
      const ready = output.split("\n").find((line) => line.includes("API ready"));
      if (ready) resolve(JSON.parse(ready).url);
    });
    child.once("exit", (code) => reject(new Error(`API exited with ${code} before it was ready: ${output}`)));
  });
  return { child, url, output: () => output };
}

/** Kills every API process still running (SIGKILL) and waits for each to exit. */
export async function killApiProcesses(): Promise<void> {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill("SIGKILL");
    await once(child, "exit");
  }
}

/**
 * An ADMIN key for the processes on this database (`env` says which, as for startApiProcess),
 * made by the function the admin command's create-key runs, in this process: a process of the
 * command costs seconds of start-up (8-19 s each at load 11, measured 2026-11-28), and
 * access-keys.test.ts runs the command itself end to end.
 */
export function createAdminKey(env: ProcessEnv): Promise<string> {
  const actor = { kind: null, id: null, name: "test process setup", address: null };
  return withAccess(async (access) => (await access.createApiKey(actor, { role: "ADMIN", name: "test process" })).key, {
    ...process.env,
    ...env,
  });
}

/** Builds the production bundle (apps/api/dist) the processes run. */
export async function buildApi(): Promise<void> {
  await promisify(execFile)(process.execPath, ["build.mjs"], { cwd: API_DIR });
}

/** A GraphQL request over HTTP with a key; the data, or an error carrying the response's errors. */
export async function post<T>(url: string, key: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Trades a process's runner claimed so far, from its /metrics (the process started with this METRICS_TOKEN). */
export async function claimedTrades(graphqlUrl: string, metricsToken: string): Promise<number> {
  const response = await fetch(graphqlUrl.replace("/graphql", "/metrics"), { headers: { authorization: `Bearer ${metricsToken}` } });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const line = (await response.text()).split("\n").find((entry) => entry.startsWith("fxbt_runner_trades_claimed_total"));
  return Number(line?.split(" ").at(-1) ?? 0);
}
