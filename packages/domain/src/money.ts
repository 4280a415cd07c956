import { Decimal } from "decimal.js";
import { minorUnits } from "./currencies";
import { MAX_AMOUNT } from "./limits";

/**
 * Money arithmetic on decimal strings, done with decimal.js — never with JS numbers, which cannot hold
 * 0.1 or 1,000,000,000,000.01 exactly.
 *
 * Amounts and rates cross this module's boundary as plain-notation decimal strings ("1234.56"), the
 * form PostgreSQL NUMERIC and Prisma Decimal accept and print. Checking and normalizing the text of an
 * amount (once per CSV row) are exact string operations — nothing is rounded there, and they are several
 * times faster than building a Decimal; sums, products and rounding use decimal.js.
 *
 * Rounding: HALF-UP (ties away from zero: 0.125 → 0.13, 0.005 → 0.01), the rule people and most bank
 * statements use. Banker's rounding (half-even) would only matter for exact ties and would surprise a
 * reader checking a figure by hand.
 */

/**
 * The product's one configured decimal.js constructor: every Decimal of the product's money arithmetic
 * (this module, the bank simulator's pricing) is built with it. A clone, so decimal.js's global `Decimal`
 * stays untouched for anyone else in the process.
 *
 * - Precision 80 significant digits: enough for every sum and product of amounts and rates to be exact (an
 *   amount has ≤ 13 integer and ≤ 3 fraction digits, a rate ≤ 20 digits). Only quotients and powers (and
 *   what is computed from them) are inexact, and then accurate far beyond any digit a result keeps.
 * - Default rounding DOWN (truncation): it applies only where precision runs out, i.e. to an inexact
 *   intermediate, which it can therefore never push across a half-way point or a rounding boundary before
 *   the final rounding. Every rounding that matters is explicit — `toDecimalPlaces` / `toSignificantDigits`
 *   with a rounding mode (HALF-UP to a currency's minor units here; in the bank's favour in pricing) — so
 *   nothing depends on the default.
 * - toExpNeg −80 / toExpPos 80: `toString()` stays in plain notation, as `toFixed()` always does.
 */
export const ExactDecimal = Decimal.clone({ precision: 80, rounding: Decimal.ROUND_DOWN, toExpNeg: -80, toExpPos: 80 });
/** A value built by {@link ExactDecimal} (the instance type of decimal.js). */
export type ExactDecimal = Decimal;

/** An amount as written in the CSV: digits, optionally a point followed by digits. */
const PLAIN_AMOUNT = /^\d+(?:\.\d+)?$/;
/** Any plain decimal, possibly negative (sums, differences, rates). */
const PLAIN_DECIMAL = /^-?\d+(?:\.\d+)?$/;
const ZEROS = /^0*$/;

export type AmountParseResult = { ok: true; value: string } | { ok: false; message: string };

/**
 * Shows a user's value in a message: quoted, and cut short so one huge cell cannot flood a report.
 * The cut never splits a character written as two UTF-16 units (an emoji): its lone first half
 * would show as the text "\ud83d".
 */
