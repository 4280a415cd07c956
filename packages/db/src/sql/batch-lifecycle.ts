import {
  BATCH_MOVES,
  type BatchStatus,
  batchStatusesMovableTo,
  CANCELLED_BEFORE_WRITTEN,
  CLAIMABLE_BATCH_STATUSES,
  FINAL_TRADE_STATUSES,
  type FinalTradeStatus,
  finalBatchStatus,
  isFinalTradeStatus,
  PERMANENT_FAILURE_CODES,
  TRADE_MOVES,
  TRADE_STATUSES,
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
 * recounted first: the outcome counters from the trades, answered_trades (throughput's count)
 * from the attempts the bank answered over every run; then the domain decides the final status.
 *
 * Two statements: the batches are locked first, and recounted by a statement that starts after
 * the locks are granted. A settled batch's rows can still be written meanwhile (a cancel's chunk,
 * which changes no status as read but does change cancelled_unmoved_trades); in one statement, a
 * chunk committed between its snapshot and its lock would be recounted from the trades as they
 * were, leaving the counter above the rows left to write for good.
 * `quietForMs`: only batches whose last write is at least that old, so that a batch its last
 * outcome write has just finished is left to that writer, which closes it right after its commit
 * (recordTradeOutcomes), rather than swept as if the write had been lost.
 */
export async function finishSettledBatches(tx: Queryable, quietForMs = 0): Promise<BatchRow[]> {
  const counters = Object.entries(FINAL_STATUS_COUNTERS);
  // Statuses as read: a cancel's PENDING trades not yet written are final (CANCELLED_BEFORE_WRITTEN).
  const status = tradeStatusWithBatch("t", "b");
  // A trade left to run is in flight, or PENDING in a batch no cancel has counted. Asked status by status,
  // each test reads the partial index that holds its statuses (20261129090000); one test of the status as
  // read matches neither index's predicate, and read every row of the batch.
  const { stored } = CANCELLED_BEFORE_WRITTEN;
  const inFlight = TRADE_STATUSES.filter((s) => !isFinalTradeStatus(s) && s !== stored);
  const settled = await tx.$queryRaw<{ id: string }[]>`
    SELECT b.id FROM batch b
    WHERE ${batchStatusIn(BATCH_MOVES.finish.from, "b.status")}
      AND NOT EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND ${tradeStatusIn(inFlight, "t.status")})
      AND (b.cancel_requested_at IS NOT NULL
           OR NOT EXISTS (SELECT 1 FROM trade t WHERE t.batch_id = b.id AND ${tradeStatusIn([stored], "t.status")}))
      AND b.updated_at <= clock_timestamp() - make_interval(secs => ${quietForMs / 1000}::float8)
    ORDER BY b.id FOR UPDATE SKIP LOCKED`;
  if (settled.length === 0) return [];
  const ids = settled.map((batch) => batch.id);
  const countedFinal = counters.map(
    ([final, column]) => Prisma.sql`count(*) FILTER (WHERE ${status} = ${final}::"TradeStatus")::int AS ${Prisma.raw(column)}`,
  );
  const recounted = counters.map(([, column]) => Prisma.raw(`${column} = coalesce(counts.${column}, 0)`));
  const batches = await tx.$queryRaw<BatchRow[]>`
    WITH counts AS (
      SELECT t.batch_id, ${Prisma.join(countedFinal)},
             count(*) FILTER (WHERE t.status <> ${status})::int AS unwritten
      FROM trade t JOIN batch b ON b.id = t.batch_id WHERE t.batch_id = ANY(${ids}::uuid[]) GROUP BY t.batch_id),
    answers AS (
      SELECT t.batch_id, count(*)::int AS answered
      FROM trade t JOIN trade_attempt a ON a.trade_id = t.id
      WHERE t.batch_id = ANY(${ids}::uuid[]) AND ${attemptAnswered("a")} GROUP BY t.batch_id)
    UPDATE batch SET ${Prisma.join(recounted)}, cancelled_unmoved_trades = coalesce(counts.unwritten, 0),
                     answered_trades = coalesce(answers.answered, 0)
    FROM unnest(${ids}::uuid[]) AS settled(id) LEFT JOIN counts ON counts.batch_id = settled.id LEFT JOIN answers ON answers.batch_id = settled.id
    WHERE batch.id = settled.id
    RETURNING ${batchColumns("batch")}`;
  return closeFinishedBatches(tx, batches);
}
