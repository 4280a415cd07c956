import { BATCH_MOVES, CLAIMABLE_BATCH_STATUSES } from "@fxbt/domain";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow, batchColumns } from "../rows";
import { batchMayMove, batchStatusIn } from "./fragments";

/**
 * Promotes queued batches to RUNNING, highest priority first, then oldest in the queue,
 * while fewer than `maxRunning` run. The advisory lock makes the count-then-promote safe
 * across API instances; the candidates are locked and the guard is checked again on the
 * locked rows, so a batch cancelled meanwhile is never promoted. Each promotion starts a run
 * (run_started_at; startedAt stays the first run's start): closing the batch adds the run to its run time.
 */
export async function promoteQueuedBatches(tx: Queryable, maxRunning: number): Promise<BatchRow[]> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('fxbt.promote_queued_batches'))`;
  const running = batchStatusIn(BATCH_MOVES.promote.to);
  // The candidates are a CTE, evaluated once: as `WHERE id IN (SELECT … LIMIT … FOR UPDATE)`
  // the planner may rescan the subquery per row and promote more batches than the limit.
  return tx.$queryRaw<BatchRow[]>`
    WITH candidates AS (
      SELECT id FROM batch
      WHERE ${batchMayMove("promote")} AND queued_at IS NOT NULL AND cancel_requested_at IS NULL
      ORDER BY priority DESC, queued_at, id
      LIMIT greatest(0, ${maxRunning}::int - (SELECT count(*) FROM batch WHERE ${running})::int)
      FOR UPDATE)
    UPDATE batch SET status = ${BATCH_MOVES.promote.to[0]}::"BatchStatus", started_at = coalesce(started_at, now()),
                     run_started_at = coalesce(run_started_at, now())
    FROM candidates
    WHERE batch.id = candidates.id AND ${batchMayMove("promote", "batch.status")} AND batch.cancel_requested_at IS NULL
    RETURNING ${batchColumns("batch")}`;
}

/** Batches whose trades runners claim now, in the order they should be served. */
export async function listRunningBatches(db: Queryable): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch WHERE ${batchStatusIn(CLAIMABLE_BATCH_STATUSES)} AND cancel_requested_at IS NULL
    ORDER BY priority DESC, queued_at, id`;
}
