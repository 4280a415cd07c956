// Types of the part of engine.mjs that the tests call directly.

/** The WebAssembly SchemaEngine's methods that the tests call, as the Prisma CLI calls them over JSON-RPC. */
export interface SchemaEngineMethods {
  /** `prisma db execute`: runs a SQL script on the datasource. Rejects when a statement fails. */
  dbExecute(params: { script: string; datasourceType: { tag: "url"; url: string } }): Promise<unknown>;
}

export interface OpenedEngine {
  engine: SchemaEngineMethods;
  /** Frees the engine, ends every pool and clears the engine's timers; call it exactly once. */
  close(): Promise<void>;
}

/** Opens a SchemaEngine on `datasource.url`, as the schema-engine executable does for the CLI. */
export declare function openEngine(options: { datasource: { url: string; shadowDatabaseUrl?: string | null } }): Promise<OpenedEngine>;
