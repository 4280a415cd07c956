import { fileURLToPath } from "node:url";
import { bankSimulatorOptionsFromEnv } from "@fxbt/bank";
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS } from "@fxbt/domain";
import { type RunnerOptions, runnerOptionsFromEnv } from "@fxbt/runner";

/** ./data/postgres at the root of the checkout, wherever the API is started from. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../data/postgres", import.meta.url));

export interface ApiConfig {
  port: number;
  host: string;
  /** A PostgreSQL server; when absent, an embedded one keeps its data under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  corsOrigins: string[];
  limits: { maxRows: number; maxBytes: number };
  runner: Partial<RunnerOptions>;
  bank: ReturnType<typeof bankSimulatorOptionsFromEnv>;
  progressIntervalMs: number;
  logLevel: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  return value;
}

/** Every setting comes from the environment, with defaults that run on a laptop. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return {
    port: integer(env, "PORT", 4000),
    host: env.HOST || "0.0.0.0",
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || DEFAULT_DATA_DIR,
    embeddedPort: integer(env, "EMBEDDED_PG_PORT", 54329, 1),
    corsOrigins: (env.CORS_ORIGINS || "http://localhost:3000,http://127.0.0.1:3000")
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean),
    limits: {
      maxRows: integer(env, "MAX_CSV_ROWS", DEFAULT_MAX_ROWS, 1),
      maxBytes: integer(env, "MAX_CSV_BYTES", DEFAULT_MAX_BYTES, 1),
    },
    runner: runnerOptionsFromEnv(env),
    bank: bankSimulatorOptionsFromEnv(env),
    progressIntervalMs: integer(env, "PROGRESS_INTERVAL_MS", 250, 1),
    logLevel: env.LOG_LEVEL || "info",
  };
}
