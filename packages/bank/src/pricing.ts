import { ExactDecimal, isActiveCurrency, minorUnits } from "@fxbt/domain";
import { hashUnit } from "./random";

/**
 * Prices of the simulated bank: approximate reference mid rates against USD, cross rates
 * through USD, a small market jitter and a spread in the bank's favour. All arithmetic is
 * decimal, with @fxbt/domain's ExactDecimal (80 significant digits, truncating only inexact
 * intermediates); no amount or rate ever passes through a binary float, and every rounding
 * of a rate or an amount is explicit, with its mode.
 */

/** Units of each currency per 1 USD (order of magnitude of recent market levels). */
const UNITS_PER_USD: Readonly<Record<string, string>> = {
  USD: "1",
  EUR: "0.92",
  GBP: "0.79",
  JPY: "151.5",
  CHF: "0.88",
  AUD: "1.52",
  CAD: "1.37",
  NZD: "1.66",
  CNY: "7.24",
  HKD: "7.82",
  SGD: "1.35",
  SEK: "10.6",
  NOK: "10.8",
  DKK: "6.87",
  ZAR: "18.6",
  INR: "83.4",
  BRL: "5.15",
  MXN: "17.1",
  KWD: "0.307",
  BHD: "0.376",
  OMR: "0.385",
  JOD: "0.709",
  QAR: "3.64",
  SAR: "3.75",
  AED: "3.6725",
  ILS: "3.72",
  TRY: "32.5",
  PLN: "4.0",
  CZK: "23.2",
  HUF: "365",
  RON: "4.58",
  BGN: "1.8",
  ISK: "138",
  RUB: "92",
  KRW: "1360",
  TWD: "32.3",
  THB: "36.5",
  MYR: "4.72",
  IDR: "16100",
  PHP: "57.5",
  VND: "25400",
  PKR: "278",
  BDT: "117",
  LKR: "300",
  EGP: "48",
  NGN: "1450",
  KES: "130",
  GHS: "14.5",
  MAD: "10.0",
  TND: "3.12",
  CLP: "940",
  COP: "3900",
  PEN: "3.72",
  ARS: "880",
  UYU: "38.5",
  XAF: "603",
  XOF: "603",
};

/** Base spreads: tight for the majors, wider for other listed currencies, widest for the rest. */
const MAJORS = new Set(["USD", "EUR", "GBP", "JPY", "CHF", "AUD", "CAD", "NZD"]);
const SPREAD_MAJOR = new ExactDecimal("0.0005");
const SPREAD_LISTED = new ExactDecimal("0.0020");
const SPREAD_OTHER = new ExactDecimal("0.0050");
/** Largest market move of a quote around the reference mid rate (±). */
const MARKET_JITTER = new ExactDecimal("0.0005");
/** Significant digits of a quoted rate; the ledger column holds 10 decimal places. */
const RATE_SIGNIFICANT_DIGITS = 8;
const RATE_DECIMAL_PLACES = 10;
/** The ledger column is DECIMAL(22, 4): at most 18 integer digits. */
const MAX_AMOUNT = new ExactDecimal("1e17");

const CURRENCY_CODE = /^[A-Z]{3}$/;
const DECIMAL_STRING = /^\d{1,30}(\.\d{1,30})?$/;

/** An active, tradable ISO 4217 code in upper case (the currencies the simulated bank deals in). */
export function isTradableCurrency(value: string): boolean {
  return typeof value === "string" && CURRENCY_CODE.test(value) && isActiveCurrency(value);
}

const fallbackCache = new Map<string, ExactDecimal>();

/**
 * Units per USD of a currency. Unlisted codes get a stable made-up level between 1 and 1000
 * (log-uniform, from a hash of the code alone, so every seed and process agrees).
 */
export function unitsPerUsd(currency: string): ExactDecimal {
  const listed = UNITS_PER_USD[currency];
  if (listed !== undefined) return new ExactDecimal(listed);
  let fallback = fallbackCache.get(currency);
  if (fallback === undefined) {
    fallback = new ExactDecimal(10).pow(hashUnit("", "fallback-rate", currency) * 3).toSignificantDigits(4, ExactDecimal.ROUND_HALF_UP);
    fallbackCache.set(currency, fallback);
  }
  return fallback;
}

/** Reference mid rate: units of `buy` per 1 unit of `sell`, crossed through USD. */
export function midRate(sell: string, buy: string): ExactDecimal {
  return unitsPerUsd(buy).div(unitsPerUsd(sell));
}

