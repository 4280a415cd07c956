import { isFinalTradeStatus, type SelectedTrade, TRADE_HISTORY_COUNT_LIMIT, type TradeStatus, UNKNOWN_FAILURE_CODE } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import {
  TRADE_ATTEMPT_COLUMNS,
  TRADE_COLUMNS,
  type TradeAttemptRow,
  type TradeRow,
  tradeColumnsAsWritten,
  tradeStatusAsRead,
} from "../rows";
import {
  attemptsFrom,
  batchesCancelledBeforeWritten,
  CSV_ROW,
  containing,
  FINAL_STATUS_COUNTERS,
  foundIn,
  ofPartner,
  type TradeSource,
  tradeStatusReadIn,
  tradeStatusReadWalks,
  tradesFrom,
  where,
} from "./fragments";

/** Reads of trades, each a keyset page over an index of the trade table. */

/** A trade by id, hot or archived (two primary-key probes). */
export async function findTrade(db: Queryable, id: string): Promise<TradeRow | null> {
  const rows = await db.$queryRaw<TradeRow[]>`SELECT ${TRADE_COLUMNS} FROM ${tradesFrom("both")} WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/**
 * The trades of a batch among `ids` (valid UUIDs), with what a retry of selected trades checks:
 * an id not returned is not a trade of the batch. Hot trades only: an archived batch is never retried.
 */
export function findTradesOfBatch(db: Queryable, batchId: string, ids: readonly string[]): Promise<SelectedTrade[]> {
  return db.$queryRaw<SelectedTrade[]>`
    SELECT id, ${CSV_ROW} AS "rowNumber", (${Prisma.raw(tradeStatusAsRead("trade"))})::text AS status, error_code AS "errorCode"
    FROM trade WHERE batch_id = ${batchId}::uuid AND id = ANY(${[...ids]}::uuid[])`;
}

/**
 * Where a page of a batch's trades starts: after this position (row_number; trades without one sort
 * as 0). A trade entered by hand has a position but no CSV row, so the cursor comes from the row, not the view.
 */
export interface BatchTradeCursor {
  rowNumber: number;
  id: string;
}

/**
 * Up to `limit` trades of one batch in position order (the CSV's rows, then trades entered by hand), after the cursor: the one keyset walk
 * behind the Batch.trades connection and the CSV export. `errorCode` (default none) keeps only
 * the FAILED trades with that code, as the batch's results count them (none recorded: UNKNOWN).
 */
export function pageBatchTrades(
  db: Queryable,
  batchId: string,
  page: { limit: number; after?: BatchTradeCursor | null; status?: TradeStatus | null; errorCode?: string | null },
  source: TradeSource = "hot",
): Promise<TradeRow[]> {
  const conditions = [Prisma.sql`batch_id = ${batchId}::uuid`];
  if (page.status) conditions.push(tradeStatusReadIn([page.status]));
  // The failed trades counted under this code in the batch's results (batchTotals).
  if (page.errorCode)
    conditions.push(tradeStatusReadIn(["FAILED"]), Prisma.sql`coalesce(error_code, ${UNKNOWN_FAILURE_CODE}) = ${page.errorCode}`);
  if (page.after) conditions.push(Prisma.sql`(coalesce(row_number, 0), id) > (${page.after.rowNumber}::int, ${page.after.id}::uuid)`);
  return db.$queryRaw<TradeRow[]>`
    SELECT ${TRADE_COLUMNS} FROM ${tradesFrom(source)} ${where(conditions)} ORDER BY coalesce(row_number, 0), id LIMIT ${page.limit}::int`;
}

/**
 * The trades of a batch whose latest change has an event number above `after` (and at most
 * `through`, when given), in event order, up to `limit`: what a subscriber that saw every event
 * up to `after` has missed, each trade once, as it stands now. Served by (batch_id, sequence).
 */
export function listTradesChangedAfter(
  db: Queryable,
  batchId: string,
  range: { after: number; through?: number | null; limit: number },
  source: TradeSource = "hot",
): Promise<TradeRow[]> {
  const upTo = range.through == null ? Prisma.empty : Prisma.sql`AND sequence <= ${range.through}::int`;
  // The rows as written: a trade's sequence numbers its row's change (tradeColumnsAsWritten).
  return db.$queryRaw<TradeRow[]>`
    SELECT ${tradeColumnsAsWritten("trade")} FROM ${tradesFrom(source)}
    WHERE batch_id = ${batchId}::uuid AND sequence > ${range.after}::int ${upTo}
    ORDER BY sequence LIMIT ${range.limit}::int`;
}

/** How many of a batch's trades are in a status (for statuses the batch's counters do not hold). */
export async function countBatchTrades(db: Queryable, batchId: string, status: TradeStatus, source: TradeSource = "hot"): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM ${tradesFrom(source)} WHERE batch_id = ${batchId}::uuid AND ${tradeStatusReadIn([status])}`;
  return row?.count ?? 0;
}

export interface TradeHistoryFilter {
  status?: readonly TradeStatus[] | null;
  batchId?: string | null;
  /** Part of the client, account, reference, quote or transaction, case-insensitive. */
  search?: string | null;
  /** The archived trades (trade_archive) instead of the hot ones. */
  archived?: boolean | null;
}

