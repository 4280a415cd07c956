import { PREVIEW_WARNING_ROWS } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";

/**
 * The aggregates behind Batch.preview, from one read of the batch's trades (index
 * trade(batch_id, …)): a batch of 100,000 trades comes back as a few rows per pair, value date
 * and currency. Sums are exact NUMERIC additions, returned as text.
 */

/** The currency a trade's amount is in: the bought one for BUY, the sold one for SELL. */
const AMOUNT_CURRENCY = Prisma.raw("CASE direction WHEN 'BUY' THEN buy_currency ELSE sell_currency END");

export interface PairTotalRow {
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amountCurrency: string;
  amount: string;
  trades: number;
}

export interface CurrencyTotalRow {
  currency: string;
  amount: string;
  trades: number;
}

export interface ValueDateCountRow {
  valueDate: string | null;
  trades: number;
  /** The first CSV row on the date (null when only trades entered by hand have it). */
  firstRow: number | null;
}

export interface ValueDatePairRow {
  valueDate: string | null;
  sellCurrency: string;
  buyCurrency: string;
  trades: number;
  rows: number[];
}

export interface LargeTradeRow {
  currency: string;
  trades: number;
  largest: string;
  rows: number[];
}

export interface BatchPreviewAggregates {
  /** Trades and their amounts per pair and direction (the amount in the currency the direction fixes), by pair and direction. */
  pairs: PairTotalRow[];
  /** Trades and their amounts per amount currency (bought amounts of BUY and sold amounts of SELL trades), by currency. */
  currencies: CurrencyTotalRow[];
  /** Trades per value date, spot first, then by date. */
  valueDates: ValueDateCountRow[];
  /**
   * One row per distinct (value date, pair), spot first, with its first CSV rows (ascending; trades
   * entered by hand have none): the calendar checks each once.
   */
  valueDatePairs: ValueDatePairRow[];
  /**
   * Per currency, the trades whose amount is at or above that currency's threshold, by currency;
   * currencies without a threshold are not compared.
   */
  largeTrades: LargeTradeRow[];
}

/**
 * Every aggregate of the preview in one statement. The batch's trades are read once into a
 * materialised CTE that three GROUP BYs read: per pair and direction (hashed, a dozen rows that the
 * currency totals and large trades add up), per value date and pair (sorted, for its first rows;
 * a date's first row is the least of its pairs'), and the large trades' first rows. The lists come
 * back as json, amounts as text (exact).
 *
 * Why this shape (EXPLAIN (ANALYZE, BUFFERS), a staged 100,000-trade batch, load 7–9): the five
 * statements it replaces read the batch's 2,210 heap pages each; this reads them once (plus 808
 * temp pages: the CTE and the sort spill at work_mem 4 MB), in about 0.7 of their time run one after
 * another (median 359 against 499 ms), but on one connection where they ran side by side on five.
 * One GROUP BY GROUPING SETS cost more (545 ms): the ordered row lists made it sort all rows thrice.
 */
