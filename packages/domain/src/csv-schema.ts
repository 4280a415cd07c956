import { z } from "zod";
import { isActiveCurrency } from "./currencies";
import { FIELD_LIMITS } from "./limits";
import { amountDecimalsError, amountFormatError, quoteValue } from "./money";

/** The columns of the trade CSV format, version 1 (docs/csv-format.md), in their documented order. */
export const TRADE_CSV_COLUMNS = [
  "client_id",
  "client_name",
  "account_number",
  "sell_currency",
  "buy_currency",
  "direction",
  "amount",
  "value_date",
  "reference",
] as const;

export type TradeCsvColumn = (typeof TRADE_CSV_COLUMNS)[number];

/**
 * Columns the product's own CSV exports write beside the upload columns (the results export: every
 * one of them; the failures export: error_code and error_message). Staging accepts them and reads
 * nothing from them, so an export can be fixed and staged again as it is; any other name stays an
 * "Unknown column" error, so a mistyped upload column still cannot silently drop its data.
 */
export const IGNORED_TRADE_CSV_COLUMNS = [
  "row",
  "status",
  "quote_id",
  "rate",
  "transaction_id",
  "error_code",
  "error_message",
  "attempts",
  "updated_at",
] as const;

export type IgnoredTradeCsvColumn = (typeof IGNORED_TRADE_CSV_COLUMNS)[number];

/** Columns that must be present in the header (the others may be left out entirely). */
export const REQUIRED_TRADE_CSV_COLUMNS: readonly TradeCsvColumn[] = [
  "client_id",
  "account_number",
  "sell_currency",
  "buy_currency",
  "direction",
  "amount",
];

/** One data row as text, keyed by column; a column absent from the header is "". */
export type RawTradeRow = Record<TradeCsvColumn, string>;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `text` is a real calendar date written YYYY-MM-DD (2024-02-29 yes, 2026-02-30 no). */
export function isValidIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (match === null) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= daysInMonth;
}

/** Length in characters (Unicode code points), as PostgreSQL counts VARCHAR(n). */
export function characterCount(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low surrogate is one character
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * "`label` must be at most `max` characters, got n" when `text` has more than `max` characters
 * (Unicode code points, as PostgreSQL counts VARCHAR(n): an emoji is one, not two UTF-16 units),
 * otherwise null. The one length rule of every text the user writes: cells, a batch's name, keys.
 */
export function textLengthProblem(label: string, text: string, max: number): string | null {
  if (text.length <= max) return null; // UTF-16 length ≥ character count, so this is the fast common path
  const count = characterCount(text);
  return count > max ? `${label} must be at most ${max} characters, got ${count}` : null;
}

/**
 * Why `text` cannot be stored as PostgreSQL text, or null when it can. Two things cannot: a NUL character
 * (U+0000), which PostgreSQL refuses in any text value, and an unpaired UTF-16 surrogate (half of a
 * character such as an emoji, or a byte sequence that was not valid UTF-8 to begin with), which has no
 * UTF-8 encoding at all. The answer completes a sentence whose subject names the value, such as
 * `client_name ${problem}`; it never repeats the text itself. Positions count characters from 1.
 */
export function unstorableTextProblem(text: string): string | null {
  let position = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    position++;
    if (unit === 0) return `contains a NUL character (U+0000) at character ${position}, which cannot be stored; remove it`;
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++; // a high surrogate followed by a low surrogate is one character
        continue;
      }
    }
    return (
      `contains an invalid character (an unpaired UTF-16 surrogate, U+${unit.toString(16).toUpperCase()}) at character ${position}, ` +
      "which cannot be stored; the text is damaged or was not saved as UTF-8, so retype it or save the file as UTF-8 again"
    );
  }
  return null;
}

/**
 * Why `text` is damaged text, or null: the replacement character U+FFFD is what a program reading
 * a file as UTF-8 (a browser's File.text(), Python's errors="replace") puts where its bytes were not
 * UTF-8, such as a file Excel saved as "CSV (Comma delimited)" in Windows-1252, where "Société"
 * arrives as "Soci\uFFFDt\uFFFD". Stored, the original letters would be lost for good. Completes
 * a sentence whose subject names the value, as unstorableTextProblem does.
 */
export function replacementCharacterProblem(text: string): string | null {
  const at = text.indexOf("\uFFFD");
  if (at < 0) return null;
  return (
    `contains the replacement character (U+FFFD) at character ${characterCount(text.slice(0, at)) + 1}, ` +
    "which a program puts where bytes were not valid UTF-8: the file was not saved as UTF-8; " +
    'save it again as UTF-8 (in Excel, "CSV UTF-8 (Comma delimited)") and upload it again'
  );
}

/** One field rule: returns null when the value is fine, otherwise the message for the user. */
type FieldRule = (value: string) => string | null;

/**
 * A zod string schema running one rule and reporting at most one issue per field, so a user gets one
 * precise message per cell. Issues are "continuable" so the cross-field check still runs. Text that
 * cannot be stored (unstorableTextProblem) or was damaged by a decoding (replacementCharacterProblem)
 * is refused before the column's own rule runs.
 */
function field(column: TradeCsvColumn, rule: FieldRule) {
  return z.string().check((ctx) => {
    const problem = unstorableTextProblem(ctx.value) ?? replacementCharacterProblem(ctx.value);
    const message = problem === null ? rule(ctx.value) : `${column} ${problem}`;
    if (message !== null) ctx.issues.push({ code: "custom", message, input: ctx.value, continue: true });
  });
}