/** Where a page of the trade history starts: after this trade (newest first). */
export interface TradeHistoryCursor {
  createdAt: string;
  rowNumber: number;
  id: string;
}

/**
 * The history's order, served by the hand-written expression indexes of migration
 * 20261127170000_trade_search_indexes: trade_history_idx, and per status and per batch
 * trade_history_status_idx and trade_history_batch_idx.
 */
const HISTORY_ORDER = Prisma.sql`ORDER BY trade.created_at DESC, coalesce(trade.row_number, 0) DESC, trade.id DESC`;

/**
 * Trades across batches, newest first (a batch's trades, created together, by row): up to
 * `first + 1` after the cursor, and how many match the filter in all.
 *
 * Each page is a walk down an index in the history's order. One status is an equality on the
 * leading column of trade_history_status_idx; several are one such walk per status, merged
 * (UNION ALL of ordered, limited walks under the same order). A search reads the trigram index
 * of trade_search (trade_search_text_trgm_idx) when its matches are few, else walks the order and
 * filters (see searchThroughIndex and searchForCount).
 *
 * totalCount is exact from the batches' counters (total_trades, succeeded_trades, failed_trades,
 * cancelled_trades) when the filter is at most a batch, a partner and statuses those counters
 * hold; otherwise the matching rows are counted up to TRADE_HISTORY_COUNT_LIMIT + 1.
 */
export async function pageTradeHistory(
  db: Queryable,
  query: {
    first: number;
    after?: TradeHistoryCursor | null;
    filter?: TradeHistoryFilter | null;
    /** Only the trades of this partner's batches; every trade when null. */
    partner?: string | null;
  },
): Promise<{ rows: TradeRow[]; totalCount: number }> {
  const { filter } = query;
  const archived = filter?.archived === true;
  const table = tradesFrom(archived ? "archive" : "hot");
  const conditions: Prisma.Sql[] = [];
  const [ofThePartner] = ofPartner(query.partner, "batch.partner");
  if (ofThePartner) conditions.push(Prisma.sql`trade.batch_id IN (SELECT batch.id FROM batch WHERE ${ofThePartner})`);
  if (filter?.batchId) conditions.push(Prisma.sql`trade.batch_id = ${filter.batchId}::uuid`);
  const search = filter?.search?.trim() || null;
  const statuses = [...new Set(filter?.status ?? [])];
  // The archive has no trade_search rows: its search reads the columns themselves (cold data, read rarely).
  const keyset = search ? [...conditions, archived ? tradeMatchesSearch(search) : searchThroughIndex(search)] : [...conditions];
  if (query.after) {
    const { createdAt, rowNumber, id } = query.after;
    keyset.push(
      Prisma.sql`(trade.created_at, coalesce(trade.row_number, 0), trade.id) < (${createdAt}::timestamptz, ${rowNumber}::int, ${id}::uuid)`,
    );
  }
  const limit = query.first + 1;
  // The statuses as reads show them, one index walk each; the batches a cancel has not finished
  // writing are read first, so that none (the usual case) adds no walk (tradeStatusReadWalks).
  const unwritten = statuses.length > 0 ? await batchesCancelledBeforeWritten(db) : [];
  const walks = tradeStatusReadWalks(statuses, "trade", unwritten);
  const page =
    walks.length > 1
      ? db.$queryRaw<TradeRow[]>`
          SELECT ${TRADE_COLUMNS} FROM (${Prisma.join(
            walks.map(
              (walk) => Prisma.sql`(SELECT trade.* FROM ${table} ${where([walk, ...keyset])} ${HISTORY_ORDER} LIMIT ${limit}::int)`,
            ),
            " UNION ALL ",
          )}) AS trade ${HISTORY_ORDER} LIMIT ${limit}::int`
      : statuses.length > 0 && walks.length === 0
        ? Promise.resolve([])
        : db.$queryRaw<TradeRow[]>`
          SELECT ${TRADE_COLUMNS} FROM ${table} ${where([...walks, ...keyset])} ${HISTORY_ORDER} LIMIT ${limit}::int`;
  const counted = async () => {
    const bySearch = search && (archived ? tradeMatchesSearch(search) : await searchForCount(db, search));
    const counting = bySearch ? [...conditions, bySearch] : conditions;
    return countTradeHistory(db, { table, archived, unwritten }, counting, statuses, !search, query.partner, filter?.batchId);
  };
  const [rows, totalCount] = await Promise.all([page, counted()]);
  return { rows, totalCount };
}

/** The six searched columns of trade, in the order of the statistics on them (trade_search_text_stats). */
const SEARCHED_COLUMNS = [
  "trade.client_id",
  "trade.client_name",
  "trade.account_number",
  "trade.reference",
  "trade.quote_id",
  "trade.transaction_id",
];

/** What decides whether a trade matches a search: ILIKE on one of its six searched columns would find it (foundIn). */
export function tradeMatchesSearch(search: string): Prisma.Sql {
  return foundIn(SEARCHED_COLUMNS, search);
}

