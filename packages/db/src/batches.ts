import { finalBatchStatus, type TradeStatus } from "@fxbt/domain";
import type { Queryable } from "./queryable";
import { BATCH_COLUMNS, type BatchRow, batchColumns, TRADE_COLUMNS, type TradeRow, tradeColumns } from "./views";

/** A trade that changed status, with the status it left. */
export interface TradeChange {
  trade: TradeRow;
  previousStatus: TradeStatus;
}

/** Reads a batch and locks it until the transaction ends, so lifecycle actions never race. */
export async function lockBatch(tx: Queryable, id: string): Promise<BatchRow | null> {
  const rows = await tx.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

/** Puts a PENDING batch in the runner's queue. */
export async function queueBatch(tx: Queryable, id: string): Promise<BatchRow> {
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET queued_at = now(), updated_at = now() WHERE id = ${id}::uuid RETURNING ${BATCH_COLUMNS}`;
  return batch!;
}

/**
 * Promotes queued batches to RUNNING, highest priority first, then oldest in the queue,
 * while fewer than `maxRunning` run. The advisory lock makes the count-then-promote safe
 * across API instances.
 */
export async function promoteQueuedBatches(tx: Queryable, maxRunning: number): Promise<BatchRow[]> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fxbt.promote_queued_batches'))`;
  return tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET status = 'RUNNING', started_at = coalesce(started_at, now()), updated_at = now()
    WHERE id IN (
      SELECT id FROM batch
      WHERE status = 'PENDING' AND queued_at IS NOT NULL AND cancel_requested_at IS NULL
      ORDER BY priority DESC, queued_at, id
      LIMIT greatest(0, ${maxRunning}::int - (SELECT count(*) FROM batch WHERE status = 'RUNNING')::int))
    RETURNING ${BATCH_COLUMNS}`;
}

/** Batches the runner works on now, in the order it should serve them. */
export async function listRunningBatches(db: Queryable): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch WHERE status = 'RUNNING' ORDER BY priority DESC, queued_at, id`;
}

/**
 * Cancels every trade of the batch that has no booking in flight (PENDING, EXECUTING) and
 * marks the batch as cancelling. QUOTED trades finish; the batch ends when they have.
 */
export async function cancelBatchTrades(tx: Queryable, id: string): Promise<{ batch: BatchRow; changes: TradeChange[] }> {
  const changes = await tx.$queryRaw<(TradeRow & { previousStatus: TradeStatus })[]>`
    UPDATE trade t SET status = 'CANCELLED', locked_at = NULL, updated_at = now()
    FROM (SELECT id, status::text AS previous_status FROM trade
          WHERE batch_id = ${id}::uuid AND status IN ('PENDING', 'EXECUTING') FOR UPDATE) AS before
    WHERE t.id = before.id
    RETURNING ${tradeColumns("t")}, before.previous_status AS "previousStatus"`;
  await tx.$executeRaw`UPDATE batch SET cancel_requested_at = now(), queued_at = NULL WHERE id = ${id}::uuid`;
  const [batch] = await addOutcomeCounts(tx, [{ batchId: id, succeeded: 0, failed: 0, cancelled: changes.length }]);
  return { batch: batch!, changes: changes.map(({ previousStatus, ...trade }) => ({ trade, previousStatus })) };
}

/** Sends the FAILED trades of a finished batch back to PENDING and queues the batch again. */
export async function requeueFailedTrades(tx: Queryable, id: string): Promise<{ batch: BatchRow; changes: TradeChange[] }> {
  const trades = await tx.$queryRaw<TradeRow[]>`
    UPDATE trade SET status = 'PENDING', quote_id = NULL, rate = NULL, idempotency_key = NULL, transaction_id = NULL,
                     error_code = NULL, error_message = NULL, locked_at = NULL, updated_at = now()
    WHERE batch_id = ${id}::uuid AND status = 'FAILED'
    RETURNING ${TRADE_COLUMNS}`;
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET status = 'PENDING', failed_trades = failed_trades - ${trades.length}::int,
                     queued_at = now(), completed_at = NULL, updated_at = now()
    WHERE id = ${id}::uuid RETURNING ${BATCH_COLUMNS}`;
  return { batch: batch!, changes: trades.map((trade) => ({ trade, previousStatus: "FAILED" })) };
}

export async function deleteBatchRow(tx: Queryable, id: string): Promise<void> {
  await tx.$executeRaw`DELETE FROM batch WHERE id = ${id}::uuid`;
}

export interface OutcomeCounts {
  batchId: string;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/**
 * Adds trades that just reached a final status to their batches' counters, in the
 * transaction that moved them, and closes every batch whose trades are now all final.
 */
export async function addOutcomeCounts(tx: Queryable, counts: readonly OutcomeCounts[]): Promise<BatchRow[]> {
  if (counts.length === 0) return [];
  const updated = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch b SET succeeded_trades = b.succeeded_trades + c.succeeded, failed_trades = b.failed_trades + c.failed,
                       cancelled_trades = b.cancelled_trades + c.cancelled, updated_at = now()
    FROM unnest(${counts.map((c) => c.batchId)}::uuid[], ${counts.map((c) => c.succeeded)}::int[],
                ${counts.map((c) => c.failed)}::int[], ${counts.map((c) => c.cancelled)}::int[])
         AS c(batch_id, succeeded, failed, cancelled)
    WHERE b.id = c.batch_id
    RETURNING ${batchColumns("b")}`;
  const result: BatchRow[] = [];
  for (const batch of updated) {
    const status = finalBatchStatus(batch);
    if (!status || status === batch.status) {
      result.push(batch);
      continue;
    }
    const [closed] = await tx.$queryRaw<BatchRow[]>`
      UPDATE batch SET status = ${status}::"BatchStatus", completed_at = now(), queued_at = NULL, updated_at = now()
      WHERE id = ${batch.id}::uuid RETURNING ${BATCH_COLUMNS}`;
    result.push(closed!);
  }
  return result;
}