export async function readBatchPreviewAggregates(
  db: Queryable,
  batchId: string,
  largeTradeAmounts: ReadonlyMap<string, string>,
): Promise<BatchPreviewAggregates> {
  const currencies = [...largeTradeAmounts.keys()];
  const amounts = [...largeTradeAmounts.values()];
  // Compared with the smallest threshold first: most amounts are below all of them, and that one
  // comparison costs a tenth of looking up the amount currency's own threshold (40 ms of 100,000).
  const [row] = await db.$queryRaw<BatchPreviewAggregates[]>`
    WITH traded AS MATERIALIZED (
      SELECT value_date, sell_currency, buy_currency, direction, amount, row_number, entered_singly,
             amount >= (SELECT min(threshold) FROM unnest(${amounts}::numeric[]) AS threshold)
             AND amount >= (${amounts}::numeric[])[array_position(${currencies}::text[], ${AMOUNT_CURRENCY})] AS large
      FROM trade WHERE batch_id = ${batchId}::uuid),
    pair AS MATERIALIZED (
      SELECT sell_currency, buy_currency, direction, ${AMOUNT_CURRENCY} AS amount_currency, sum(amount) AS amount, count(*) AS trades,
             count(*) FILTER (WHERE large) AS large_trades, max(amount) FILTER (WHERE large) AS largest
      FROM traded GROUP BY sell_currency, buy_currency, direction),
    date_pair AS MATERIALIZED (
      SELECT value_date, sell_currency, buy_currency, count(*) AS trades,
             coalesce((array_agg(row_number ORDER BY row_number) FILTER (WHERE NOT entered_singly))[1:${PREVIEW_WARNING_ROWS}::int], '{}') AS rows
      FROM traded GROUP BY value_date, sell_currency, buy_currency),
    large_rows AS (
      SELECT ${AMOUNT_CURRENCY} AS amount_currency, (array_agg(row_number ORDER BY row_number))[1:${PREVIEW_WARNING_ROWS}::int] AS rows
      FROM traded WHERE large AND NOT entered_singly GROUP BY 1)
    SELECT
      (SELECT coalesce(json_agg(json_build_object('sellCurrency', sell_currency, 'buyCurrency', buy_currency, 'direction', direction,
                'amountCurrency', amount_currency, 'amount', amount::text, 'trades', trades::int) ORDER BY sell_currency, buy_currency, direction::text), '[]')
       FROM pair) AS pairs,
      (SELECT coalesce(json_agg(json_build_object('currency', amount_currency, 'amount', amount::text, 'trades', trades::int) ORDER BY amount_currency), '[]')
       FROM (SELECT amount_currency, sum(amount) AS amount, sum(trades) AS trades FROM pair GROUP BY amount_currency) AS currency) AS currencies,
      (SELECT coalesce(json_agg(json_build_object('valueDate', to_char(value_date, 'YYYY-MM-DD'), 'trades', trades::int, 'firstRow', first_row)
                ORDER BY value_date NULLS FIRST), '[]')
       FROM (SELECT value_date, sum(trades) AS trades, min(rows[1]) AS first_row FROM date_pair GROUP BY value_date) AS dated) AS "valueDates",
      (SELECT coalesce(json_agg(json_build_object('valueDate', to_char(value_date, 'YYYY-MM-DD'), 'sellCurrency', sell_currency,
                'buyCurrency', buy_currency, 'trades', trades::int, 'rows', rows) ORDER BY value_date NULLS FIRST, sell_currency, buy_currency), '[]')
       FROM date_pair) AS "valueDatePairs",
      (SELECT coalesce(json_agg(json_build_object('currency', amount_currency, 'trades', trades::int, 'largest', largest::text,
                'rows', coalesce(rows, '{}')) ORDER BY amount_currency), '[]')
       FROM (SELECT amount_currency, sum(large_trades) AS trades, max(largest) AS largest FROM pair WHERE large_trades > 0 GROUP BY amount_currency) AS large
       LEFT JOIN large_rows USING (amount_currency)) AS "largeTrades"`;
  return row!;
}

/**
 * Batches of the same partner staged before this one with the same trades (the content hash
 * staging computes for its duplicate check), newest first, at most `limit`, and how many in all.
 */
export async function findEarlierSameContent(
  db: Queryable,
  batchId: string,
  limit: number,
): Promise<{ batches: { batchUid: string; createdAt: Date }[]; count: number }> {
  const rows = await db.$queryRaw<{ batchUid: string; createdAt: Date; count: number }[]>`
    SELECT earlier.batch_uid AS "batchUid", earlier.created_at AS "createdAt", (count(*) OVER ())::int AS count
    FROM batch this JOIN batch earlier
      ON earlier.content_hash = this.content_hash AND earlier.partner IS NOT DISTINCT FROM this.partner
     AND (earlier.created_at, earlier.id) < (this.created_at, this.id)
    WHERE this.id = ${batchId}::uuid
    ORDER BY earlier.created_at DESC, earlier.id DESC LIMIT ${limit}::int`;
  return { batches: rows.map(({ batchUid, createdAt }) => ({ batchUid, createdAt })), count: rows[0]?.count ?? 0 };
}
