import type { TradeStatus } from "@fxbt/domain";
import { addOutcomeCounts, type OutcomeCounts, type TradeChange } from "./batches";
import type { PrismaClient } from "./generated/prisma/client";
import type { Queryable } from "./queryable";
import { type BatchRow, TRADE_COLUMNS, type TradeRow, tradeColumns } from "./views";

/**
 * Claims up to `limit` PENDING trades of one RUNNING batch, in row order, with one
 * statement. SKIP LOCKED lets several runners claim from one batch without waiting on
 * each other. Each claim starts a new attempt with its own idempotency key, saved before
 * anything is sent to the bank.
 */
export async function claimPendingTrades(db: Queryable, batchId: string, limit: number): Promise<TradeRow[]> {
  return db.$queryRaw<TradeRow[]>`
    UPDATE trade t SET status = 'EXECUTING', attempts = t.attempts + 1,
                       idempotency_key = t.id::text || ':' || (t.attempts + 1), locked_at = now(), updated_at = now()
    WHERE t.id IN (
      SELECT id FROM trade
      WHERE batch_id = ${batchId}::uuid AND status = 'PENDING'
      ORDER BY row_number
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED)
      AND EXISTS (SELECT 1 FROM batch b WHERE b.id = t.batch_id AND b.status = 'RUNNING' AND b.cancel_requested_at IS NULL)
    RETURNING ${tradeColumns("t")}`;
}

export interface QuotedTrade {
  id: string;
  /** The claim's key: a trade claimed again since (its runner was thought dead) is not this claim's to write. */
  idempotencyKey: string;
  quoteId: string;
  rate: string;
}

/**
 * Saves the quotes of claimed trades. Only trades still EXECUTING under the same claim move:
 * one cancelled in the meantime stays CANCELLED and its booking is never sent.
 */
export async function markTradesQuoted(db: Queryable, quoted: readonly QuotedTrade[]): Promise<TradeRow[]> {
  if (quoted.length === 0) return [];
  return db.$queryRaw<TradeRow[]>`
    UPDATE trade t SET status = 'QUOTED', quote_id = q.quote_id, rate = q.rate, locked_at = now(), updated_at = now()
    FROM unnest(${quoted.map((q) => q.id)}::uuid[], ${quoted.map((q) => q.idempotencyKey)}::text[],
                ${quoted.map((q) => q.quoteId)}::text[], ${quoted.map((q) => q.rate)}::numeric[])
         AS q(id, idempotency_key, quote_id, rate)
    WHERE t.id = q.id AND t.status = 'EXECUTING' AND t.idempotency_key = q.idempotency_key
    RETURNING ${tradeColumns("t")}`;
}

/** A trade's final result from the bank, and the status it must still be in to take it. */
export interface TradeOutcome {
  id: string;
  /** The key of the attempt this result belongs to. */
  idempotencyKey: string;
  from: "EXECUTING" | "QUOTED";
  to: "SUCCESS" | "FAILED";
  transactionId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Writes final results for many trades and their batches' counters in one transaction,
 * so the counters always equal the trades' statuses. A result for a trade that is no
 * longer in the expected status (cancelled, or finished by another runner) is dropped.
 */
export async function recordTradeOutcomes(
  prisma: PrismaClient,
  outcomes: readonly TradeOutcome[],
): Promise<{ changes: TradeChange[]; batches: BatchRow[] }> {
  if (outcomes.length === 0) return { changes: [], batches: [] };
  return prisma.$transaction(async (tx) => {
    // Batch rows first, in id order: cancelBatch locks the batch before its trades, so the
    // same order here rules out deadlocks between the two.
    await tx.$executeRaw`
      SELECT 1 FROM batch WHERE id IN (SELECT batch_id FROM trade WHERE id = ANY(${outcomes.map((o) => o.id)}::uuid[]))
      ORDER BY id FOR UPDATE`;
    const trades = await tx.$queryRaw<(TradeRow & { previousStatus: TradeStatus })[]>`
      UPDATE trade t SET status = o.to_status::"TradeStatus", transaction_id = o.transaction_id,
                         error_code = o.error_code, error_message = o.error_message, locked_at = NULL, updated_at = now()
      FROM unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.idempotencyKey)}::text[],
                  ${outcomes.map((o) => o.from)}::text[], ${outcomes.map((o) => o.to)}::text[],
                  ${outcomes.map((o) => o.transactionId)}::text[], ${outcomes.map((o) => o.errorCode)}::text[],
                  ${outcomes.map((o) => o.errorMessage)}::text[])
           AS o(id, idempotency_key, from_status, to_status, transaction_id, error_code, error_message)
      WHERE t.id = o.id AND t.status::text = o.from_status AND t.idempotency_key = o.idempotency_key
      RETURNING ${tradeColumns("t")}, o.from_status AS "previousStatus"`;
    const batches = await addOutcomeCounts(tx, countOutcomes(trades));
    return { changes: trades.map(({ previousStatus, ...trade }) => ({ trade, previousStatus })), batches };
  });
}

function countOutcomes(trades: readonly Pick<TradeRow, "batchId" | "status">[]): OutcomeCounts[] {
  const byBatch = new Map<string, OutcomeCounts>();
  for (const { batchId, status } of trades) {
    const counts = byBatch.get(batchId) ?? { batchId, succeeded: 0, failed: 0, cancelled: 0 };
    byBatch.set(batchId, counts);
    if (status === "SUCCESS") counts.succeeded++;
    else if (status === "FAILED") counts.failed++;
    else if (status === "CANCELLED") counts.cancelled++;
  }
  return [...byBatch.values()];
}

/**
 * Trades claimed by a runner that stopped (its lease ran out) before any booking was sent
 * go back to PENDING: running them again cannot book twice.
 */
export async function releaseAbandonedClaims(db: Queryable, leaseMs: number): Promise<TradeChange[]> {
  const trades = await db.$queryRaw<TradeRow[]>`
    UPDATE trade SET status = 'PENDING', locked_at = NULL, updated_at = now()
    WHERE status = 'EXECUTING' AND locked_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)
    RETURNING ${TRADE_COLUMNS}`;
  return trades.map((trade) => ({ trade, previousStatus: "EXECUTING" }));
}

/**
 * Takes over QUOTED trades whose runner stopped: their booking may or may not have reached
 * the bank, so the taker resends it with the same idempotency key and the bank books it once.
 */
export async function claimAbandonedBookings(db: Queryable, leaseMs: number, limit: number): Promise<TradeRow[]> {
  return db.$queryRaw<TradeRow[]>`
    UPDATE trade SET locked_at = now()
    WHERE id IN (
      SELECT id FROM trade
      WHERE status = 'QUOTED' AND locked_at < now() - make_interval(secs => ${leaseMs / 1000}::float8)
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED)
    RETURNING ${TRADE_COLUMNS}`;
}
