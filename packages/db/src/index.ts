export * from "./batches";
export { type ConnectOptions, connectDatabase, type Database, Prisma } from "./client";
export { type EmbeddedServer, startEmbeddedPostgres } from "./embedded";
export { MIGRATIONS_DIR, type OpenDatabase, type OpenOptions, openDatabase } from "./open";
export type { Queryable } from "./queryable";
export * from "./sql/bank-ledger";
export * from "./staging";
export * from "./trades";
export * from "./views";
