import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const migrationsDir = join(repoRoot, "prisma/migrations");
export const schemaPath = join(repoRoot, "prisma/schema.prisma");
export const engineBin = join(repoRoot, "packages/schema-engine/bin/schema-engine.mjs");

/** The server the tests use; each test makes its own database on it. */
const serverUrl = process.env.SCHEMA_ENGINE_TEST_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
}

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A uniquely named database name; `create` makes it now, otherwise the code under test does. */
export async function testDatabase(prefix: string, create = true): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  if (create) await query(serverUrl, `CREATE DATABASE "${name}"`);
  return {
    name,
    url: databaseUrl(name),
    drop: async () => {
      await query(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export async function databaseExists(name: string): Promise<boolean> {
  return (await query(serverUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name])).length === 1;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `cmd` with the environment a developer has: no engine override, no colours. */
export function run(cmd: string, args: string[], env: Record<string, string> = {}, input?: string): Promise<RunResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CHECKPOINT_DISABLE: "1", ...env };
  delete childEnv.FORCE_COLOR;
  delete childEnv.PRISMA_SCHEMA_ENGINE_BINARY; // prisma.config.ts must find the engine itself
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** The stock Prisma CLI of the repository, run from the repository root. */
export function prisma(args: string[], databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
  return run(join(repoRoot, "node_modules/.bin/prisma"), args, { DATABASE_URL: databaseUrl, ...extraEnv });
}

/** Migration folder names, oldest first, as Prisma orders them. */
export function migrationNames(dir = migrationsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
}

/** Tables, enums and other relations of ours left in the public schema (Prisma's own table aside). */
export async function ourObjects(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    `SELECT 'relation ' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relname NOT IN ('_prisma_migrations', '_prisma_migrations_pkey')
     UNION ALL
     SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
       WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0
     UNION ALL
     SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public'
     ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}
