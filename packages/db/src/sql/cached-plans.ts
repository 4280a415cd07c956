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
 * A staging at least this large analyzes trade when it grows it by a tenth or more (autovacuum's
 * own rule, autovacuum_analyze_scale_factor 0.1), or trade was never analyzed: smaller ones change
 * the plans of nothing that reads a batch's trades.
 */
export const ANALYZE_AFTER_STAGED_ROWS = 1_000;

/**
 * A staging at least this large analyzes trade whatever its share of the table: statistics from
 * before it know nothing of its trades (all PENDING, of a new batch), and the claim, planned for the
 * handful of rows they promise, read and sorted every PENDING trade of the batch on each call
 * (20,000 rows, 15–18 ms a claim; packages/db move-plans.test.ts). Below it that sort costs little.
 */
export const ALWAYS_ANALYZE_STAGED_ROWS = 10_000;

/**
 * Analyzes trade after a large staging (ANALYZE_AFTER_STAGED_ROWS, ALWAYS_ANALYZE_STAGED_ROWS);
 * true when it did. PostgreSQL plans from the table's statistics, which only ANALYZE (or VACUUM)
 * renews: autovacuum does so about a minute after a change of a tenth of the table, a server
 * without it never, and never after a batch that is a smaller share of a large table. Until then a
 * batch just staged is planned as if trade held what it held before: the runner's claims sorted the
 * batch's PENDING trades for every claim, and the foreign-key checks of its attempts kept plans made
 * when trade was a page (above). ANALYZE reads a sample (30,000 rows at the default statistics
 * target), a fraction of a second at 1,000,000 trades, and renews every connection's plans that read
 * trade. The PostgreSQL documentation advises the same after a bulk load.
 */
export async function analyzeTradesAfterStaging(db: Queryable, stagedRows: number): Promise<boolean> {
  if (stagedRows < ANALYZE_AFTER_STAGED_ROWS) return false;
  if (stagedRows < ALWAYS_ANALYZE_STAGED_ROWS) {
    const [table] = await db.$queryRaw<{ rows: number }[]>`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'trade'::regclass`;
    // reltuples is -1 until the table's first ANALYZE or VACUUM, and counts the staged rows only after one.
    if (table && table.rows >= 0 && stagedRows < 0.1 * table.rows) return false;
  }
  await db.$executeRaw`ANALYZE trade`;
  return true;
}
