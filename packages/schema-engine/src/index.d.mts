export interface ApplyMigrationsOptions {
  /** PostgreSQL connection URL; the database is created when it does not exist. */
  databaseUrl: string;
  /** The Prisma migrations directory (folders of migration.sql, plus migration_lock.toml). */
  migrationsDir: string;
}

export interface ApplyMigrationsResult {
  /** Names of the migrations applied by this call, oldest first; empty when none was pending. */
  appliedMigrationNames: string[];
}

/**
 * Applies the pending migrations exactly as `prisma migrate deploy` does (same _prisma_migrations
 * rows and checksums, same advisory lock), in-process through the WebAssembly schema engine, then
 * releases every pool and timer. Rejects with a SchemaEngineError (e.g. code "P3009" for a failed
 * migration in the history, "P3018" for a migration that failed to apply).
 */
export declare function applyMigrations(options: ApplyMigrationsOptions): Promise<ApplyMigrationsResult>;

/** An error reported by the schema engine, with its Prisma error code when it has one. */
export declare class SchemaEngineError extends Error {
  readonly code: string | undefined;
}
