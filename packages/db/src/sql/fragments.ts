import {
  ANSWERED_OUTCOMES,
  BATCH_MOVES,
  type BatchMoveName,
  type BatchStatus,
  CANCELLED_BEFORE_WRITTEN,
  type FinalTradeStatus,
  isFinalBatchStatus,
  TRADE_STATUSES,
  type TradeStatus,
} from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCHES_CANCELLED_BEFORE_WRITTEN, TRADE_ATTEMPT_COLUMN_NAMES, TRADE_COLUMN_NAMES } from "../rows";

/**
 * The status guards of every statement that moves trades or batches come from the domain's
 * status machine (TRADE_MOVES, BATCH_MOVES): none is written here as a literal, so changing
 * a rule there changes what these statements do.
 */
export function tradeStatusIn(statuses: readonly TradeStatus[], column = "status"): Prisma.Sql {
  const values = statuses.map(tradeStatusLiteral);
  // One status is an equality: PostgreSQL 15 takes no order from an index past an `= ANY(…)` column.
  // With ANY, a batch's trades of one status by row_number (the claim did so) were read whole, run ones
  // included, and sorted, instead of read from the first entry of (batch_id, status, row_number).
  if (values.length === 0) return Prisma.sql`FALSE`;
  if (values.length === 1) return Prisma.sql`${Prisma.raw(column)} = ${values[0]!}`;
  return Prisma.sql`${Prisma.raw(column)} IN (${Prisma.join(values)})`;
}

/**
 * A status written into the statement, not sent as a parameter. trade's two status-led indexes are
 * partial (migration 20261129090000), as is the claim's (20261129100000), and PostgreSQL uses a
 * partial index only where it can prove the statement's condition implies the index's: from a
 * parameter it can do so only when it plans with the value. The runner's hot statements are named
 * prepared statements (Database.raw), which PostgreSQL may plan once for any value: with the status
 * as a parameter such a plan lost the claim's index (0.6 ms a claim became 172 ms on a
 * 200,000-trade batch; move-plans.test.ts holds those plans). The value is checked against the domain's statuses, so nothing else
 * can be written into the statement.
 */
function tradeStatusLiteral(status: TradeStatus): Prisma.Sql {
  if (!TRADE_STATUSES.includes(status)) throw new Error(`not a trade status: ${JSON.stringify(status)}`);
  return Prisma.raw(`'${status}'::"TradeStatus"`);
}

/**
 * A filter on trades' statuses as reads show them (CANCELLED_BEFORE_WRITTEN, tradeStatusAsRead),
 * as conditions on the stored column, one per index walk: each is an equality on `status` that
 * trade's status indexes serve. CANCELLED adds a cancel's PENDING rows not yet written; PENDING
 * leaves them out. `unwrittenBatches` is the array of batches with such rows (by default read in
 * the statement itself; a caller that has read it already passes the ids).
 */
export function tradeStatusReadWalks(
  statuses: readonly TradeStatus[],
  alias = "trade",
  unwrittenBatches?: readonly string[],
): Prisma.Sql[] {
  const { stored, readsAs } = CANCELLED_BEFORE_WRITTEN;
  const wanted = new Set(statuses);
  const walks = [...wanted].filter((status) => status !== stored).map((status) => tradeStatusIn([status], `${alias}.status`));
  const isStored = Prisma.sql`${Prisma.raw(alias)}.status = ${stored}::"TradeStatus"`;
  // Ids read beforehand: none means the rule changes nothing here, and the walk is left out.
  const batches = unwrittenBatches ? Prisma.sql`${[...unwrittenBatches]}::uuid[]` : Prisma.raw(BATCHES_CANCELLED_BEFORE_WRITTEN);
  const noneUnwritten = unwrittenBatches?.length === 0;
  const unwritten = Prisma.sql`${Prisma.raw(alias)}.batch_id = ANY(${batches})`;
  if (wanted.has(stored) && wanted.has(readsAs)) walks.push(isStored);
  else if (wanted.has(stored)) walks.push(noneUnwritten ? isStored : Prisma.sql`${isStored} AND NOT ${unwritten}`);
  else if (wanted.has(readsAs) && !noneUnwritten) walks.push(Prisma.sql`${isStored} AND ${unwritten}`);
  return walks;
}

/** The batches BATCHES_CANCELLED_BEFORE_WRITTEN names, read once for statements that plan better with the ids in hand (the history's walks). */
export async function batchesCancelledBeforeWritten(db: Queryable): Promise<string[]> {
  const [row] = await db.$queryRaw<{ ids: string[] }[]>`SELECT ${Prisma.raw(BATCHES_CANCELLED_BEFORE_WRITTEN)}::text[] AS ids`;
  return row?.ids ?? [];
}

