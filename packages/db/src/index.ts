export { connectDatabase, Prisma, type Database, type ConnectOptions } from "./client";
export { openDatabase, MIGRATIONS_DIR, type OpenDatabase, type OpenOptions } from "./open";
export { startEmbeddedPostgres, type EmbeddedServer } from "./embedded";
export type { Queryable } from "./queryable";
export * from "./views";
export * from "./staging";
export * from "./batches";
export * from "./trades";
