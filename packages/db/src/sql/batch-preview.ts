import { PREVIEW_WARNING_ROWS } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";

/**
 * The aggregates behind Batch.preview, each one GROUP BY over the batch's trades (index
 * trade(batch_id, …)): a batch of 100,000 trades comes back as a few rows per pair, value date
 * and currency. Sums are exact NUMERIC additions, returned as text.
 */

/** The currency a trade's amount is in: the bought one for BUY, the sold one for SELL. */
const AMOUNT_CURRENCY = Prisma.raw("CASE direction WHEN 'BUY' THEN buy_currency ELSE sell_currency END");

/** Up to PREVIEW_WARNING_ROWS row numbers of the group, ascending (trades created singly have none). */
const FIRST_ROWS = Prisma.raw(
  `coalesce((array_agg(row_number ORDER BY row_number) FILTER (WHERE row_number IS NOT NULL))[1:${PREVIEW_WARNING_ROWS}], '{}')`,
);

export interface PairTotalRow {
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amountCurrency: string;
  amount: string;
  trades: number;
}

/** Trades and their amounts per pair and direction (the amount in the currency the direction fixes). */
export function previewPairTotals(db: Queryable, batchId: string): Promise<PairTotalRow[]> {
  return db.$queryRaw<PairTotalRow[]>`
    SELECT sell_currency AS "sellCurrency", buy_currency AS "buyCurrency", direction::text AS direction,
           ${AMOUNT_CURRENCY} AS "amountCurrency", sum(amount)::text AS amount, count(*)::int AS trades
    FROM trade WHERE batch_id = ${batchId}::uuid
    GROUP BY sell_currency, buy_currency, direction ORDER BY 1, 2, 3`;
}

/** Trades and their amounts per amount currency (bought amounts of BUY and sold amounts of SELL trades). */
export function previewCurrencyTotals(db: Queryable, batchId: string): Promise<{ currency: string; amount: string; trades: number }[]> {
  return db.$queryRaw`
    SELECT ${AMOUNT_CURRENCY} AS currency, sum(amount)::text AS amount, count(*)::int AS trades
    FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY 1 ORDER BY 1`;
}

export interface ValueDatePairRow {
  valueDate: string | null;
  sellCurrency: string;
  buyCurrency: string;
  trades: number;
  rows: number[];
}

/** One row per distinct (value date, pair), with its first rows: the calendar checks each once. */
export function previewValueDatePairs(db: Queryable, batchId: string): Promise<ValueDatePairRow[]> {
  return db.$queryRaw<ValueDatePairRow[]>`
    SELECT to_char(value_date, 'YYYY-MM-DD') AS "valueDate", sell_currency AS "sellCurrency", buy_currency AS "buyCurrency",
           count(*)::int AS trades, ${FIRST_ROWS} AS rows
    FROM trade WHERE batch_id = ${batchId}::uuid
    GROUP BY value_date, sell_currency, buy_currency ORDER BY value_date NULLS FIRST, 2, 3`;
}

export interface LargeTradeRow {
  currency: string;
  trades: number;
  largest: string;
  rows: number[];
}

/**
 * Per currency, the trades whose amount is at or above that currency's threshold; currencies
 * without a threshold are not compared.
 */
export function previewLargeTrades(db: Queryable, batchId: string, thresholds: ReadonlyMap<string, string>): Promise<LargeTradeRow[]> {
  if (thresholds.size === 0) return Promise.resolve([]);
  return db.$queryRaw<LargeTradeRow[]>`
    WITH threshold AS (SELECT * FROM unnest(${[...thresholds.keys()]}::text[], ${[...thresholds.values()]}::numeric[]) AS t(currency, amount))
    SELECT threshold.currency, count(*)::int AS trades, max(trade.amount)::text AS largest, ${FIRST_ROWS} AS rows
    FROM trade JOIN threshold ON threshold.currency = ${AMOUNT_CURRENCY} AND trade.amount >= threshold.amount
    WHERE trade.batch_id = ${batchId}::uuid
    GROUP BY threshold.currency ORDER BY 1`;
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
