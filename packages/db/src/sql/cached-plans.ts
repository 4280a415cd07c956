import type pg from "pg";
import type { Queryable } from "../queryable";

/**
 * Drops the plans this connection keeps, so that the next ones are made for the tables as they are
 * now: call it in the transaction (or on the client) that runs the statement, not on a pool. Called before a statement that checks thousands of rows against a foreign key, or deletes
 * thousands through one's ON DELETE CASCADE (a statement per deleted row, as a check is).
 *
 * PostgreSQL runs those per-row statements with plans the connection makes once and keeps until
 * the table they read is next analyzed. One made while that table was a page or two is a
 * sequential scan, and once the table has grown every row reads all of it: staging 20,000 trades
 * against 10,000 batches took 56 s instead of 5; archiving chunks of 5,000 trades against a
 * growing trade_archive 3, 5, then 12 s instead of 1-2; deleting a staged batch of 5,000 trades
 * against 100,000 attempts 196 s instead of 1. Autovacuum's ANALYZE ends it within about a minute
 * of the growth; a server without autovacuum (the CI machine's PostgreSQL) never does, and no ANALYZE
 * comes between the rows a statement writes and its own checks of them. The cost is one round trip
 * and the plans made again once. Figures, and the keys left alone: docs/architecture.md, "Foreign
 * keys and the plans a connection keeps".
 */
export async function discardCachedPlans(db: Queryable | pg.ClientBase): Promise<void> {
  if ("query" in db) await db.query("DISCARD PLANS");
  else await db.$executeRaw`DISCARD PLANS`;
}

/**
 * A staging at least this large may analyze trade (analyzeTradesAfterStaging): smaller ones change
 * the plans of nothing that reads a batch's trades.
 */
export const ANALYZE_AFTER_STAGED_ROWS = 1_000;

/**
 * Analyzes trade after a staging that grew it by a tenth or more (autovacuum's own rule,
 * autovacuum_analyze_scale_factor 0.1), or when it was never analyzed; true when it did. PostgreSQL
 * plans from the table's statistics, which only ANALYZE (or VACUUM) renews: autovacuum does so about
 * a minute after such a change, a server without it never. Until then a batch just staged is
 * planned as if trade held what it held before: with the statistics of a nearly empty table, the
 * runner's claim took the batch's (batch_id, sequence) index and sorted its PENDING trades for every
 * claim, and the foreign-key checks of its attempts kept plans made when trade was a page (above).
 * ANALYZE reads a sample (30,000 rows at the default statistics target), a fraction of a second at
 * 1,000,000 trades, and renews every connection's plans that read trade.
 */
export async function analyzeTradesAfterStaging(db: Queryable, stagedRows: number): Promise<boolean> {
  if (stagedRows < ANALYZE_AFTER_STAGED_ROWS) return false;
  const [table] = await db.$queryRaw<{ rows: number }[]>`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'trade'::regclass`;
  // reltuples is -1 until the table's first ANALYZE or VACUUM, and counts the staged rows only after one.
  if (table && table.rows >= 0 && stagedRows < 0.1 * table.rows) return false;
  await db.$executeRaw`ANALYZE trade`;
  return true;
}
