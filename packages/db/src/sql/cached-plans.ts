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
