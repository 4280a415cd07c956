import { FINAL_BATCH_STATUSES } from "@fxbt/domain";
import type pg from "pg";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow, TRADE_ATTEMPT_COLUMN_NAMES, TRADE_COLUMN_NAMES } from "../rows";
import { discardCachedPlans } from "./cached-plans";

/**
 * Archival (issue 10): finished batches leave the hot tables, nothing is lost.
 *
 * What moves, and what does not:
 * - The batch row stays in `batch` and is flagged (`archived_at`), in one short transaction, first.
 *   Batch rows are few (one per file, against up to 100,000 trades each), so they cost the hot
 *   paths nothing worth a second table, while keeping them means batchUid stays unique and
 *   numbered, `batch(id:)` by id or uid, partner scoping and the counters all work unchanged, and
 *   the archived trades keep a foreign key to their batch (ON DELETE RESTRICT: a batch with
 *   archived trades cannot be deleted). From the flag on, no command changes the batch
 *   (checkBatchAction refuses every action), so its trades are frozen before any of them moves.
 * - trade and trade_attempt rows move to trade_archive and trade_attempt_archive (same columns),
 *   a chunk at a time, each chunk one statement (moveTradeChunk): a crash loses at most the chunk
 *   in flight, which rolls back whole; the next run continues with what is left.
 * - trade_search rows are deleted with their trade (trigger trade_search_delete): they are only an index of
 *   the trade's own columns, and an archived search reads those columns instead.
 * - The event sequence columns (batch.event_sequence*, trade.sequence) move with their rows
 *   unchanged; a finished batch has no events to come.
 * - audit_event is an append-only log without foreign keys: it never moves, and keeps naming the
 *   batch by id.
 * - The simulated bank's ledger (bank_sim_*) is the bank's, not ours: never touched.
 *
 * While a flagged batch's trades are moving, its reads take both tables (tradeSource "both"), so
 * a reader sees every trade exactly once, whichever side it is on.
 */

/** The advisory lock key of the archival run ("fxbtarch"): one instance at a time works. */
export const ARCHIVE_LOCK_KEY = 0x6678_6274_6172_6368n;

/** Trades moved by one statement: why 5,000, and what it costs, in apps/api/src/services/archival.ts. */
export const DEFAULT_ARCHIVE_CHUNK_SIZE = 5_000;

/** Who the audit log names for the scheduled run and the admin command. */
export const ARCHIVAL_ACTOR = "archival";

/** pg reads a bigint as text; Prisma, whose rows these stand beside, as a BigInt. */
type RawBatchRow = Omit<BatchRow, "eventSequenceTx"> & { eventSequenceTx: string | null };
const fromPg = (row: RawBatchRow): BatchRow => ({
  ...row,
  eventSequenceTx: row.eventSequenceTx === null ? null : BigInt(row.eventSequenceTx),
});

/** Takes the archival's session lock on this connection, if no other session holds it. */
export async function tryArchiveLock(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS locked", [
    ARCHIVE_LOCK_KEY.toString(),
  ]);
  return rows[0]?.locked === true;
}

export async function releaseArchiveLock(client: pg.ClientBase): Promise<void> {
  await client.query("SELECT pg_advisory_unlock($1::bigint)", [ARCHIVE_LOCK_KEY.toString()]);
}

