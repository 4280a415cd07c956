// In-process use of the WebAssembly schema engine, for applications that migrate their
// database at start-up. Same engine, same _prisma_migrations rows and checksums and the same
// advisory lock as `prisma migrate deploy`, so the CLI and the application agree.
import { resolve } from "node:path";
import { createDatabase, runOnce } from "./adapter.mjs";
import { migrationFailure, NO_FILTER, openEngine, readMigrationsList, SchemaEngineError } from "./engine.mjs";

export { SchemaEngineError } from "./engine.mjs";

/** Creates the database named in `url` when it does not exist, as `prisma migrate deploy` does. */
async function ensureDatabase(url) {
  try {
    await runOnce(url, "SELECT 1");
  } catch (error) {
    if (error?.code !== "3D000") throw error;
    await createDatabase(url).catch((createError) => {
      if (createError?.code !== "42P04") throw createError; // created meanwhile by another process
    });
  }
}

/**
 * Applies the pending migrations of `migrationsDir` to `databaseUrl`, exactly as
 * `prisma migrate deploy` does, then releases every connection and timer.
 * @param {{ databaseUrl: string, migrationsDir: string }} options
 * @returns {Promise<{ appliedMigrationNames: string[] }>}
 */
export async function applyMigrations({ databaseUrl, migrationsDir }) {
  await ensureDatabase(databaseUrl);
  const migrationsList = await readMigrationsList(resolve(migrationsDir));
  let handle;
  try {
    handle = await openEngine({ datasource: { url: databaseUrl } });
    const { appliedMigrationNames } = await handle.engine.applyMigrations({ migrationsList, filters: NO_FILTER });
    return { appliedMigrationNames };
  } catch (error) {
    throw new SchemaEngineError(handle ? migrationFailure(error, migrationsList, handle.lastScriptFailure()) : error);
  } finally {
    await handle?.close();
  }
}