/**
 * A search for a page: among the trades whose values in trade_search match, those that match
 * themselves (its instruction text joins four fields, so a match there can span two of them).
 * The planner reads a rare search's candidates through the trigram index, and walks the history
 * for a common one, looking up each trade's values until the page is full.
 */
function searchThroughIndex(search: string): Prisma.Sql {
  return Prisma.sql`trade.id IN (SELECT trade_search.trade_id FROM trade_search WHERE trade_search.text ILIKE ${containing(search)})
    AND ${tradeMatchesSearch(search)}`;
}

/**
 * From this many candidates in trade_search a search counts as common, and its count walks the
 * trades rather than looking its candidates up (bench/reads.ts, 1,000,000 trades: counting a
 * search that matches all of them through its candidates took 480 ms, 10,001 lookups one by one).
 */
export const COMMON_SEARCH_CANDIDATES = 10_000;

/**
 * A search for the bounded count. The candidates are read first, up to COMMON_SEARCH_CANDIDATES
 * (the trigram index for a rare search, a scan stopped there for a common one): a rare search is
 * counted among them by id, a common one by testing the trades as they come. The answer is the
 * same either way (tradeMatchesSearch decides). The candidates are read a moment before the count, as
 * the page and the count are already read apart.
 */
async function searchForCount(db: Queryable, search: string): Promise<Prisma.Sql> {
  // The ids are gathered only for a rare search (a subquery in a CASE runs only when its branch
  // is taken): a common one's 10,000 ids cost more to gather and send than they save.
  const [found] = await db.$queryRaw<{ ids: string[] | null }[]>`
    WITH candidates AS (
      SELECT trade_id FROM trade_search WHERE text ILIKE ${containing(search)} LIMIT ${COMMON_SEARCH_CANDIDATES}::int)
    SELECT CASE WHEN (SELECT count(*) FROM candidates) < ${COMMON_SEARCH_CANDIDATES}::int
                THEN (SELECT coalesce(array_agg(DISTINCT trade_id::text), '{}') FROM candidates) END AS ids`;
  if (!found?.ids) return tradeMatchesSearch(search);
  return Prisma.sql`trade.id = ANY(${found.ids}::uuid[]) AND ${tradeMatchesSearch(search)}`;
}

/** The history's totalCount: exact from the batches' counters where they answer, else bounded (see pageTradeHistory). */
async function countTradeHistory(
  db: Queryable,
  from: { table: Prisma.Sql; archived: boolean; unwritten: readonly string[] },
  conditions: Prisma.Sql[],
  statuses: TradeStatus[],
  noSearch: boolean,
  partner: string | null | undefined,
  batchId: string | null | undefined,
): Promise<number> {
  const finalStatuses = statuses.filter(isFinalTradeStatus);
  if (noSearch && finalStatuses.length === statuses.length) {
    const counted = statuses.length
      ? finalStatuses.map((status) => Prisma.raw(FINAL_STATUS_COUNTERS[status]))
      : [Prisma.raw("total_trades")];
    // An archived batch's counters count on the archived side from its flag on: while its trades
    // move (seconds, chunk by chunk), the hot pages may still show some the hot count no longer holds.
    const ofBatches = [
      Prisma.sql`archived_at IS ${Prisma.raw(from.archived ? "NOT NULL" : "NULL")}`,
      ...ofPartner(partner),
      ...(batchId ? [Prisma.sql`id = ${batchId}::uuid`] : []),
    ];
    const [row] = await db.$queryRaw<{ count: number }[]>`
      SELECT coalesce(sum(${Prisma.join(counted, " + ")}), 0)::int AS count FROM batch ${where(ofBatches)}`;
    return row?.count ?? 0;
  }
  const ofStatuses = statuses.length ? [tradeStatusReadIn(statuses, "trade", from.unwritten)] : [];
  const [row] = await db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM (
      SELECT 1 FROM ${from.table} ${where([...ofStatuses, ...conditions])} LIMIT ${TRADE_HISTORY_COUNT_LIMIT + 1}::int) AS matching`;
  return row?.count ?? 0;
}

/** Every attempt of the given trades, hot or archived, oldest first per trade: their histories, in one query. */
export function findTradeAttempts(db: Queryable, tradeIds: readonly string[]): Promise<TradeAttemptRow[]> {
  return db.$queryRaw<TradeAttemptRow[]>`
    SELECT ${TRADE_ATTEMPT_COLUMNS} FROM ${attemptsFrom("both")} WHERE trade_id = ANY(${[...tradeIds]}::uuid[]) ORDER BY trade_id, number`;
}

/** A batch's trades counted per value date, with the first CSV row of each (null when only trades entered by hand have it): what a start checks. */
export function countValueDates(
  db: Queryable,
  batchId: string,
): Promise<{ valueDate: string | null; trades: number; firstRow: number | null }[]> {
  return db.$queryRaw`
    SELECT to_char(value_date, 'YYYY-MM-DD') AS "valueDate", count(*)::int AS trades, min(row_number) FILTER (WHERE NOT entered_singly) AS "firstRow"
    FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY value_date`;
}