/** Flags one batch as archived (the caller holds its lock and has checked the archive action). */
export async function flagBatchArchived(tx: Queryable, id: string): Promise<BatchRow> {
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET archived_at = now() WHERE id = ${id}::uuid AND archived_at IS NULL RETURNING ${BATCH_COLUMNS}`;
  return batch!;
}

/**
 * Flags up to `limit` finished batches completed before `completedBefore`, oldest first, each with
 * its audit record in the same statement. Batches another transaction holds (a command under way)
 * are skipped, to be taken by a later run. Returns the flagged batches.
 */
export async function flagExpiredBatches(client: pg.ClientBase, completedBefore: Date, limit: number): Promise<BatchRow[]> {
  const { text, values } = Prisma.sql`
    WITH flagged AS (
      UPDATE batch SET archived_at = now()
      WHERE id IN (
        SELECT id FROM batch
        WHERE archived_at IS NULL AND status = ANY(${[...FINAL_BATCH_STATUSES]}::"BatchStatus"[]) AND completed_at < ${completedBefore}
          AND cancelled_unmoved_trades = 0
        ORDER BY completed_at LIMIT ${limit}::int FOR UPDATE SKIP LOCKED)
      RETURNING ${BATCH_COLUMNS}),
    audited AS (
      INSERT INTO audit_event (actor, action, outcome, batch_id, detail)
      SELECT ${ARCHIVAL_ACTOR}, 'ARCHIVE_BATCH', 'SUCCEEDED', "id", "batchUid" || ': finished before ' || ${completedBefore.toISOString()}
      FROM flagged)
    SELECT * FROM flagged`;
  return (await client.query<RawBatchRow>(text, values)).rows.map(fromPg);
}

/** Archived batches that still have trades in the hot table: the moves a run must (still) make. */
export async function listBatchesToMove(client: pg.ClientBase): Promise<{ id: string; batchUid: string }[]> {
  const { rows } = await client.query<{ id: string; batchUid: string }>(
    `SELECT b.id, b.batch_uid AS "batchUid" FROM batch b
     WHERE b.archived_at IS NOT NULL AND EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id)
     ORDER BY b.archived_at, b.id`,
  );
  return rows;
}

export interface MovedChunk {
  trades: number;
  attempts: number;
}

/**
 * Moves up to `limit` trades of an archived batch, with all their attempts, to the archive
 * tables: one statement, so one atomic step. Rows another mover holds are skipped (SKIP LOCKED)
 * and a row is moved by the DELETE that removed it, so two movers of one batch never move a
 * trade twice. Refuses (moves nothing) unless the batch is flagged archived.
 */
export async function moveTradeChunk(client: pg.ClientBase, batchId: string, limit: number): Promise<MovedChunk> {
  // Each archived attempt is checked against trade_archive, which grows by every chunk, and each
  // archived trade against batch: plans this connection made when they were smaller are dropped.
  await discardCachedPlans(client);
  const { rows } = await client.query<MovedChunk>(
    `WITH picked AS (
       SELECT t.id FROM trade t JOIN batch b ON b.id = t.batch_id AND b.archived_at IS NOT NULL
       WHERE t.batch_id = $1::uuid LIMIT $2::int FOR UPDATE OF t SKIP LOCKED),
     moved AS (DELETE FROM trade WHERE id IN (SELECT id FROM picked) RETURNING ${TRADE_COLUMN_NAMES}),
     kept AS (INSERT INTO trade_archive (${TRADE_COLUMN_NAMES}) SELECT ${TRADE_COLUMN_NAMES} FROM moved RETURNING 1),
     attempts AS (DELETE FROM trade_attempt WHERE trade_id IN (SELECT id FROM picked) RETURNING ${TRADE_ATTEMPT_COLUMN_NAMES}),
     kept_attempts AS (
       INSERT INTO trade_attempt_archive (${TRADE_ATTEMPT_COLUMN_NAMES}) SELECT ${TRADE_ATTEMPT_COLUMN_NAMES} FROM attempts RETURNING 1)
     SELECT (SELECT count(*) FROM kept)::int AS trades, (SELECT count(*) FROM kept_attempts)::int AS attempts`,
    [batchId, limit],
  );
  return rows[0] ?? { trades: 0, attempts: 0 };
}

/**
 * Deletes one batch staged before `stagedBefore` and never started (PENDING, never queued, no
 * trade ever attempted, not being cancelled), with its audit record, in one statement; null when
 * there is none. One batch a statement: a staged batch holds at most MAX_CSV_ROWS trades, and its
 * delete must be whole (a half-deleted batch could otherwise be started).
 */
export async function deleteOneStaleStagedBatch(client: pg.ClientBase, stagedBefore: Date): Promise<BatchRow | null> {
  // As deleteBatchRow: the cascade's statement per trade runs with freshly made plans.
  await discardCachedPlans(client);
  const { text, values } = Prisma.sql`
    WITH deleted AS (
      DELETE FROM batch
      WHERE id IN (
        SELECT b.id FROM batch b
        WHERE b.status = 'PENDING'::"BatchStatus" AND b.queued_at IS NULL AND b.started_at IS NULL
          AND b.cancel_requested_at IS NULL AND b.archived_at IS NULL AND b.created_at < ${stagedBefore}
          AND NOT EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND t.attempts > 0)
        ORDER BY b.created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING ${BATCH_COLUMNS}),
    audited AS (
      INSERT INTO audit_event (actor, action, outcome, batch_id, detail)
      SELECT ${ARCHIVAL_ACTOR}, 'DELETE_BATCH', 'SUCCEEDED', "id",
             "batchUid" || ': staged ' || to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD') || ', never started'
      FROM deleted)
    SELECT * FROM deleted`;
  const { rows } = await client.query<RawBatchRow>(text, values);
  return rows[0] ? fromPg(rows[0]) : null;
}
