import { batchStatusesMovableTo, CANCELLED_BEFORE_WRITTEN, isFinalBatchStatus, TRADE_MOVES, type TradeStatus } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow, batchColumns } from "../rows";
import { addOutcomeCounts } from "./batch-lifecycle";
import { batchesOfTrades, batchStatusIn, notBeingCancelled, theBatch, tradeStatusIn } from "./fragments";
import { moveTrades } from "./move-trades";
import type { HeldTrade } from "./trade-claims";

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
 *    were counted in phase 1 and leave cancelled_unmoved_trades; an EXECUTING one (a claim requoted
 *    since the request that its requote did not cancel: its process stopped in between) is counted
 *    now. This goes on after the batch is CANCELLED.
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
 * reads the batch's PENDING entries of (batch_id, status, row_number), the claims (status, locked_at).
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

/**
 * Cancels claims of batches being cancelled at once, under the key each holds, and counts them as
 * the cancel's pass would (closing a batch they were the last trades of); claims of other batches
 * are left alone, and no batch row of theirs is locked. For a trade requoted since its batch's
 * cancel was requested: its new attempt has asked the bank nothing, and would otherwise ask for a
 * quote it could not save (markTradesQuoted) and wait for the pass. Returns the trades cancelled
 * and their batches as they now stand.
 */
export async function cancelClaimsOfCancellingBatches(
  tx: Queryable,
  claims: readonly HeldTrade[],
): Promise<{ trades: TradeChange[]; batches: BatchRow[] }> {
  if (claims.length === 0) return { trades: [], batches: [] };
  const trades = await moveTrades(tx, "cancel", {
    batches: Prisma.sql`${batchesOfTrades(claims.map((claim) => claim.id))} AND ${stillCancelling()}`,
    byId: Prisma.sql`unnest(${claims.map((claim) => claim.id)}::uuid[], ${claims.map((claim) => claim.idempotencyKey)}::text[])
                      AS q(id, idempotency_key)`,
    where: Prisma.sql`trade.idempotency_key = q.idempotency_key`,
    set: [Prisma.sql`locked_at = NULL`],
  });
  const batches: BatchRow[] = [];
  for (const batchId of [...new Set(trades.map(({ trade }) => trade.batchId))].sort()) {
    batches.push(
      await countCancelledMoves(
        tx,
        batchId,
        trades.filter(({ trade }) => trade.batchId === batchId),
      ),
    );
  }
  return { trades, batches };
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
   * (requoted, and left EXECUTING) is left to the next pass (listCancellingBatches).
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
  // (batch_id, row_number). Given 5,000 ids instead, PostgreSQL read the index entries
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
  // Status by status (eachCancellableStatus): each minimum is the first entry of one partial index.
  const firsts = eachCancellableStatus(
    (status) => Prisma.sql`(SELECT min(row_number) FROM trade WHERE batch_id = ${id}::uuid AND ${tradeStatusIn([status])})`,
  );
  const [first] = await tx.$queryRaw<{ row: number | null }[]>`SELECT LEAST(${Prisma.join(firsts)}) - 1 AS row`;
  return first?.row ?? null;
}

/**
 * One SQL part per status the cancel move takes. Those statuses (PENDING, EXECUTING) are in different
 * partial indexes of trade, and a condition naming both implies neither index's predicate: asked
 * together, a batch's cancellable trades were found by reading all of its trades (208,000 rows
 * filtered, 80 ms, on a 200,000-trade batch whose booking in flight kept it RUNNING), on every poll.
 */
function eachCancellableStatus(part: (status: TradeStatus) => Prisma.Sql): Prisma.Sql[] {
  return TRADE_MOVES.cancel.from.map(part);
}

/**
 * Which of these batches have had their cancel requested (cancels are never withdrawn). The runner
 * asks it of the batches whose trades it holds, so that a trade waiting for a call to the bank is
 * not quoted after its batch's cancel.
 */
export async function batchesWithCancelRequested(db: Queryable, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM batch WHERE id = ANY(${ids}::uuid[]) AND NOT (${notBeingCancelled})`;
  return rows.map((row) => row.id);
}

/**
 * Batches being cancelled that still have trades the cancel move may take: those whose
 * canceller stopped between chunks (or a trade that became cancellable again, e.g. requoted).
 */
export function listCancellingBatches(db: Queryable): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`
    SELECT ${batchColumns("b")} FROM batch b
    WHERE ${stillCancelling("b")}
      AND (${Prisma.join(
        eachCancellableStatus(
          (status) => Prisma.sql`EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND ${tradeStatusIn([status], "t.status")})`,
        ),
        " OR ",
      )})
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
