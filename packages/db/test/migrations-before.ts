import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import pg from "pg";
import { MIGRATIONS_DIR } from "../src/open";
import { createEmptyDatabase, type TestDatabase } from "../src/testing";

/** Every migration's folder name, oldest first. */
export const migrationNames = (): string[] =>
  readdirSync(MIGRATIONS_DIR)
    .filter((name) => /^\d+_/.test(name))
    .sort();

export interface DatabaseBefore {
  database: TestDatabase;
  client: pg.Client;
  close(): Promise<void>;
}

/**
 * A database of the test's own migrated up to, not including, the migration named (its folder
 * name or a prefix of it), with a client on it: how a test sets up the data an older version left
 * and then watches what the migration, applied with the rest (applyMigrations on MIGRATIONS_DIR), does to it.
 */
export async function databaseBefore(migration: string, name: string): Promise<DatabaseBefore> {
  const database = await createEmptyDatabase(name);
  const before = mkdtempSync(join(tmpdir(), `${name}-`));
  try {
    cpSync(join(MIGRATIONS_DIR, "migration_lock.toml"), join(before, "migration_lock.toml"));
    for (const folder of migrationNames().filter((folder) => folder < migration))
      cpSync(join(MIGRATIONS_DIR, folder), join(before, folder), { recursive: true });
    await applyMigrations({ databaseUrl: database.url, migrationsDir: before });
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  return {
    database,
    client,
    async close() {
      await client.end();
      await database.drop();
    },
  };
}
