// A migration-aware PostgreSQL driver adapter factory for the WebAssembly schema engine:
// @prisma/adapter-pg, with the three faults that break migrations corrected.
import { randomUUID } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, DriverAdapterError } from "@prisma/driver-adapter-utils";
import pg from "pg";

const CHAR_OID = 18; // PostgreSQL's one-byte "char" (pg_catalog columns such as relkind)
const TEXT_OID = 25;
const CHARACTER_COLUMN_TYPE = 6; // ColumnTypeEnum.Character of @prisma/driver-adapter-utils

/** The "char" columns of a result, by its rows array (which adapter-pg returns as is). */
const charColumnsByRows = new WeakMap();

function charAsText(result) {
  for (const r of Array.isArray(result) ? result : [result]) {
    const charColumns = [];
    (r?.fields ?? []).forEach((field, i) => {
      if (field.dataTypeID === CHAR_OID) {
        field.dataTypeID = TEXT_OID;
        charColumns.push(i);
      }
    });
    if (charColumns.length > 0 && Array.isArray(r.rows)) charColumnsByRows.set(r.rows, charColumns);
  }
  return result;
}

/** Announces "char" columns to the engine as characters, as the native driver does. */
function withCharColumns(queryable) {
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumnsByRows.get(result.rows) ?? []) result.columnTypes[i] = CHARACTER_COLUMN_TYPE;
    return result;
  };
  return queryable;
}

/**
 * adapter-pg cannot deserialize "char" (OID 18), which the engine reads while describing a
 * schema: its values are text already, so announce them as text.
 */
class CharAsTextClient extends pg.Client {
  query(...args) {
    const last = args.length - 1;
    if (typeof args[last] === "function") {
      const callback = args[last];
      args[last] = (error, result) => callback(error, error ? result : charAsText(result));
      return super.query(...args);
    }
    const returned = super.query(...args);
    return returned && typeof returned.then === "function" ? returned.then(charAsText) : returned;
  }
}

/** Parses a PostgreSQL URL; `database` replaces the database name when given. */
export function pgUrl(url, database) {
  const parsed = new URL(url);
  if (database !== undefined) parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed;
}

export function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, "")) || "postgres";
}

export function quoteIdent(name) {
  return `"${String(name).replaceAll('"', '""')}"`;
}

/** Runs one statement on a short-lived connection to `url`. */
export async function runOnce(url, sql) {
  const client = new pg.Client({ connectionString: String(url) });
  client.on("error", () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Builds the factory the engine expects (already bound with bindMigrationAwareSqlAdapterFactory)
 * and `close()`, which ends every pool it opened and drops shadow databases left behind.
 * @param {{ url: string, shadowDatabaseUrl?: string | null }} datasource
 */
export function createAdapterFactory({ url, shadowDatabaseUrl }) {
  const schema = new URL(url).searchParams.get("schema") ?? undefined;
  const pools = new Set();
  const shadowDatabases = new Set();
  let lastScriptFailure = null;

  function openPool(connectionString) {
    // One connection, as the native engine has: the advisory lock, the migration scripts and
    // the _prisma_migrations bookkeeping then all run in one session.
    const pool = new pg.Pool({ connectionString, Client: CharAsTextClient, max: 1 });
    pool.on("error", () => {});
    pools.add(pool);
    return pool;
  }

  async function endPool(pool) {
    if (!pools.delete(pool)) return;
    await pool.end().catch(() => {});
  }

  async function adapterOver(pool, dropAfter) {
    const adapter = withCharColumns(await new PrismaPg(pool, { schema }).connect());
    // adapter-pg splits scripts on ";" (breaking $$ bodies) and runs the pieces on any pooled
    // connection. PostgreSQL runs a multi-statement simple query as one implicit transaction,
    // which is what the native engine relies on.
    adapter.executeScript = async (script) => {
      lastScriptFailure = null;
      try {
        await pool.query(script);
      } catch (error) {
        lastScriptFailure = { script, error };
        // A failed migration reports PostgreSQL's own error (code, message, detail), as the
        // native engine's P3018 does, rather than adapter-pg's abridged kinds.
        if (typeof error?.code === "string" && typeof error?.severity === "string") {
          const { code, severity, message, detail, column, hint } = error;
          throw new DriverAdapterError({ kind: "postgres", code, severity, message, detail, column, hint });
        }
        adapter.onError(error);
      }
    };
    adapter.dispose = async () => {
      await endPool(pool);
      if (dropAfter) await dropAfter();
    };
    return adapter;
  }

  async function dropShadow(name) {
    shadowDatabases.delete(name);
    await runOnce(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }

  const factory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => adapterOver(openPool(url)),
    async connectToShadowDb() {
      if (shadowDatabaseUrl) {
        if (databaseName(shadowDatabaseUrl) === databaseName(url) && pgUrl(shadowDatabaseUrl).host === pgUrl(url).host) {
          throw new Error("The shadow database you configured appears to be the same as the main database.");
        }
        const target = quoteIdent(new URL(shadowDatabaseUrl).searchParams.get("schema") ?? "public");
        await runOnce(shadowDatabaseUrl, `DROP SCHEMA IF EXISTS ${target} CASCADE; CREATE SCHEMA ${target}`);
        return adapterOver(openPool(shadowDatabaseUrl));
      }
      // adapter-pg's own version can reconnect to the main database (its connection string
      // wins over `database`) and drops the shadow database while its pool is still open.
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await runOnce(url, `CREATE DATABASE ${quoteIdent(name)}`);
      shadowDatabases.add(name);
      return adapterOver(openPool(String(pgUrl(url, name))), () => dropShadow(name));
    },
  };

  return {
    factory: bindMigrationAwareSqlAdapterFactory(factory),
    /** The script and PostgreSQL error of the last executeScript call, if it failed. */
    lastScriptFailure: () => lastScriptFailure,
    async close() {
      await Promise.all([...pools].map(endPool));
      for (const name of [...shadowDatabases]) await dropShadow(name).catch(() => {});
    },
  };
}

/** CREATE DATABASE for the database named in `url`, connected through the `postgres` database. */
export async function createDatabase(url) {
  const name = databaseName(url);
  let lastError;
  for (const maintenance of ["postgres", "template1"]) {
    try {
      await runOnce(pgUrl(url, maintenance), `CREATE DATABASE ${quoteIdent(name)}`);
      return name;
    } catch (error) {
      lastError = error;
      if (error?.code !== "3D000") break; // only retry when the maintenance database is missing
    }
  }
  throw lastError;
}
