import { findEarlierSameContent, type Queryable, readBatchPreviewAggregates } from "@fxbt/db";
import {
  type BatchView,
  duplicateWarning,
  largeTradeWarnings,
  type PreviewWarning,
  type ReviewPolicy,
  roundToMinorUnits,
  sortWarnings,
  startConfirmationReason,
  valueDateWarnings,
} from "@fxbt/domain";

/** How many earlier batches with the same trades a POSSIBLE_DUPLICATE warning names. */
const EARLIER_BATCHES_NAMED = 5;

/** Batch.preview: what a batch will trade and what to check before starting it. */
export interface BatchPreviewView {
  totals: {
    sellCurrency: string;
    buyCurrency: string;
    direction: "BUY" | "SELL";
    amountCurrency: string;
    amount: string;
    tradeCount: number;
  }[];
  currencyTotals: { currency: string; amount: string; tradeCount: number }[];
  valueDates: { valueDate: string | null; tradeCount: number; firstRow: number | null }[];
  warnings: PreviewWarning[];
  confirmationRequired: boolean;
  confirmationReason: string | null;
}

/**
 * Reads the batch's aggregates (one statement) and its earlier batches with the same trades, in
 * parallel, and applies the domain's review rules to them. The caller has checked the batch is
 * visible to its reader.
 */
export async function batchPreview(db: Queryable, batch: BatchView, policy: ReviewPolicy, today: string): Promise<BatchPreviewView> {
  const [{ pairs, currencies, valueDates, valueDatePairs, largeTrades }, earlier] = await Promise.all([
    readBatchPreviewAggregates(db, batch.id, policy.largeTradeAmounts),
    findEarlierSameContent(db, batch.id, EARLIER_BATCHES_NAMED),
  ]);
  const currencyTotals = currencies.map(({ currency, amount, trades }) => ({
    currency,
    amount: roundToMinorUnits(amount, currency),
    tradeCount: trades,
  }));
  const duplicate = duplicateWarning(earlier.batches, earlier.count, batch.totalTrades);
  const warnings = sortWarnings([
    ...(duplicate ? [duplicate] : []),
    ...valueDateWarnings(valueDatePairs, today),
    ...largeTradeWarnings(
      largeTrades.map((group) => ({ ...group, largest: roundToMinorUnits(group.largest, group.currency) })),
      policy,
    ),
  ]);
  const confirmationReason = startConfirmationReason(policy, batch.totalTrades, currencyTotals);
  return {
    totals: pairs.map(({ trades, amount, ...pair }) => ({
      ...pair,
      amount: roundToMinorUnits(amount, pair.amountCurrency),
      tradeCount: trades,
    })),
    currencyTotals,
    valueDates: valueDates.map(({ valueDate, trades, firstRow }) => ({ valueDate, tradeCount: trades, firstRow })),
    warnings,
    confirmationRequired: confirmationReason !== null,
    confirmationReason,
  };
}
