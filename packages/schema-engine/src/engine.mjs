// Engine wiring shared by the executable and the library: a WebAssembly SchemaEngine over the
// corrected PostgreSQL adapter, the migrations list as the Prisma CLI reads it, and errors in the
// shape of the native engine's.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { createAdapterFactory } from "./adapter.mjs";
import { newSchemaEngine } from "./wasm.mjs";

export const NO_FILTER = Object.freeze({ externalTables: [], externalEnums: [] });

/**
 * Opens a SchemaEngine on `datasource.url`. `close()` frees the engine, ends every pool and
 * clears the engine's timers; call it exactly once.
 * @param {{ datasource: { url: string, shadowDatabaseUrl?: string | null },
 *           datamodels?: [string, string][], onLog?: (line: string) => void }} options
 */
export async function openEngine({ datasource, datamodels, onLog }) {
  if (!datasource?.url) throw new Error("The schema engine needs a datasource URL.");
  const adapter = createAdapterFactory(datasource);
  let handle;
  try {
    handle = await newSchemaEngine(datamodels, adapter.factory, onLog);
  } catch (error) {
    await adapter.close();
    throw error;
  }
  return {
    engine: handle.engine,
    lastScriptFailure: adapter.lastScriptFailure,
    async close() {
      handle.free();
      await adapter.close();
    },
  };
}

/**
 * The migrations directory as the Prisma CLI hands it to the engine (its `listMigrations`):
 * every sub-directory with its migration.sql, sorted by name, plus migration_lock.toml.
 */
export async function readMigrationsList(baseDir, shadowDbInitScript = "") {
  const lockfilePath = "migration_lock.toml";
  const lockContent = await readFile(join(baseDir, lockfilePath), "utf-8").catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const path = "migration.sql";
    const content = await readFile(join(baseDir, entry.name, path), "utf-8").then(
      (value) => ({ tag: "ok", value }),
      (error) => ({ tag: "error", value: error.message }),
    );
    migrationDirectories.push({ path: entry.name, migrationFile: { path, content } });
  }
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: lockfilePath, content: lockContent },
    migrationDirectories,
    shadowDbInitScript,
  };
}

/**
 * Splits an engine error into what the CLI shows: the message without the wasm span trace,
 * the Prisma error code (P3006, P1012 …) and whether the engine panicked.
 */
export function describeError(error) {
  const text = error instanceof Error ? error.message : String(error);
  const trace = text.search(/\n\s+0: /);
  const message = trace >= 0 ? text.slice(0, trace) : text;
  const isPanic = error instanceof WebAssembly.RuntimeError || /panicked at/.test(message);
  return {
    message,
    errorCode: typeof error?.code === "string" && /^P\d{4}$/.test(error.code) ? error.code : undefined,
    isPanic,
    backtrace: trace >= 0 ? text.slice(trace + 1) : error?.stack,
  };
}

/**
 * The WASM engine reports a migration that failed to apply with the adapter's abridged error
 * ("No such table: …") and no code. Rebuild the native engine's P3018 from the failed script and
 * PostgreSQL's own error; other errors pass through unchanged.
 */
export function migrationFailure(error, migrationsList, failure) {
  if (error?.code || !failure) return error;
  const directory = migrationsList?.migrationDirectories?.find(
    (d) => d.migrationFile.content.tag === "ok" && d.migrationFile.content.value === failure.script,
  );
  if (!directory) return error;
  const pgError = failure.error ?? {};
  const details = [
    `${pgError.severity ?? "ERROR"}: ${pgError.message ?? String(pgError)}`,
    pgError.detail && `DETAIL: ${pgError.detail}`,
    pgError.hint && `HINT: ${pgError.hint}`,
  ].filter(Boolean);
  const enriched = new Error(
    "A migration failed to apply. New migrations cannot be applied before the error is recovered from. " +
      "Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve\n\n" +
      `Migration name: ${directory.path}\n\nDatabase error code: ${pgError.code ?? "N/A"}\n\nDatabase error:\n${details.join("\n")}\n`,
  );
  enriched.code = "P3018";
  return enriched;
}

/** An Error carrying the engine's user-facing message and code, for the library's callers. */
export class SchemaEngineError extends Error {
  constructor(cause) {
    const { message, errorCode } = describeError(cause);
    super(errorCode ? `${errorCode}: ${message}` : message, { cause });
    this.name = "SchemaEngineError";
    this.code = errorCode;
  }
}
