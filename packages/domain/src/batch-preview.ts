import { ExactDecimal } from "./money";
import { holidayMarket, nonBusinessReason } from "./value-date-calendar";

/**
 * Review before start: what counts as a warning about a staged batch, and when starting it must
 * be confirmed by typing its batchUid. The numbers come aggregated from SQL (a batch may hold
 * 100,000 trades); these rules see only groups: one per (value date, pair), one per currency.
 */

/** Warning codes, most serious first (the order warnings are listed in). */
export const PREVIEW_WARNING_CODES = [
  "POSSIBLE_DUPLICATE",
  "NON_BUSINESS_DAY",
  "LARGE_TRADE",
  "FAR_VALUE_DATE",
  "NO_HOLIDAY_CALENDAR",
] as const;
export type PreviewWarningCode = (typeof PREVIEW_WARNING_CODES)[number];

/** How many row numbers a warning lists; its tradeCount always counts every trade. */
export const PREVIEW_WARNING_ROWS = 10;

export interface PreviewWarning {
  code: PreviewWarningCode;
  message: string;
  /** Every trade the warning concerns, not only the rows listed. */
  tradeCount: number;
  /** The first rows concerned (CSV data rows, ascending), at most PREVIEW_WARNING_ROWS. */
  rows: number[];
  /** The value dates concerned (YYYY-MM-DD, ascending). */
  valueDates: string[];
  /** The currencies concerned (the pair of a value-date warning, the currency of a large trade). */
  currencies: string[];
  /** For POSSIBLE_DUPLICATE: the earlier batches with the same trades, newest first. */
  earlierBatchUids: string[];
}

/**
 * Thresholds of the review, per currency (amounts in that currency, decimal strings). A currency
 * with no entry has no large-trade threshold: amounts of different currencies are never compared.
 */
export interface ReviewPolicy {
  /** A single trade with an amount at or above this (in the amount's currency) is a LARGE_TRADE. */
  largeTradeAmounts: ReadonlyMap<string, string>;
  /** Starting a batch of at least this many trades must be confirmed by typing its batchUid; null: never for its count. */
  confirmMinTrades: number | null;
  /** Starting a batch whose amounts in one currency add up to at least this must be confirmed by typing its batchUid. */
  confirmAmounts: ReadonlyMap<string, string>;
}

/**
 * Defaults, about USD 1 million per single trade and USD 10 million per batch and currency, in
 * round amounts of each currency; the environment overrides them (apps/api/src/config.ts).
 */
export const DEFAULT_LARGE_TRADE_AMOUNTS: ReadonlyMap<string, string> = new Map([
  ["USD", "1000000"],
  ["EUR", "1000000"],
  ["GBP", "1000000"],
  ["CHF", "1000000"],
  ["AUD", "1500000"],
  ["CAD", "1500000"],
  ["NZD", "1500000"],
  ["SGD", "1500000"],
  ["JPY", "150000000"],
  ["CNY", "7000000"],
  ["HKD", "8000000"],
  ["SEK", "10000000"],
  ["NOK", "10000000"],
  ["DKK", "7000000"],
  ["ZAR", "20000000"],
]);

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  largeTradeAmounts: DEFAULT_LARGE_TRADE_AMOUNTS,
  confirmMinTrades: 1000,
  confirmAmounts: new Map(
    [...DEFAULT_LARGE_TRADE_AMOUNTS].map(([currency, amount]) => [currency, new ExactDecimal(amount).times(10).toFixed()]),
  ),
};

/** Trades of one pair on one value date, as SQL groups them. */
export interface ValueDatePairGroup {
  valueDate: string | null;
  sellCurrency: string;
  buyCurrency: string;
  trades: number;
  /** The group's first rows, ascending. */
  rows: number[];
}