function requiredText(column: TradeCsvColumn, max: number): FieldRule {
  return (value) => {
    if (value.trim() === "") return `${column} is required`;
    return textLengthProblem(column, value, max);
  };
}

function optionalText(column: TradeCsvColumn, max: number): FieldRule {
  return (value) => textLengthProblem(column, value, max);
}

const ACCOUNT_NUMBER = new RegExp(`^[0-9]{${FIELD_LIMITS.accountNumberMinDigits},${FIELD_LIMITS.accountNumberMaxDigits}}$`);

const accountNumberRule: FieldRule = (value) => {
  if (value === "") return "account_number is required";
  if (ACCOUNT_NUMBER.test(value)) return null;
  return (
    `account_number must be ${FIELD_LIMITS.accountNumberMinDigits} to ${FIELD_LIMITS.accountNumberMaxDigits} ` +
    `digits (0-9 only, no spaces or dashes), got ${quoteValue(value)}`
  );
};

function currencyRule(column: TradeCsvColumn): FieldRule {
  return (value) => {
    if (value === "") return `${column} is required (a 3-letter ISO 4217 currency code such as USD)`;
    if (value.length === 3 && isActiveCurrency(value)) return null;
    return `${column} must be the 3-letter ISO 4217 code of an active currency (such as USD, EUR or ZAR), got ${quoteValue(value)}`;
  };
}

// Any case of the letters A to Z only: toUpperCase would also take "ſell" (a long s) for SELL.
const DIRECTION = /^(?:buy|sell)$/i;

const directionRule: FieldRule = (value) => {
  if (value === "") return "direction is required (BUY or SELL)";
  return DIRECTION.test(value) ? null : `direction must be BUY or SELL, got ${quoteValue(value)}`;
};

function valueDateRule(today: string): FieldRule {
  return (value) => {
    if (value === "") return null; // empty means spot
    if (!ISO_DATE.test(value)) {
      return `value_date must be a date written YYYY-MM-DD (such as ${today}), or empty for spot, got ${quoteValue(value)}`;
    }
    if (!isValidIsoDate(value)) return `value_date ${quoteValue(value)} is not a real calendar date`;
    // YYYY-MM-DD strings compare like the dates they name
    if (value < today) return `value_date ${value} is in the past; it must be today (${today}) or later, or empty for spot`;
    return null;
  };
}

/** The column whose currency the amount is in: BUY fixes the bought amount, SELL the sold amount. */
export function amountCurrencyColumn(direction: "BUY" | "SELL"): "buy_currency" | "sell_currency" {
  return direction === "BUY" ? "buy_currency" : "sell_currency";
}

/**
 * The zod schema of one data row, for the given "today" (YYYY-MM-DD, UTC) that value dates are compared
 * with. Each field is checked on its own (one issue at most per field); then rules that need several
 * fields run on the fields that passed: buy and sell currencies differ, and the amount has no more
 * decimals than the currency it is in allows. Issue paths are the column names.
 */
export function createTradeRowSchema(today: string) {
  return z
    .object({
      client_id: field("client_id", requiredText("client_id", FIELD_LIMITS.clientIdMax)),
      client_name: field("client_name", optionalText("client_name", FIELD_LIMITS.clientNameMax)),
      account_number: field("account_number", accountNumberRule),
      sell_currency: field("sell_currency", currencyRule("sell_currency")),
      buy_currency: field("buy_currency", currencyRule("buy_currency")),
      direction: field("direction", directionRule),
      amount: field("amount", (value) => amountFormatError(value)),
      value_date: field("value_date", valueDateRule(today)),
      reference: field("reference", optionalText("reference", FIELD_LIMITS.referenceMax)),
    })
    .check((ctx) => {
      const failed = ctx.issues.length === 0 ? null : new Set(ctx.issues.map((issue) => issue.path?.[0]));
      crossFieldChecks(ctx.value, failed, ctx.issues);
    });
}

type Issues = z.core.$ZodRawIssue[];
const BUY = /^buy$/i;

/** Rules spanning several fields, applied only to fields that passed their own rule. */
function crossFieldChecks(row: RawTradeRow, failed: ReadonlySet<PropertyKey | undefined> | null, issues: Issues): void {
  const sellOk = failed === null || !failed.has("sell_currency");
  const buyOk = failed === null || !failed.has("buy_currency");
  if (sellOk && buyOk && row.sell_currency.toUpperCase() === row.buy_currency.toUpperCase()) {
    issues.push({
      code: "custom",
      path: ["buy_currency"],
      message: `buy_currency must be different from sell_currency (both are ${row.buy_currency.toUpperCase()})`,
      input: row.buy_currency,
      continue: true,
    });
  }
  if (failed !== null && (failed.has("amount") || failed.has("direction"))) return;
  const isBuy = BUY.test(row.direction); // the direction passed its rule: BUY or SELL in any case
  if (!(isBuy ? buyOk : sellOk)) return;
  const message = amountDecimalsError(row.amount, isBuy ? row.buy_currency : row.sell_currency);
  if (message !== null) issues.push({ code: "custom", path: ["amount"], message, input: row.amount, continue: true });
}
