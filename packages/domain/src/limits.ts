/**
 * Limits of the trade CSV format (version 1, docs/csv-format.md) and of money amounts.
 * Kept in one place so the API, the UI and the tests agree on the same numbers.
 */

/** A batch's name is at most this many characters (stageBatch's `name`, and any a template's pattern gives). */
export const BATCH_NAME_MAX = 200;

/** Default maximum number of data rows in one uploaded file (the header is not counted). */
export const DEFAULT_MAX_ROWS = 100_000;

/** Default maximum size of one uploaded file, in bytes of its UTF-8 encoding (20 MiB). */
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;

/**
 * Most row errors reported for one file. A file with more gets the first MAX_ROW_ERRORS and then one
 * file-level error giving the total, so an answer stays small (a 100,000-row file of bad rows would
 * otherwise produce a response of several megabytes that no one reads to the end).
 */
export const MAX_ROW_ERRORS = 1_000;

/** Largest amount accepted for one trade, inclusive (1,000,000,000,000), as a plain decimal string. */
export const MAX_AMOUNT = "1000000000000";

/** Length limits of the text columns, in characters (Unicode code points, as PostgreSQL VARCHAR counts). */
export const FIELD_LIMITS = {
  clientIdMax: 64,
  clientNameMax: 200,
  accountNumberMinDigits: 6,
  accountNumberMaxDigits: 20,
  referenceMax: 140,
} as const;

/**
 * Where the trade history stops counting rows: a filter the batches' counters cannot answer
 * (a search, or a status they do not count) is counted up to this many matches and no further,
 * so a history's totalCount is exact up to it, and TRADE_HISTORY_COUNT_LIMIT + 1 means "more than
 * this". Counting every match of a search over millions of trades would cost more than the page.
 */
export const TRADE_HISTORY_COUNT_LIMIT = 10_000;

/**
 * Most trades one retry of selected trades (retryFailedTrades' tradeIds) may name. A person picks
 * them page by page; a larger choice is a retry by error code. The list is checked, read and moved
 * under the batch's lock, so the bound also keeps that lock short.
 */
export const MAX_RETRY_SELECTION = 5_000;