function baseSpread(currency: string): ExactDecimal {
  if (MAJORS.has(currency)) return SPREAD_MAJOR;
  return UNITS_PER_USD[currency] !== undefined ? SPREAD_LISTED : SPREAD_OTHER;
}

export interface PriceInput {
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amount: string;
}

export interface Price {
  rate: string;
  sellAmount: string;
  buyAmount: string;
  /** The fixed side (the request's amount at its currency's minor units), as stored in the ledger. */
  amount: string;
}

/** Why a request cannot be priced, or null when it can. */
export function priceProblem(input: PriceInput): string | null {
  if (!isTradableCurrency(input.sellCurrency)) return `the bank does not deal in sell currency "${input.sellCurrency}"`;
  if (!isTradableCurrency(input.buyCurrency)) return `the bank does not deal in buy currency "${input.buyCurrency}"`;
  if (input.sellCurrency === input.buyCurrency) return "sell and buy currency are the same";
  if (input.direction !== "BUY" && input.direction !== "SELL") return `direction "${String(input.direction)}" is neither BUY nor SELL`;
  if (typeof input.amount !== "string" || !DECIMAL_STRING.test(input.amount))
    return `amount "${String(input.amount)}" is not a positive decimal`;
  const amount = new ExactDecimal(input.amount);
  if (amount.lte(0)) return "amount must be positive";
  if (amount.gte(MAX_AMOUNT)) return "amount exceeds the bank's limit";
  return null;
}

/**
 * Prices a valid request (see {@link priceProblem}); amounts are rounded to the minor units of
 * their currency (ISO 4217, via @fxbt/domain). `seed` and `requestId` fix the market
 * jitter and the spread, so the same request under the same seed gets the same rate.
 *
 * rate = mid × (1 + jitter) × (1 − spread), jitter uniform in ±0.05 %, spread = base ×
 * uniform(0.5, 1.5) with base 5 bp for major/major, 20 bp when a leg is another listed
 * currency, 50 bp when a leg is unlisted. Rounding favours the bank: the rate and a BUY's
 * computed sell amount are rounded against the client (down / up), a SELL's computed buy
 * amount is rounded down. Returns null when the result would be zero (an absurd pair/amount).
 */
export function priceQuote(input: PriceInput, seed: string, requestId: string): Price | null {
  const { sellCurrency, buyCurrency } = input;
  const jitter = MARKET_JITTER.mul(hashUnit(seed, "market", requestId) * 2 - 1);
  const spreadBase = ExactDecimal.max(baseSpread(sellCurrency), baseSpread(buyCurrency));
  const spread = spreadBase.mul(0.5 + hashUnit(seed, "spread", requestId));
  const rate = midRate(sellCurrency, buyCurrency)
    .mul(jitter.plus(1))
    .mul(new ExactDecimal(1).minus(spread))
    .toSignificantDigits(RATE_SIGNIFICANT_DIGITS, ExactDecimal.ROUND_DOWN)
    .toDecimalPlaces(RATE_DECIMAL_PLACES, ExactDecimal.ROUND_DOWN);
  if (rate.lte(0)) return null;
  const sellDigits = minorUnits(sellCurrency);
  const buyDigits = minorUnits(buyCurrency);
  let sell: ExactDecimal;
  let buy: ExactDecimal;
  if (input.direction === "SELL") {
    sell = new ExactDecimal(input.amount).toDecimalPlaces(sellDigits, ExactDecimal.ROUND_HALF_UP);
    buy = sell.mul(rate).toDecimalPlaces(buyDigits, ExactDecimal.ROUND_DOWN);
  } else {
    buy = new ExactDecimal(input.amount).toDecimalPlaces(buyDigits, ExactDecimal.ROUND_HALF_UP);
    sell = buy.div(rate).toDecimalPlaces(sellDigits, ExactDecimal.ROUND_UP);
  }
  if (sell.lte(0) || buy.lte(0) || sell.gte(MAX_AMOUNT) || buy.gte(MAX_AMOUNT)) return null;
  return {
    rate: rate.toFixed(),
    sellAmount: sell.toFixed(sellDigits),
    buyAmount: buy.toFixed(buyDigits),
    amount: input.direction === "SELL" ? sell.toFixed(sellDigits) : buy.toFixed(buyDigits),
  };
}
