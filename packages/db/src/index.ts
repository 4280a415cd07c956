export type { CommittedChange, TradeChange } from "./changes";
export {
  type ConnectOptions,
  connectDatabase,
  type Database,
  DEFAULT_EXPORT_CONNECTIONS,
  observePoolWaits,
  type PoolName,
  type PoolStatistics,
  type PoolWaitObserver,
  Prisma,
  poolStatistics,
} from "./client";
export { type EmbeddedServer, startEmbeddedPostgres } from "./embedded";
export { isDatabaseUnavailable } from "./errors";
export { MIGRATIONS_DIR, type OpenDatabase, type OpenOptions, openDatabase } from "./open";
export type { Queryable } from "./queryable";
export * from "./rows";
export * from "./sql/archive";
export * from "./sql/audit-log";
export * from "./sql/bank-ledger";
export * from "./sql/batch-cancel";
export * from "./sql/batch-lifecycle";
export * from "./sql/batch-preview";
export * from "./sql/batch-queue";
export * from "./sql/batch-reads";
export { ANALYZE_AFTER_STAGED_ROWS, analyzeTradesAfterStaging } from "./sql/cached-plans";
export * from "./sql/create-trade";
export * from "./sql/export-cursor";
export { type TradeSource, tradeSourceOf } from "./sql/fragments";
export * from "./sql/principals";
export * from "./sql/sessions";
export * from "./sql/stage-batch";
export * from "./sql/templates";
export * from "./sql/templates-rows";
export * from "./sql/trade-claims";
export * from "./sql/trade-counts";
export * from "./sql/trade-reads";
export * from "./sql/trade-results";
