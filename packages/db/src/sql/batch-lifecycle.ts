import {
  BATCH_MOVES,
  type BatchStatus,
  batchStatusesMovableTo,
  CANCELLED_BEFORE_WRITTEN,
  CLAIMABLE_BATCH_STATUSES,
  FINAL_TRADE_STATUSES,
  type FinalTradeStatus,
  finalBatchStatus,
  isFinalBatchStatus,
  PERMANENT_FAILURE_CODES,
  TRADE_MOVES,
  UNKNOWN_FAILURE_CODE,
} from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow, batchColumns } from "../rows";
import { discardCachedPlans } from "./cached-plans";
import {
  attemptAnswered,
  batchMayMove,
  batchStatusIn,
  FINAL_STATUS_COUNTERS,
  theBatch,
  tradeStatusIn,
  tradeStatusWithBatch,
} from "./fragments";
import { moveTrades } from "./move-trades";

/**
 * A person's actions on one batch. Each runs in a transaction that first locks the batch
 * row (lockBatch), so actions on one batch never interleave, and returns what it changed
 * for the publisher.
 */

/** Reads a batch and locks it until the transaction ends, so lifecycle actions never race. */
export async function lockBatch(tx: Queryable, id: string): Promise<BatchRow | null> {
  const rows = await tx.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${id}::uuid FOR UPDATE`;
  return rows[0] ?? null;
}

/** Puts a PENDING batch in the runner's queue. */
export async function queueBatch(tx: Queryable, id: string): Promise<BatchRow> {
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET queued_at = now() WHERE id = ${id}::uuid RETURNING ${BATCH_COLUMNS}`;
  return batch!;
}