export function quoteValue(value: string, maxLength = 40): string {
  if (value.length <= maxLength) return JSON.stringify(value);
  const last = value.charCodeAt(maxLength - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? maxLength - 1 : maxLength;
  return JSON.stringify(`${value.slice(0, end)}…`);
}

/**
 * Checks the text of an amount, independently of its currency: plain notation (digits, optionally a point
 * and more digits; no sign, exponent, thousands separator, currency symbol or space), greater than zero,
 * at most MAX_AMOUNT. Returns null when it is fine, otherwise a message saying what is wrong and what is
 * expected. `label` names the value in the message.
 */
export function amountFormatError(text: string, label = "amount"): string | null {
  if (text === "") return `${label} is required`;
  if (!PLAIN_AMOUNT.test(text)) return describeBadAmount(text, label);
  // exact string comparisons (no rounding can happen); this runs once per CSV row, so no Decimal here
  const { integer, fraction } = splitAmount(text);
  const fractionIsZero = ZEROS.test(fraction);
  if (integer === "0" && fractionIsZero) return `${label} must be greater than 0, got ${quoteValue(text)}`;
  if (integer.length > MAX_AMOUNT.length || (integer.length === MAX_AMOUNT.length && (integer > MAX_AMOUNT || !fractionIsZero))) {
    return `${label} must be at most ${MAX_AMOUNT} (one trillion), got ${quoteValue(text)}`;
  }
  return null;
}

/** Integer part without leading zeros ("0" at least) and fraction digits as written, of a PLAIN_AMOUNT string. */
function splitAmount(text: string): { integer: string; fraction: string } {
  const point = text.indexOf(".");
  const integerEnd = point < 0 ? text.length : point;
  let start = 0;
  while (start < integerEnd - 1 && text.charCodeAt(start) === 48 /* "0" */) start++;
  return { integer: text.slice(start, integerEnd), fraction: point < 0 ? "" : text.slice(point + 1) };
}

/** Number of digits written after the decimal point ("10.50" → 2, "10" → 0). */
export function writtenDecimalPlaces(text: string): number {
  const point = text.indexOf(".");
  return point < 0 ? 0 : text.length - point - 1;
}

/**
 * Checks that an amount is written with at most the currency's minor-unit digits (2 for USD, 0 for JPY,
 * 3 for KWD). Written digits count, so "100.00" is refused for JPY: the file must say what it means.
 * Assumes `currency` is active (see isActiveCurrency). Returns null when fine, otherwise a message.
 */
export function amountDecimalsError(text: string, currency: string, label = "amount"): string | null {
  const digits = minorUnits(currency);
  if (writtenDecimalPlaces(text) <= digits) return null;
  const code = currency.toUpperCase();
  return `${label} must have at most ${digits} decimal place${digits === 1 ? "" : "s"} for ${code}, got ${quoteValue(text)}`;
}

/**
 * The canonical string of a valid amount: no leading zeros, exactly the currency's minor-unit digits
 * ("120000" USD → "120000.00", "0007.5" EUR → "7.50", "1500000" JPY → "1500000").
 * Nothing is ever rounded: the amount must have passed amountFormatError and amountDecimalsError
 * (otherwise TypeError / RangeError).
 */
export function normalizeAmount(text: string, currency: string): string {
  const digits = minorUnits(currency);
  if (!PLAIN_AMOUNT.test(text)) throw new TypeError(`normalizeAmount needs a plain-notation amount, got ${quoteValue(text)}`);
  const written = writtenDecimalPlaces(text);
  if (written > digits) {
    throw new RangeError(`normalizeAmount: ${quoteValue(text)} has more decimal places than ${currency.toUpperCase()} allows (${digits})`);
  }
  // the common case, already canonical ("25000.00" for USD): no new string
  if (written === digits && text.charCodeAt(0) !== 48 /* "0" */) return text;
  const { integer, fraction } = splitAmount(text);
  return digits === 0 ? integer : `${integer}.${fraction.padEnd(digits, "0")}`;
}

/**
 * Parses an amount written in the trade CSV's plain notation for the given currency (the currency the
 * amount is in: buy_currency for BUY, sell_currency for SELL).
 * @returns the normalized amount (see normalizeAmount), or the first problem found as a message.
 * @throws RangeError when `currency` is not an active currency.
 */
export function parseAmount(text: string, currency: string, label = "amount"): AmountParseResult {
  const message = amountFormatError(text, label) ?? amountDecimalsError(text, currency, label);
  return message === null ? { ok: true, value: normalizeAmount(text, currency) } : { ok: false, message };
}

/** Explains why `text` is not a plain-notation positive amount, as precisely as the input allows. */
function describeBadAmount(text: string, label: string): string {
  const got = `got ${quoteValue(text)}`;
  const trimmed = text.trim();
  if (trimmed === "") return `${label} is required (the cell contains only spaces)`;
  if (trimmed !== text && PLAIN_AMOUNT.test(trimmed)) return `${label} must not contain spaces, ${got}`;
  if (/^[+-]/.test(trimmed)) {
    return `${label} must be a positive number written without a sign (+ or -), ${got}`;
  }
  if (/^(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+$/.test(trimmed)) {
    return `${label} must be written in plain notation such as 1500000, not in exponent notation, ${got}`;
  }
  if (/\p{Sc}/u.test(trimmed) || /[A-Za-z]/.test(trimmed)) {
    return `${label} must contain only digits and an optional decimal point, without a currency symbol or code, ${got}`;
  }
  if (
    /^\d{1,3}(?:[,'’ _\u00a0\u202f]\d{3})+(?:\.\d+)?$/.test(trimmed) ||
    /^\d{1,3}(?:[.'’ \u00a0\u202f]\d{3})+(?:,\d+)?$/.test(trimmed) ||
    /^\d+,\d+$/.test(trimmed)
  ) {
    return `${label} must be written without thousands separators and with "." as the decimal point (e.g. 1234567.89), ${got}`;
  }
  if (/^\d+\.$/.test(trimmed) || /^\.\d+$/.test(trimmed)) {
    return `${label} must have digits on both sides of the decimal point (e.g. 0.50 or 5), ${got}`;
  }
  return `${label} must be a plain decimal number such as 1234.56 (digits, optionally a "." and more digits), ${got}`;
}

function toDec(value: string, what: string): Decimal {
  if (!PLAIN_DECIMAL.test(value)) {
    throw new TypeError(`${what} must be a plain decimal string such as "1234.56", got ${quoteValue(value)}`);
  }
  return new ExactDecimal(value);
}

function positiveRate(rate: string): Decimal {
  const value = toDec(rate, "rate");
  if (!value.gt(0)) throw new RangeError(`rate must be greater than 0, got ${quoteValue(rate)}`);
  return value;
}

/**
 * Exact sum of plain decimal strings (used for totals per currency), in plain notation without
 * superfluous zeros: ["0.10", "0.20"] → "0.3"; [] → "0".
 * @throws TypeError when a value is not a plain decimal string.
 */
export function sumDecimals(values: Iterable<string>): string {
  let total = new ExactDecimal(0);
  for (const value of values) total = total.plus(toDec(value, "value"));
  return total.toFixed();
}

/** Exact sum of amounts of one currency, printed with the currency's minor-unit digits: USD ["1", "2.5"] → "3.50". */
export function sumAmounts(values: Iterable<string>, currency: string): string {
  const digits = minorUnits(currency);
  return new ExactDecimal(sumDecimals(values)).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}

/** Rounds a plain decimal half-up to a currency's minor units: ("2.345", "USD") → "2.35", ("-2.345", "USD") → "-2.35". */
export function roundToMinorUnits(value: string, currency: string): string {
  const digits = minorUnits(currency);
  // Nothing to round (every amount the database holds): padded with zeros as toFixed would, without
  // two Decimals. Every trade event formats three amounts this way (toTradeView).
  const written = CANONICAL_DECIMAL.exec(value);
  if (written) {
    const fraction = written[1] ?? "";
    if (fraction.length <= digits) {
      const whole = fraction ? value.slice(0, value.length - fraction.length - 1) : value;
      return digits === 0 ? whole : `${whole}.${fraction.padEnd(digits, "0")}`;
    }
  }
  return toDec(value, "value").toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}

/**
 * A plain decimal of zero or more as Decimal's toFixed writes one, no leading zeros (a negative one
 * takes the Decimal path, whose toFixed writes negative zero without its sign); its fraction captured.
 */
const CANONICAL_DECIMAL = /^(?:0|[1-9]\d*)(?:\.(\d+))?$/;

/**
 * amount × rate, rounded half-up to the minor units of `currency` (the currency of the result):
 * ("1000.00", "18.12345", "ZAR") → "18123.45".
 * @throws TypeError for a value that is not a plain decimal, RangeError for a rate ≤ 0 or an unknown currency.
 */
export function multiplyToMinorUnits(amount: string, rate: string, currency: string): string {
  const digits = minorUnits(currency);
  const product = toDec(amount, "amount").times(positiveRate(rate)); // exact: precision 80 ≥ digits of the operands
  return product.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}

/**
 * amount ÷ rate, rounded half-up to the minor units of `currency`: ("18123.45", "18.12345", "USD") → "1000.00".
 * The quotient is truncated at 80 significant digits before the single half-up rounding, so the result is
 * the correctly rounded value of the exact quotient.
 */
export function divideToMinorUnits(amount: string, rate: string, currency: string): string {
  const digits = minorUnits(currency);
  const quotient = toDec(amount, "amount").div(positiveRate(rate));
  return quotient.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}