/** The last value date not warned as far away: one year after today (29 February → 28 February). */
export function farValueDateLimit(today: string): string {
  const year = Number(today.slice(0, 4)) + 1;
  const monthDay = today.slice(5) === "02-29" ? "02-28" : today.slice(5);
  return `${year}-${monthDay}`;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

function rowsText(rows: readonly number[], total: number): string {
  if (rows.length === 0) return "";
  const more = total > rows.length ? ", …" : "";
  return ` (${rows.length === 1 && total === 1 ? "row" : "rows"} ${rows.join(", ")}${more})`;
}

function firstRows(groups: readonly { rows: readonly number[] }[]): number[] {
  return [...new Set(groups.flatMap((group) => group.rows))].sort((a, b) => a - b).slice(0, PREVIEW_WARNING_ROWS);
}

const warning = (fields: Omit<PreviewWarning, "earlierBatchUids"> & Partial<PreviewWarning>): PreviewWarning => ({
  earlierBatchUids: [],
  ...fields,
});

/**
 * Warnings about value dates, from one group per (value date, pair): a value date on a weekend
 * or a holiday of either currency's market (one warning per date and pair), value dates more
 * than a year after `today` (one warning), and currencies with no holiday calendar (one warning).
 * Spot trades (no value date) are not checked: the bank sets their date.
 */
export function valueDateWarnings(groups: readonly ValueDatePairGroup[], today: string): PreviewWarning[] {
  const warnings: PreviewWarning[] = [];
  const dated = groups.filter((group): group is ValueDatePairGroup & { valueDate: string } => group.valueDate !== null);
  for (const group of dated) {
    const { valueDate, sellCurrency, buyCurrency } = group;
    const reasons = [...new Set([sellCurrency, buyCurrency].map((currency) => nonBusinessReason(valueDate, currency)))].filter(
      (reason): reason is string => reason !== null,
    );
    if (reasons.length === 0) continue;
    warnings.push(
      warning({
        code: "NON_BUSINESS_DAY",
        message: `value date ${valueDate} is not a business day for ${sellCurrency}/${buyCurrency} (${reasons.join("; ")}): ${plural(group.trades, "trade")}${rowsText(group.rows, group.trades)}`,
        tradeCount: group.trades,
        rows: group.rows.slice(0, PREVIEW_WARNING_ROWS),
        valueDates: [valueDate],
        currencies: [sellCurrency, buyCurrency],
      }),
    );
  }
  const limit = farValueDateLimit(today);
  const far = dated.filter((group) => group.valueDate > limit);
  if (far.length > 0) {
    const trades = far.reduce((sum, group) => sum + group.trades, 0);
    const dates = [...new Set(far.map((group) => group.valueDate))].sort();
    const rows = firstRows(far);
    warnings.push(
      warning({
        code: "FAR_VALUE_DATE",
        message: `${plural(trades, "trade")} ${trades === 1 ? "has a value date" : "have value dates"} more than a year out (after ${limit}): ${dates.join(", ")}${rowsText(rows, trades)}`,
        tradeCount: trades,
        rows,
        valueDates: dates,
        currencies: [...new Set(far.flatMap((group) => [group.sellCurrency, group.buyCurrency]))].sort(),
      }),
    );
  }
  const uncovered = [...new Set(dated.flatMap((group) => [group.sellCurrency, group.buyCurrency]))]
    .filter((currency) => holidayMarket(currency) === null)
    .sort();
  if (uncovered.length > 0) {
    const concerned = dated.filter((group) => uncovered.includes(group.sellCurrency) || uncovered.includes(group.buyCurrency));
    const trades = concerned.reduce((sum, group) => sum + group.trades, 0);
    const rows = firstRows(concerned);
    warnings.push(
      warning({
        code: "NO_HOLIDAY_CALENDAR",
        message: `no holiday calendar for ${uncovered.join(", ")}: only weekends were checked for ${plural(trades, "trade")}${rowsText(rows, trades)}`,
        tradeCount: trades,
        rows,
        valueDates: [...new Set(concerned.map((group) => group.valueDate))].sort(),
        currencies: uncovered,
      }),
    );
  }
  return warnings;
}

/** Trades at or above a currency's large-trade threshold, as SQL counts them per currency. */
export interface LargeTradeGroup {
  currency: string;
  trades: number;
  largest: string;
  rows: number[];
}

/** One LARGE_TRADE warning per currency with trades at or above its threshold. */
export function largeTradeWarnings(groups: readonly LargeTradeGroup[], policy: ReviewPolicy): PreviewWarning[] {
  return groups
    .filter((group) => group.trades > 0 && policy.largeTradeAmounts.has(group.currency))
    .map((group) => {
      const threshold = policy.largeTradeAmounts.get(group.currency) as string;
      return warning({
        code: "LARGE_TRADE",
        message: `${plural(group.trades, "trade")} of ${group.currency} ${threshold} or more (the largest ${group.currency} ${group.largest})${rowsText(group.rows, group.trades)}`,
        tradeCount: group.trades,
        rows: group.rows.slice(0, PREVIEW_WARNING_ROWS),
        valueDates: [],
        currencies: [group.currency],
      });
    });
}

/** The POSSIBLE_DUPLICATE warning when earlier batches hold the same trades, or null. */
export function duplicateWarning(
  earlier: readonly { batchUid: string; createdAt: Date }[],
  earlierCount: number,
  totalTrades: number,
): PreviewWarning | null {
  const newest = earlier[0];
  if (newest === undefined) return null;
  const others = earlierCount > 1 ? ` and ${plural(earlierCount - 1, "other batch", "other batches")}` : "";
  return warning({
    code: "POSSIBLE_DUPLICATE",
    message: `the same trades were staged as batch ${newest.batchUid} at ${newest.createdAt.toISOString()}${others}: start only if they are meant to run again`,
    tradeCount: totalTrades,
    rows: [],
    valueDates: [],
    currencies: [],
    earlierBatchUids: earlier.map((batch) => batch.batchUid),
  });
}

/** Warnings in the order of PREVIEW_WARNING_CODES, then by value date, then by message. */
export function sortWarnings(warnings: readonly PreviewWarning[]): PreviewWarning[] {
  const rank = (code: PreviewWarningCode) => PREVIEW_WARNING_CODES.indexOf(code);
  return [...warnings].sort(
    (a, b) =>
      rank(a.code) - rank(b.code) || (a.valueDates[0] ?? "").localeCompare(b.valueDates[0] ?? "") || a.message.localeCompare(b.message),
  );
}

/**
 * Why starting a batch must be confirmed by typing its batchUid, or null: it has at least
 * `confirmMinTrades` trades, or its amounts in one currency (bought amounts of BUY trades and
 * sold amounts of SELL trades, added within each currency, never across) reach that currency's
 * `confirmAmounts` entry.
 */
export function startConfirmationReason(
  policy: ReviewPolicy,
  totalTrades: number,
  currencyTotals: readonly { currency: string; amount: string }[],
): string | null {
  const reasons: string[] = [];
  if (policy.confirmMinTrades !== null && totalTrades >= policy.confirmMinTrades) {
    reasons.push(`${plural(totalTrades, "trade")} (${policy.confirmMinTrades.toLocaleString("en-US")} or more)`);
  }
  for (const { currency, amount } of currencyTotals) {
    const threshold = policy.confirmAmounts.get(currency);
    if (threshold !== undefined && new ExactDecimal(amount).gte(threshold))
      reasons.push(`${currency} ${amount} in all (${currency} ${threshold} or more)`);
  }
  return reasons.length === 0 ? null : `a large batch: ${reasons.join("; ")}`;
}
