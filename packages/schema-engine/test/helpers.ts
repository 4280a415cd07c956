import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openEngine } from "../src/engine.mjs";

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

/**
 * Runs a SQL script the way `prisma db execute` has it run, through the WebAssembly engine's
 * dbExecute, but in this process: the CLI costs two Node processes (itself and the engine's
 * server), 2-3 s of CPU a call.
 */
export async function engineExecute(url: string, script: string): Promise<void> {
  const handle = await openEngine({ datasource: { url } });
  try {
    await handle.engine.dbExecute({ script, datasourceType: { tag: "url", url } });
  } finally {
    await handle.close();
  }
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

/**
 * What the public schema holds, each object as the text PostgreSQL itself prints for it, sorted:
 * relations with their storage options (fillfactor), persistence and row security; columns (type,
 * NOT NULL, default, collation, identity, generated); constraints; indexes (predicates included);
 * extended statistics; views; sequences with their settings and owning column; row-security
 * policies; triggers and whether each is enabled; enum labels in order; domains with their base
 * type, default and constraints; composite types' fields; functions; extensions and their schema.
 * Not compared: grants and owners, comments, per-column statistics targets and storage, rules,
 * partitioning and inheritance (no migration here uses them), and objects outside `public`.
 * Prisma's own table is left out, as `prisma migrate diff` leaves it out. Columns are keyed by
 * name, not position: a down.sql cannot put a dropped column back in its old place.
 */
export async function schemaSnapshot(url: string): Promise<string[]> {
  const rows = await query<{ item: string }>(
    url,
    `WITH ours AS (
       SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relpersistence
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname NOT IN ('_prisma_migrations', '_prisma_migrations_pkey'))
     SELECT 'relation ' || relname || ' kind ' || relkind::text || ' persistence ' || relpersistence::text
            || ' rls ' || relrowsecurity::text || ' forced ' || relforcerowsecurity::text
            || coalesce(' options ' || array_to_string(reloptions, ','), '') AS item FROM ours
     UNION ALL
     SELECT 'sequence ' || o.relname || ' ' || format_type(q.seqtypid, NULL) || ' start ' || q.seqstart || ' by ' || q.seqincrement
            || ' min ' || q.seqmin || ' max ' || q.seqmax || ' cache ' || q.seqcache || ' cycle ' || q.seqcycle::text
            || coalesce(' owned by ' || (SELECT t.relname || '.' || a.attname FROM pg_depend dep
                 JOIN pg_class t ON t.oid = dep.refobjid JOIN pg_attribute a ON a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
                WHERE dep.classid = 'pg_class'::regclass AND dep.objid = o.oid AND dep.deptype IN ('a', 'i')), '')
       FROM ours o JOIN pg_sequence q ON q.seqrelid = o.oid
     UNION ALL
     SELECT 'policy ' || o.relname || '.' || pol.polname || ' ' || pol.polcmd::text || ' permissive ' || pol.polpermissive::text
            || coalesce(' using ' || pg_get_expr(pol.polqual, pol.polrelid), '')
            || coalesce(' check ' || pg_get_expr(pol.polwithcheck, pol.polrelid), '')
       FROM ours o JOIN pg_policy pol ON pol.polrelid = o.oid
     UNION ALL
     SELECT 'domain constraint ' || t.typname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
       FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public'
     UNION ALL
     SELECT 'composite ' || t.typname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = 'public' 
     UNION ALL
     SELECT 'column ' || o.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
            || coalesce(' collate ' || nullif(co.collname, 'default'), '')
            || CASE WHEN a.attidentity::text <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
            || CASE WHEN a.attgenerated::text <> '' THEN ' generated ' || a.attgenerated::text ELSE '' END
       FROM ours o JOIN pg_attribute a ON a.attrelid = o.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE o.relkind IN ('r', 'p', 'v', 'm', 'f')
     UNION ALL
     SELECT 'constraint ' || o.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
       FROM ours o JOIN pg_constraint k ON k.conrelid = o.oid
     UNION ALL
     SELECT 'index ' || pg_get_indexdef(i.indexrelid) FROM ours o JOIN pg_index i ON i.indrelid = o.oid
     UNION ALL
     SELECT 'view ' || relname || ' ' || pg_get_viewdef(oid) FROM ours WHERE relkind IN ('v', 'm')
     UNION ALL
     SELECT 'statistics ' || pg_get_statisticsobjdef(s.oid) FROM ours o JOIN pg_statistic_ext s ON s.stxrelid = o.oid
     UNION ALL
     SELECT 'trigger ' || pg_get_triggerdef(t.oid) || ' enabled ' || t.tgenabled::text
       FROM ours o JOIN pg_trigger t ON t.tgrelid = o.oid AND NOT t.tgisinternal
     UNION ALL
     SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = 'public' GROUP BY t.typname
     UNION ALL
     SELECT 'type ' || t.typname || ' ' || t.typtype::text
            || CASE WHEN t.typtype = 'd' THEN ' over ' || format_type(t.typbasetype, t.typtypmod)
                 || CASE WHEN t.typnotnull THEN ' not null' ELSE '' END || coalesce(' default ' || t.typdefault, '') ELSE '' END
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND (t.typtype = 'd' OR (t.typtype = 'c' AND t.typrelid IN (SELECT oid FROM pg_class WHERE relkind = 'c')))
     UNION ALL
     SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
     UNION ALL
     SELECT 'extension ' || e.extname || ' ' || e.extversion || ' in ' || n.nspname
       FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname <> 'plpgsql'
     ORDER BY 1`,
  );
  return rows.map((r) => r.item);
}
