import { CLAIMABLE_BATCH_STATUSES, TRADE_MOVES } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { type TradeRow, tradeColumns } from "../rows";
import { batchStatusIn, tradeStatusIn } from "./fragments";
import { moveTrades } from "./move-trades";

/** `locked_at` older than the lease: the runner that claimed the trade has stopped. */
const leaseExpired = (leaseMs: number) => Prisma.sql`trade.locked_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)`;

/**
 * Claims up to `limit` trades of one batch, in row order, with one statement. SKIP LOCKED
 * lets several runners claim from one batch without waiting on each other. Each claim
 * starts a new attempt with its own idempotency key, saved before anything is sent to the bank.
 */
export function claimPendingTrades(db: Queryable, batchId: string, limit: number): Promise<TradeChange[]> {
  return moveTrades(db, "claim", {
    where: Prisma.sql`trade.batch_id = ${batchId}::uuid AND EXISTS (
      SELECT 1 FROM batch b WHERE b.id = trade.batch_id AND ${batchStatusIn(CLAIMABLE_BATCH_STATUSES, "b.status")}
        AND b.cancel_requested_at IS NULL)`,
    set: [Prisma.sql`attempts = t.attempts + 1, idempotency_key = t.id::text || ':' || (t.attempts + 1), locked_at = now()`],
    order: Prisma.sql`trade.row_number`,
    limit,
    skipLocked: true,
  });
}

/**
 * Trades claimed by a runner that stopped (its lease ran out) before any booking was sent
 * go back to PENDING: running them again cannot book twice.
 */
export function releaseAbandonedClaims(db: Queryable, leaseMs: number): Promise<TradeChange[]> {
  return moveTrades(db, "releaseClaim", { where: leaseExpired(leaseMs), set: [Prisma.sql`locked_at = NULL`], skipLocked: true });
}

/**
 * Takes over trades whose booking may have been sent by a runner that stopped: the taker
 * resends it with the same idempotency key and the bank books it once. Their status does
 * not change, so this is a lease renewal rather than a move.
 */
export function claimAbandonedBookings(db: Queryable, leaseMs: number, limit: number): Promise<TradeRow[]> {
  return db.$queryRaw<TradeRow[]>`
    WITH taken AS (
      SELECT id FROM trade
      WHERE ${tradeStatusIn(TRADE_MOVES.book.from)} AND ${leaseExpired(leaseMs)}
      ORDER BY id
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED)
    UPDATE trade SET locked_at = now() FROM taken WHERE trade.id = taken.id
    RETURNING ${tradeColumns("trade")}`;
}
