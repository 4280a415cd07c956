import { CLAIMABLE_BATCH_STATUSES, TRADE_MOVES } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { type TradeRow, tradeColumns } from "../rows";
import { batchesOfTrades, batchStatusIn, lockedTradesById, notBeingCancelled, theBatch, tradeStatusIn } from "./fragments";
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
    // Checked on the batch row once its lock is granted: a cancel that committed meanwhile is seen.
    batches: Prisma.sql`${theBatch(batchId)} AND ${batchStatusIn(CLAIMABLE_BATCH_STATUSES, "batch.status")}
      AND ${notBeingCancelled}`,
    where: Prisma.sql`trade.batch_id = ${batchId}::uuid`,
    set: [Prisma.sql`attempts = t.attempts + 1, idempotency_key = t.id::text || ':' || (t.attempts + 1), locked_at = now()`],
    // The expression of trade_claim_order_idx (PENDING trades only), the one index that gives this
    // order (migration 20261129100000_trade_claim_order_index): any other plan sorts the batch's
    // PENDING trades, which only statistics that know nothing of them make look cheap (a large
    // staging renews them: analyzeTradesAfterStaging).
    order: Prisma.sql`trade.row_number::bigint`,
    limit,
    skipLocked: true,
  });
}

/**
 * Trades claimed by a runner that stopped (its lease ran out) before any booking was sent
 * go back to PENDING: running them again cannot book twice.
 */
export function releaseAbandonedClaims(db: Queryable, leaseMs: number): Promise<TradeChange[]> {
  return moveTrades(db, "releaseClaim", {
    batches: Prisma.sql`batch.id IN (
      SELECT trade.batch_id FROM trade WHERE ${tradeStatusIn(TRADE_MOVES.releaseClaim.from, "trade.status")} AND ${leaseExpired(leaseMs)})
      AND ${notBeingCancelled}`,
    where: leaseExpired(leaseMs),
    set: [Prisma.sql`locked_at = NULL`],
    skipLocked: true,
  });
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

/** A trade held by a runner under the key of its current attempt. */
export interface HeldTrade {
  id: string;
  idempotencyKey: string;
}

/**
 * Gives back claims a runner still holds before any booking was sent (it is stopping, or
 * gave up writing a quote): the trades go back to PENDING at once instead of after the lease.
 */
export function releaseClaims(db: Queryable, held: readonly HeldTrade[]): Promise<TradeChange[]> {
  if (held.length === 0) return Promise.resolve([]);
  return moveTrades(db, "releaseClaim", {
    batches: Prisma.sql`${batchesOfTrades(held.map((h) => h.id))} AND ${notBeingCancelled}`,
    byId: Prisma.sql`unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.idempotencyKey)}::text[]) AS q(id, idempotency_key)`,
    where: Prisma.sql`trade.idempotency_key = q.idempotency_key`,
    set: [Prisma.sql`locked_at = NULL`],
  });
}

/**
 * Renews the lease of trades a live runner holds (waiting for a slow or unavailable bank), so
 * that no other runner takes them over as abandoned. Only leases older than `olderThanMs` are
 * renewed: a trade claimed or quoted since (each sets locked_at) has most of its lease left, and
 * renewing it would rewrite its row, an entry in each of trade's indexes, for nothing: with
 * thousands of trades held and each held for under a second, nearly all of them. Trades another
 * transaction holds right now (a result being written) are skipped rather than waited for: locks
 * are only ever waited for in id order, or two statements could deadlock. Returns how many leases
 * were renewed.
 */
export async function renewLeases(db: Queryable, held: readonly HeldTrade[], olderThanMs = 0): Promise<number> {
  if (held.length === 0) return 0;
  return db.$executeRaw`
    WITH renewed AS (
      SELECT trade.id
      FROM ${lockedTradesById(
        Prisma.sql`unnest(${held.map((h) => h.id)}::uuid[], ${held.map((h) => h.idempotencyKey)}::text[]) AS q(id, idempotency_key)`,
        { skipLocked: true },
      )}
      WHERE q.idempotency_key = trade.idempotency_key
        AND ${tradeStatusIn([...TRADE_MOVES.saveQuote.from, ...TRADE_MOVES.book.from], "trade.status")}
        AND trade.locked_at < now() - make_interval(secs => ${olderThanMs / 1000}::float8))
    UPDATE trade SET locked_at = now() FROM renewed WHERE trade.id = renewed.id`;
}