/**
 * A trade's status as read (CANCELLED_BEFORE_WRITTEN) from its batch's own row rather than from the
 * counter of unwritten trades (tradeStatusAsRead): for the sweeper, which recounts that counter.
 */
export const tradeStatusWithBatch = (trade: string, batch: string): Prisma.Sql =>
  Prisma.sql`CASE WHEN ${Prisma.raw(trade)}.status = ${CANCELLED_BEFORE_WRITTEN.stored}::"TradeStatus" AND ${Prisma.raw(batch)}.cancel_requested_at IS NOT NULL
    THEN ${CANCELLED_BEFORE_WRITTEN.readsAs}::"TradeStatus" ELSE ${Prisma.raw(trade)}.status END`;

/** tradeStatusReadWalks as one condition: any of the statuses, as reads show them. */
export function tradeStatusReadIn(statuses: readonly TradeStatus[], alias = "trade", unwrittenBatches?: readonly string[]): Prisma.Sql {
  const walks = tradeStatusReadWalks(statuses, alias, unwrittenBatches);
  return walks.length === 0
    ? Prisma.sql`false`
    : Prisma.sql`(${Prisma.join(
        walks.map((walk) => Prisma.sql`(${walk})`),
        " OR ",
      )})`;
}

export function batchStatusIn(statuses: readonly BatchStatus[], column = "status"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(column)} = ANY(${[...statuses]}::"BatchStatus"[])`;
}

/**
 * The batch's counter of each final trade status (which statuses are final is the domain's rule):
 * the columns moveTrades and addOutcomeCounts (the cancels) add to, requeueFailedTrades takes
 * retried trades off, finishSettledBatches recounts and the history's totalCount reads.
 */
export const FINAL_STATUS_COUNTERS: { readonly [status in FinalTradeStatus]: string } = {
  SUCCESS: "succeeded_trades",
  FAILED: "failed_trades",
  CANCELLED: "cancelled_trades",
};

/** A trade's row of its CSV file: null for a trade entered by hand, whose row_number is only its position. */
export const CSV_ROW = Prisma.raw("CASE WHEN entered_singly THEN NULL ELSE row_number END");

/**
 * The attempt (of alias `attempt`) is one the bank answered: it ended booked or refused. What the
 * run charts count, and what a batch's answered_trades counts.
 */
export const attemptAnswered = (attempt: string): Prisma.Sql =>
  Prisma.sql`${Prisma.raw(attempt)}.outcome = ANY(${[...ANSWERED_OUTCOMES]}::"AttemptOutcome"[]) AND ${Prisma.raw(attempt)}.finished_at IS NOT NULL`;

/** `status` is one the batch move may start from. */
export const batchMayMove = (move: BatchMoveName, column?: string) => batchStatusIn(BATCH_MOVES[move].from, column);

/** `WHERE a AND b …`, or nothing for no conditions. */
export const where = (conditions: readonly Prisma.Sql[]) =>
  conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
export const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * `search` found anywhere in any of `columns` (SQL expressions), case-insensitively: the rows
 * `column ILIKE containing(search)` finds on one of them, for one lower() and one LIKE per row.
 * ILIKE answers as lower(text) LIKE lower(pattern) (PostgreSQL's Generic_Text_IC_like, which in a
 * UTF-8 database calls lower() on the pattern and the text on every call): six ILIKEs are twelve
 * conversions a row, most of a common search's cost. Here the columns are joined by line feeds
 * and lowered once. A search without a line feed cannot match across two columns; one with a line
 * feed is checked column by column as well. Migration 20261129052000_search_lowered puts the
 * batch list's trigram index (batch_search_text_trgm_idx) and the planner's statistics on the
 * trades' searched text (trade_search_text_stats, trade_archive_search_text_stats) on this very
 * expression of their columns, in this order: change one, change them all.
 */
export function foundIn(columns: readonly string[], search: string): Prisma.Sql {
  const pattern = containing(search);
  const joined = columns.map((column) => `coalesce(${column}, '')`).join(" || E'\\n' || ");
  const anywhere = Prisma.sql`lower(${Prisma.raw(joined)}) LIKE lower(${pattern})`;
  if (!search.includes("\n")) return anywhere;
  const inOne = columns.map((column) => Prisma.sql`${Prisma.raw(column)} ILIKE ${pattern}`);
  return Prisma.sql`(${anywhere} AND (${Prisma.join(inOne, " OR ")}))`;
}

/**
 * Only a partner's batches (by the batch's `partner` column); no condition for staff of no
 * partner, who see every batch. The rule itself is the domain's canSeeBatch.
 */
export const ofPartner = (partner: string | null | undefined, column = "partner"): Prisma.Sql[] =>
  partner ? [Prisma.sql`${Prisma.raw(column)} = ${partner}`] : [];

/** The batch with this id (for moveTrades' `batches`). */
export const theBatch = (id: string): Prisma.Sql => Prisma.sql`batch.id = ${id}::uuid`;

/**
 * The batches of these trades (for moveTrades' `batches`): each trade is looked up by its primary
 * key (the LATERAL subquery, whose LIMIT keeps it from being merged into a join the planner could
 * turn into a scan of trade), then the batches by theirs, from the array of their ids.
 */
export const batchesOfTrades = (tradeIds: readonly string[]): Prisma.Sql =>
  Prisma.sql`batch.id = ANY(ARRAY(
    SELECT trade.batch_id FROM unnest(${[...tradeIds]}::uuid[]) AS q(id)
    CROSS JOIN LATERAL (SELECT trade.batch_id FROM trade WHERE trade.id = q.id LIMIT 1) trade))`;

/**
 * The trades a relation names, as `trade`, read and locked through the primary key in id order
 * (the order every statement that waits for trade locks takes them): `names` is aliased `q` and
 * has an `id` column, e.g. `unnest(…) AS q(id, idempotency_key)`; its columns stay readable as
 * `q.…`. `condition` (on `trade`) is tested before a trade is locked; whatever the caller tests
 * after (a status guard, the claim's key) finds each trade locked, as it now stands.
 *
 * Why not a plain join: a subquery with FOR UPDATE is never merged into the query around it, and
 * none of the caller's tests is pushed into one with a LIMIT (one trade per id), so a status guard
 * tested outside cannot lead the planner to another index. Statistics taken while
 * a batch was all PENDING say no trade is in flight, and a guard on EXECUTING or QUOTED was then
 * planned as a scan of all of `(status, locked_at)`, which without vacuum keeps an entry for every
 * trade that passed through (README, "What bounds the runner"). A trade the caller then turns down
 * stays locked until the statement's transaction ends, as one it moves does.
 */
export function lockedTradesById(names: Prisma.Sql, options: { condition?: Prisma.Sql; skipLocked?: boolean } = {}): Prisma.Sql {
  return Prisma.sql`(SELECT * FROM ${names} ORDER BY q.id) q
    CROSS JOIN LATERAL (
      SELECT trade.* FROM trade WHERE trade.id = q.id${options.condition ? Prisma.sql` AND ${options.condition}` : Prisma.empty}
      LIMIT 1 FOR UPDATE${options.skipLocked ? Prisma.sql` SKIP LOCKED` : Prisma.empty}) trade`;
}

/**
 * The batches whose cancel was not requested. From its request on, a batch's claims neither go back
 * to PENDING (its cancel counted the PENDING trades then: CANCELLED_BEFORE_WRITTEN, and a trade made
 * PENDING after would read as cancelled without being counted) nor save a quote (a trade quoted again
 * after its quote expired would be booked after the cancel). They stay EXECUTING, which the cancel's
 * pass moves to CANCELLED (cancelPendingChunk) and counts then. New claims are refused the same way.
 */
export const notBeingCancelled = Prisma.sql`batch.cancel_requested_at IS NULL`;

/**
 * Which table(s) a read of trades takes: the hot `trade`, `trade_archive` (the archived history),
 * or both, for one batch whose trades may be on either side (an archived batch, while and after
 * they move: see archive.ts). Either way the rows are named `trade`, so a statement is written once.
 */
export type TradeSource = "hot" | "archive" | "both";

const TRADE_SOURCES: Record<TradeSource, Prisma.Sql> = {
  hot: Prisma.raw("trade AS trade"),
  archive: Prisma.raw("trade_archive AS trade"),
  both: Prisma.raw(`(SELECT ${TRADE_COLUMN_NAMES} FROM trade UNION ALL SELECT ${TRADE_COLUMN_NAMES} FROM trade_archive) AS trade`),
};

export const tradesFrom = (source: TradeSource): Prisma.Sql => TRADE_SOURCES[source];

/** The same for attempts: a trade's attempts are wherever the trade is. */
export const attemptsFrom = (source: TradeSource): Prisma.Sql =>
  source === "hot"
    ? Prisma.raw("trade_attempt AS trade_attempt")
    : source === "archive"
      ? Prisma.raw("trade_attempt_archive AS trade_attempt")
      : Prisma.raw(
          `(SELECT ${TRADE_ATTEMPT_COLUMN_NAMES} FROM trade_attempt UNION ALL SELECT ${TRADE_ATTEMPT_COLUMN_NAMES} FROM trade_attempt_archive) AS trade_attempt`,
        );

/**
 * Where a batch's trades are read from. Only an archived batch's trades move, and only a finished
 * batch is archived; reading both tables for every finished batch (one more index probe, on an
 * empty range until it is archived) means a reader that saw the batch a moment before it was
 * flagged still finds every trade.
 */
export const tradeSourceOf = (batch: { status: BatchStatus; archivedAt: Date | string | null }): TradeSource =>
  batch.archivedAt || isFinalBatchStatus(batch.status) ? "both" : "hot";