/** Records the four-eyes approval of a batch (the caller has checked who may approve). */
export async function approveBatchRow(tx: Queryable, id: string, approver: { id: string; name: string }): Promise<BatchRow> {
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET approved_by_id = ${approver.id}::uuid, approved_by = ${approver.name}, approved_at = now()
    WHERE id = ${id}::uuid RETURNING ${BATCH_COLUMNS}`;
  return batch!;
}

/**
 * Cancelling is two phases, so no transaction holds the batch row over all its trades while
 * the runner's outcome writes (which lock the same row: recordTradeOutcomes) wait behind it:
 *
 * 1. requestCancel, in the command's own short transaction: the batch is marked (and leaves the
 *    queue); its claims whose quote is in flight (EXECUTING: nothing sent to book) are cancelled,
 *    a few hundred rows at most; and every PENDING trade of it is counted as cancelled without
 *    its row being written (the domain's CANCELLED_BEFORE_WRITTEN: from this commit on none of
 *    them is claimed, and every read shows them CANCELLED). Their count is also kept in
 *    cancelled_unmoved_trades until their rows say so. The batch ends CANCELLED here when no
 *    booking of it is in flight, whatever its size; else once the outcome of its last booking is
 *    written, in the transaction that write commits right after it (recordTradeOutcomes).
 * 2. cancelPendingChunk, again and again, each chunk its own short transaction: the rows of the
 *    trades the cancel move may take in the chunk's window are written CANCELLED. The PENDING ones
 *    were counted in phase 1 and leave cancelled_unmoved_trades; an EXECUTING one (a requote since
 *    the request) is counted now. This goes on after the batch is CANCELLED.
 *
 * Writing 100,000 rows takes seconds however it is cut up (bench/cancel.ts: one UPDATE of as many
 * rows of a copy of trade with its indexes takes 1.7 s on a quiet 2-core machine, each row
 * writing an entry into each index; as chunks beside a running batch 7.5 s), so counting first is
 * what lets the batch be CANCELLED in a fraction of that. The runner writes the rows
 * (listCancellingBatches), whichever instance it is on, and goes on with a batch whose writer stopped half way.
 */

/** Rows per chunk: big enough to be quick overall, small enough that outcome writes hardly wait. */
export const CANCEL_CHUNK_SIZE = 5_000;

/**
 * Phase 1: marks the batch as being cancelled and takes it out of the queue, cancels its claims
 * with nothing sent to book (EXECUTING) and counts its PENDING trades as cancelled, closing it
 * when no booking of it is in flight (the caller has locked it and checked the action). The count
 * and the claims read the batch's entries of (batch_id, status, row_number).
 */
export async function requestCancel(tx: Queryable, id: string): Promise<{ batch: BatchRow; trades: TradeChange[] }> {
  await tx.$executeRaw`
    UPDATE batch SET cancel_requested_at = now(), queued_at = NULL,
                     cancelled_trades = cancelled_trades + unwritten.trades,
                     cancelled_unmoved_trades = cancelled_unmoved_trades + unwritten.trades
    FROM (SELECT count(*)::int AS trades FROM trade
          WHERE batch_id = ${id}::uuid AND status = ${CANCELLED_BEFORE_WRITTEN.stored}::"TradeStatus") unwritten
    WHERE id = ${id}::uuid`;
  const inFlight = TRADE_MOVES.cancel.from.filter((status) => status !== CANCELLED_BEFORE_WRITTEN.stored);
  const trades = await moveTrades(tx, "cancel", {
    batches: theBatch(id),
    where: Prisma.sql`trade.batch_id = ${id}::uuid AND ${tradeStatusIn(inFlight, "trade.status")}`,
    set: [Prisma.sql`locked_at = NULL`],
  });
  return { batch: await countCancelledMoves(tx, id, trades), trades };
}

/** Statuses a batch being cancelled may still be in: those it may move to CANCELLED from. */
const cancellableBatchStatuses = () => batchStatusesMovableTo("CANCELLED");

export interface CancelledChunk {
  /** The batch as it stands after the chunk (CANCELLED once its last trade is final). */
  batch: BatchRow;
  trades: TradeChange[];
  /** The window was full and the batch is not final: the pass goes on with the next chunk. */
  more: boolean;
  /** The last row of the chunk's window: the next chunk's `afterRow`. */
  throughRow: number | null;
}

export interface CancelChunkOptions {
  /** Rows in the chunk's window: no chunk cancels more. */
  limit?: number;
  /** Skip the batch, answering "busy", when another transaction holds its row, instead of waiting. */
  skipLocked?: boolean;
  /**
   * Where the previous chunk of the same pass ended (its `throughRow`). Without it a pass starts
   * at the first row the cancel move may take. A trade behind it that becomes cancellable again
   * (requoted) is left to the next pass (listCancellingBatches).
   */
  afterRow?: number | null;
}

/**
 * Phase 2: one chunk of a cancel. Locks the batch row first (the order every writer of outcomes
 * takes: batch, then trades in id order); takes the window of the next `limit` rows of the batch
 * (by row number, streamed from its index: no sort over the whole batch, whatever the planner
 * knows of a batch just staged); cancels the trades in it the cancel move may take, locking them
 * in id order (QUOTED ones, whose booking may be at the bank, are left to finish); and adds them
 * to the batch's counters, closing it if they were its last. Returns null when the batch is no
 * longer being cancelled (finished, deleted), and "busy" when `skipLocked` is set and another
 * transaction holds the batch row (another instance's chunk, an outcome write): try again later.
 * Trades are staged with row numbers 1…n; the windows rely on it.
 */
export async function cancelPendingChunk(
  tx: Queryable,
  id: string,
  { limit = CANCEL_CHUNK_SIZE, skipLocked = false, afterRow }: CancelChunkOptions = {},
): Promise<CancelledChunk | "busy" | null> {
  const cancelling = Prisma.sql`id = ${id}::uuid AND ${stillCancelling()}`;
  const [locked] = await tx.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch WHERE ${cancelling} FOR UPDATE ${skipLocked ? Prisma.sql`SKIP LOCKED` : Prisma.empty}`;
  if (!locked) {
    if (!skipLocked) return null;
    const [exists] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM batch WHERE ${cancelling}`;
    return exists ? "busy" : null;
  }
  const start = afterRow ?? (await firstCancellableRow(tx, id));
  const window = start === null ? null : await rowWindow(tx, id, start, limit);
  // The move picks by the window's row range, not by its trades' ids: an index range scan of
  // (batch_id, status, row_number). Given 5,000 ids instead, PostgreSQL read the index entries
  // of every cancellable trade of the batch and filtered them (780 of 1,910 ms of a chunk's
  // statement at 100,000 trades, auto_explain).
  const trades =
    window === null
      ? []
      : await moveTrades(tx, "cancel", {
          batches: theBatch(id),
          where: Prisma.sql`trade.batch_id = ${id}::uuid AND trade.row_number > ${start}::int AND trade.row_number <= ${window.throughRow}::int`,
          set: [Prisma.sql`locked_at = NULL`],
        });
  const batch = await countCancelledMoves(tx, id, trades);
  return {
    batch,
    trades,
    more: window !== null && window.rows === limit && (batch.cancelledUnmovedTrades > 0 || !isFinalBatchStatus(batch.status)),
    throughRow: window?.throughRow ?? null,
  };
}

/**
 * A batch whose cancel still has trades to write: not final yet (an EXECUTING trade may be left),
 * or final with PENDING rows its request counted (cancelled_unmoved_trades).
 */
const stillCancelling = (alias = "batch") =>
  Prisma.sql`${Prisma.raw(alias)}.cancel_requested_at IS NOT NULL
    AND (${batchStatusIn(cancellableBatchStatuses(), `${alias}.status`)} OR ${Prisma.raw(alias)}.cancelled_unmoved_trades > 0)`;

/**
 * The counters after a cancel moved trades: those it took from PENDING were counted by the request
 * and leave cancelled_unmoved_trades; the others (EXECUTING) are counted now, which may close the batch.
 */
async function countCancelledMoves(tx: Queryable, id: string, trades: readonly TradeChange[]): Promise<BatchRow> {
  const written = trades.filter((change) => change.previousStatus === CANCELLED_BEFORE_WRITTEN.stored).length;
  if (written > 0)
    await tx.$executeRaw`UPDATE batch SET cancelled_unmoved_trades = cancelled_unmoved_trades - ${written}::int WHERE id = ${id}::uuid`;
  const [batch] = await addOutcomeCounts(tx, [{ batchId: id, CANCELLED: trades.length - written }]);
  return batch!;
}

/** How many of the batch's next `limit` rows after `start` there are, and the last one's number; null when there are none. */
async function rowWindow(tx: Queryable, id: string, start: number, limit: number): Promise<{ rows: number; throughRow: number } | null> {
  const [window] = await tx.$queryRaw<{ rows: number; throughRow: number | null }[]>`
    SELECT count(*)::int AS rows, max(row_number) AS "throughRow" FROM (
      SELECT row_number FROM trade WHERE batch_id = ${id}::uuid AND row_number > ${start}::int
      ORDER BY row_number LIMIT ${limit}::int) window_rows`;
  return window?.throughRow == null ? null : { rows: window.rows, throughRow: window.throughRow };
}

/** The row before the batch's first trade the cancel move may take (claims go in row order, so the rows before are done); null when there is none. */
async function firstCancellableRow(tx: Queryable, id: string): Promise<number | null> {
  const [first] = await tx.$queryRaw<{ row: number | null }[]>`
    SELECT min(row_number) - 1 AS row FROM trade WHERE batch_id = ${id}::uuid AND ${tradeStatusIn(TRADE_MOVES.cancel.from)}`;
  return first?.row ?? null;
}

/**
 * Batches being cancelled that still have trades the cancel move may take: those whose
 * canceller stopped between chunks (or a trade that became cancellable again, e.g. requoted).
 */
export function listCancellingBatches(db: Queryable): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    SELECT ${batchColumns("b")} FROM batch b
    WHERE ${stillCancelling("b")}
      AND EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND ${tradeStatusIn(TRADE_MOVES.cancel.from, "t.status")})
    ORDER BY b.cancel_requested_at, b.id`;
}

/**
 * Both phases in one transaction, over every trade at once: only for small batches and tests.
 * The API cancels with requestCancel and leaves the rows to the runner's chunks, so that no
 * transaction holds the batch row over a large batch's trades.
 */
export async function cancelBatchTrades(tx: Queryable, id: string): Promise<{ batch: BatchRow; trades: TradeChange[] }> {
  const requested = await requestCancel(tx, id);
  const trades = await moveTrades(tx, "cancel", {
    batches: theBatch(id),
    where: Prisma.sql`trade.batch_id = ${id}::uuid`,
    set: [Prisma.sql`locked_at = NULL`],
  });
  return { batch: await countCancelledMoves(tx, id, trades), trades: [...requested.trades, ...trades] };
}

export interface RequeueOptions {
  /**
   * Exactly the FAILED trades with one of these error codes (a trade without one counts as
   * UNKNOWN_FAILURE_CODE). Default: every failed trade but those with a PERMANENT_FAILURE_CODE.
   */
  errorCodes?: readonly string[] | null;
  /**
   * Exactly these trades of the batch (distinct ids), each of which must be FAILED: when not every
   * one moves, nothing does (the requeue throws, and the caller's transaction rolls back).
   */
  tradeIds?: readonly string[] | null;
}

/** A requeue of named trades found some of them no longer FAILED (the caller checks first, under the batch's lock). */
export class RequeueMismatchError extends Error {
  constructor(named: number, moved: number) {
    super(`requeueFailedTrades: ${named} trades named, ${moved} were FAILED trades of the batch; nothing requeued`);
    this.name = "RequeueMismatchError";
  }
}

/** The counter of the one status a retry takes trades out of (FAILED). */
const retriedCounter = FINAL_STATUS_COUNTERS[TRADE_MOVES.retry.from[0]];

/**
 * Sends FAILED trades of a finished batch back to PENDING (which ones: `errorCodes` or
 * `tradeIds`), takes them off its failed count and queues the batch again. The caller holds the
 * batch's lock.
 */
export async function requeueFailedTrades(
  tx: Queryable,
  id: string,
  { errorCodes = null, tradeIds = null }: RequeueOptions = {},
): Promise<{ batch: BatchRow; trades: TradeChange[] }> {
  const trades = await moveTrades(tx, "retry", {
    batches: theBatch(id),
    where: Prisma.sql`trade.batch_id = ${id}::uuid AND ${requeueChoice(errorCodes, tradeIds)}`,
    set: [
      Prisma.sql`quote_id = NULL, rate = NULL, sell_amount = NULL, buy_amount = NULL, idempotency_key = NULL, transaction_id = NULL`,
      Prisma.sql`error_code = NULL, error_message = NULL, locked_at = NULL`,
    ],
  });
  if (tradeIds !== null && trades.length !== tradeIds.length) throw new RequeueMismatchError(tradeIds.length, trades.length);
  const [batch] = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch SET status = ${BATCH_MOVES.retry.to[0]}::"BatchStatus", ${Prisma.raw(retriedCounter)} = ${Prisma.raw(retriedCounter)} - ${trades.length}::int,
                     queued_at = now(), completed_at = NULL
    WHERE id = ${id}::uuid AND ${batchMayMove("retry")} RETURNING ${BATCH_COLUMNS}`;
  return { batch: batch!, trades };
}

/** Which failed trades a requeue takes, besides the retry move's own status guard. */
function requeueChoice(errorCodes: readonly string[] | null, tradeIds: readonly string[] | null): Prisma.Sql {
  if (tradeIds !== null) return Prisma.sql`trade.id = ANY(${[...tradeIds]}::uuid[])`;
  const code = Prisma.sql`coalesce(trade.error_code, ${UNKNOWN_FAILURE_CODE})`;
  return errorCodes === null
    ? Prisma.sql`NOT (${code} = ANY(${[...PERMANENT_FAILURE_CODES]}::text[]))`
    : Prisma.sql`${code} = ANY(${[...errorCodes]}::text[])`;
}

/**
 * Deletes a batch; its trades, their attempts, keys and search rows go with it (cascades, triggers).
 * Give it a transaction: on a pool, the plans dropped and the DELETE may be on two connections.
 */
export async function deleteBatchRow(tx: Queryable, id: string): Promise<void> {
  // The cascade deletes each trade's attempts and entry key by a statement per trade, with plans
  // this connection may have made when those tables were a page (discardCachedPlans).
  await discardCachedPlans(tx);
  await tx.$executeRaw`DELETE FROM batch WHERE id = ${id}::uuid`;
}

/** Trades of one batch that just reached each final status (a status left out: none). */
export type OutcomeCounts = { batchId: string } & { readonly [status in FinalTradeStatus]?: number };

/**
 * Adds trades that just reached a final status to their batches' counters, in the
 * transaction that moved them, and closes every batch whose trades are now all final
 * with the status the domain decides. (The bank's answers among them were counted in
 * answered_trades by the move itself: moveTrades.)
 */
export async function addOutcomeCounts(tx: Queryable, counts: readonly OutcomeCounts[]): Promise<BatchRow[]> {
  if (counts.length === 0) return [];
  const columns = FINAL_TRADE_STATUSES.map((status) => FINAL_STATUS_COUNTERS[status]);
  const added = FINAL_TRADE_STATUSES.map((status) => Prisma.sql`${counts.map((c) => c[status] ?? 0)}::int[]`);
  const updated = await tx.$queryRaw<BatchRow[]>`
    UPDATE batch b SET ${Prisma.raw(columns.map((column) => `${column} = b.${column} + c.${column}`).join(", "))}
    FROM unnest(${counts.map((c) => c.batchId)}::uuid[], ${Prisma.join(added)}) AS c(batch_id, ${Prisma.raw(columns.join(", "))})
    WHERE b.id = c.batch_id
    RETURNING ${batchColumns("b")}`;
  return closeFinishedBatches(tx, updated);
}

/** The final status a batch as read must be closed with (the domain's), or null when it is not finished or already has it. */
export function closingStatus(batch: BatchRow): BatchStatus | null {
  const status = finalBatchStatus(batch);
  return status && status !== batch.status ? status : null;
}

/**
 * Closes each batch whose trades are all final with the status the domain decides, ending its
 * current run (its seconds join finished_run_seconds: run-figures.ts); returns every batch as it now stands.
 */
export async function closeFinishedBatches(tx: Queryable, batches: readonly BatchRow[]): Promise<BatchRow[]> {
  const result: BatchRow[] = [];
  for (const batch of batches) {
    const status = closingStatus(batch);
    const [closed] = status
      ? await tx.$queryRaw<BatchRow[]>`
            UPDATE batch SET status = ${status}::"BatchStatus", completed_at = now(), queued_at = NULL,
                             bank_unavailable_since = NULL, run_started_at = NULL,
                             finished_run_seconds = finished_run_seconds
                               + coalesce(greatest(0, extract(epoch FROM now() - run_started_at)::float8), 0)
            WHERE id = ${batch.id}::uuid AND ${batchStatusIn(batchStatusesMovableTo(status))}
            RETURNING ${BATCH_COLUMNS}`
      : [];
    result.push(closed ?? batch);
  }
  return result;
}

/**
 * Marks the running batches (locked in id order, as every statement that waits for batch
 * locks takes them) as waiting for the bank (their trades are held, none is failed
 * for it), keeping the first time it was noticed. Returns the batches it marked.
 */
export function markBankUnavailable(db: Queryable, since: Date): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    WITH marked AS (
      SELECT id FROM batch WHERE ${batchStatusIn(CLAIMABLE_BATCH_STATUSES)} AND bank_unavailable_since IS NULL ORDER BY id FOR UPDATE)
    UPDATE batch SET bank_unavailable_since = ${since}
    FROM marked WHERE batch.id = marked.id AND batch.bank_unavailable_since IS NULL
    RETURNING ${batchColumns("batch")}`;
}

/** The bank answers again: clears the mark on every batch that has it. */
export function markBankAvailable(db: Queryable): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    WITH cleared AS (SELECT id FROM batch WHERE bank_unavailable_since IS NOT NULL ORDER BY id FOR UPDATE)
    UPDATE batch SET bank_unavailable_since = NULL
    FROM cleared WHERE batch.id = cleared.id
    RETURNING ${batchColumns("batch")}`;
}

/**
 * The sweeper: finishes running batches whose trades are all final but which are still
 * running (a write that finished them was lost, or a race left them so). Their counters are
 * recounted first, in one statement: the outcome counters from the trades, answered_trades
 * (throughput's count) from the attempts the bank answered over every run; then the domain
 * decides the final status. `quietForMs`: only batches whose last write is at least that old, so
 * that a batch its last outcome write has just finished is left to that writer, which closes it
 * right after its commit (recordTradeOutcomes), rather than swept as if the write had been lost.
 */
export async function finishSettledBatches(tx: Queryable, quietForMs = 0): Promise<BatchRow[]> {
  const counters = Object.entries(FINAL_STATUS_COUNTERS);
  // Statuses as read: a cancel's PENDING trades not yet written are final (CANCELLED_BEFORE_WRITTEN).
  const status = tradeStatusWithBatch("t", "b");
  const countedFinal = counters.map(
    ([final, column]) => Prisma.sql`count(*) FILTER (WHERE ${status} = ${final}::"TradeStatus")::int AS ${Prisma.raw(column)}`,
  );
  const recounted = counters.map(([, column]) => Prisma.raw(`${column} = coalesce(counts.${column}, 0)`));
  const batches = await tx.$queryRaw<BatchRow[]>`
    WITH settled AS (
      SELECT b.id FROM batch b
      WHERE ${batchStatusIn(BATCH_MOVES.finish.from, "b.status")}
        AND NOT EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND NOT (${status} = ANY(${[...FINAL_TRADE_STATUSES]}::"TradeStatus"[])))
        AND b.updated_at <= clock_timestamp() - make_interval(secs => ${quietForMs / 1000}::float8)
      FOR UPDATE SKIP LOCKED),
    counts AS (
      SELECT t.batch_id, ${Prisma.join(countedFinal)},
             count(*) FILTER (WHERE t.status <> ${status})::int AS unwritten
      FROM trade t JOIN batch b ON b.id = t.batch_id JOIN settled ON settled.id = t.batch_id GROUP BY t.batch_id),
    answers AS (
      SELECT t.batch_id, count(*)::int AS answered
      FROM trade t JOIN settled ON settled.id = t.batch_id JOIN trade_attempt a ON a.trade_id = t.id
      WHERE ${attemptAnswered("a")} GROUP BY t.batch_id)
    UPDATE batch SET ${Prisma.join(recounted)}, cancelled_unmoved_trades = coalesce(counts.unwritten, 0),
                     answered_trades = coalesce(answers.answered, 0)
    FROM settled LEFT JOIN counts ON counts.batch_id = settled.id LEFT JOIN answers ON answers.batch_id = settled.id
    WHERE batch.id = settled.id
    RETURNING ${batchColumns("batch")}`;
  return closeFinishedBatches(tx, batches);
}
