import { fileURLToPath } from "node:url";
import { applyMigrations } from "@fxbt/schema-engine";
import { connectDatabase, type Database } from "./client";
import { startEmbeddedPostgres } from "./embedded";

/** The one migration history of the product, shared by the CLI and the start-up path. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));

export interface OpenOptions {
  /** postgresql://… of a server; without it an embedded server is started. */
  databaseUrl?: string;
  /** Data directory of the embedded server. */
  embeddedDataDir?: string;
  embeddedPort?: number;
  maxConnections?: number;
  /** Connections kept apart for streaming CSV exports. Default 2. */
  exportConnections?: number;
  log?: (message: string) => void;
}

export interface OpenDatabase extends Database {
  readonly embedded: boolean;
  readonly appliedMigrations: string[];
}

/**
 * Connects to the configured PostgreSQL server, or starts the embedded one, and brings its
 * schema up to date before anything else touches it.
 */
export async function openDatabase(options: OpenOptions = {}): Promise<OpenDatabase> {
  const log = options.log ?? (() => {});
  const embedded = options.databaseUrl
    ? null
    : await startEmbeddedPostgres({
        dataDir: options.embeddedDataDir ?? "data/postgres",
        port: options.embeddedPort ?? 54329,
        log,
      });
  const url = options.databaseUrl ?? embedded!.url;
  try {
    const { appliedMigrationNames } = await applyMigrations({ databaseUrl: url, migrationsDir: MIGRATIONS_DIR });
    for (const name of appliedMigrationNames) log(`applied migration ${name}`);
    const database = connectDatabase({ url, maxConnections: options.maxConnections, exportConnections: options.exportConnections });
    return {
      ...database,
      embedded: embedded !== null,
      appliedMigrations: appliedMigrationNames,
      async close() {
        await database.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
