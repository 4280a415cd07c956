import Holidays, { type HolidaysTypes } from "date-holidays";
import { isValidIsoDate } from "./csv-schema";

/**
 * Value-date calendar: is a date a business day for a currency's settlement?
 *
 * A currency settles in its main market, so its non-business days are Saturdays, Sundays and
 * that market's public (and bank) holidays, taken from the `date-holidays` package (data shipped
 * inside the package, nothing fetched). The euro has no single country: it settles in TARGET2,
 * whose closing days are defined here from the ECB's published rule. Currencies without a mapped
 * market get weekends only; `holidayMarket` tells callers which those are so they can say so.
 */

/** Where a currency's holidays come from: a `date-holidays` country (and region), or TARGET2. */
interface Market {
  /** Short label shown after a holiday's name, e.g. "Christmas Day (GB)". */
  label: string;
  country?: string;
  region?: string;
}

/**
 * Each currency's main market. Regions are used where holidays differ inside a country and FX
 * settles in one city: London (England), Zurich, Sydney (NSW), Toronto (Ontario), Auckland.
 */
const MARKETS: Readonly<Record<string, Market>> = {
  USD: { label: "US", country: "US" },
  EUR: { label: "TARGET2" },
  GBP: { label: "GB", country: "GB", region: "ENG" },
  JPY: { label: "JP", country: "JP" },
  CNY: { label: "CN", country: "CN" },
  ZAR: { label: "ZA", country: "ZA" },
  CHF: { label: "CH", country: "CH", region: "ZH" },
  AUD: { label: "AU", country: "AU", region: "NSW" },
  CAD: { label: "CA", country: "CA", region: "ON" },
  NZD: { label: "NZ", country: "NZ", region: "AUK" },
  SEK: { label: "SE", country: "SE" },
  NOK: { label: "NO", country: "NO" },
  DKK: { label: "DK", country: "DK" },
  HKD: { label: "HK", country: "HK" },
  SGD: { label: "SG", country: "SG" },
};

/** TARGET2 closing days (ECB): New Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26 December. */
const TARGET2_RULES: readonly (readonly [rule: string, name: string])[] = [
  ["01-01", "New Year's Day"],
  ["easter -2", "Good Friday"],
  ["easter 1", "Easter Monday"],
  ["05-01", "Labour Day"],
  ["12-25", "Christmas Day"],
  ["12-26", "Christmas Holiday"],
];

const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** How far `nextGoodValueDate` looks ahead; no market closes for anywhere near this long. */
const MAX_SEARCH_DAYS = 366;

const CURRENCY_CODE = /^[A-Z]{3}$/;

const DAY_MS = 86_400_000;

function calendarFor(market: Market): Holidays {
  if (market.country === undefined) {
    const target2 = new Holidays({ languages: ["en"], types: ["public"] });
    for (const [rule, name] of TARGET2_RULES) target2.setHoliday(rule, { name: { en: name }, type: "public" });
    return target2;
  }
  // bank holidays count: Japan's banks close on 2–3 January and 31 December
  const options: HolidaysTypes.Options = { languages: ["en"], types: ["public", "bank"] };
  return new Holidays({ country: market.country, ...(market.region === undefined ? {} : { state: market.region }) }, options);
}

const calendars = new Map<string, Holidays>();
/** currency → year → date → holiday name; a year is read from the package once. */
const holidayYears = new Map<string, Map<number, ReadonlyMap<string, string>>>();

function holidaysOf(currency: string, market: Market, year: number): ReadonlyMap<string, string> {
  let years = holidayYears.get(currency);
  if (years === undefined) {
    years = new Map();
    holidayYears.set(currency, years);
  }
  const cached = years.get(year);
  if (cached !== undefined) return cached;
  let calendar = calendars.get(currency);
  if (calendar === undefined) {
    calendar = calendarFor(market);
    calendars.set(currency, calendar);
  }
  const byDate = new Map<string, string>();
  for (const holiday of calendar.getHolidays(year)) {
    // Skip days that do not close the market: half days (starting after midnight, such as
    // Norway's New Year's Eve from 14:00) and holidays of part of the population only, which
    // the package marks with a note (China's Youth Day, Children's Day, Army Day...).
    if (holiday.date.slice(11, 19) !== "00:00:00" || "note" in holiday) continue;
    // The Federal Reserve stays open on the Friday before a Saturday holiday, though federal offices close.
    if (currency === "USD" && holiday.substitute === true && weekdayOf(holiday.date.slice(0, 10)) === 5) continue;
    // A holiday may last several days (its end is exclusive); each of them closes the market.
    const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
    let date = holiday.date.slice(0, 10);
    for (let day = 0; day < days; day++, date = nextCalendarDay(date)) {
      const names = byDate.get(date);
      if (names === undefined) byDate.set(date, holiday.name);
      else if (!names.split(", ").includes(holiday.name)) byDate.set(date, `${names}, ${holiday.name}`);
    }
  }
  years.set(year, byDate);
  return byDate;
}

function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function checkDate(date: string, what: string): void {
  if (!isValidIsoDate(date)) throw new RangeError(`${what} must be a real date written YYYY-MM-DD, got ${JSON.stringify(date)}`);
}

function normalisedCurrency(currency: string): string {
  const code = currency.toUpperCase();
  if (!CURRENCY_CODE.test(code)) throw new RangeError(`currency must be a 3-letter ISO 4217 code, got ${JSON.stringify(currency)}`);
  return code;
}

/** The day after `date` (both YYYY-MM-DD). */
export function nextCalendarDay(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Every currency that has a holiday calendar, with the market it settles in ("TARGET2" for EUR). */
export const HOLIDAY_MARKETS: ReadonlyMap<string, string> = new Map(Object.entries(MARKETS).map(([code, market]) => [code, market.label]));

/**
 * The market whose holidays a currency follows ("US", "TARGET2", "GB"...), or null when there is no
 * holiday calendar for it: then only weekends are known to be non-business days.
 */
export function holidayMarket(currency: string): string | null {
  return MARKETS[normalisedCurrency(currency)]?.label ?? null;
}

/**
 * Why `date` (YYYY-MM-DD) is not a business day for settling `currency`, or null when it is:
 * "Saturday" / "Sunday", or the holiday's English name with its market, such as
 * "Christmas Day (GB)" or "Good Friday (TARGET2)". A weekend is named before a holiday on it.
 * @throws RangeError when `date` is not a real YYYY-MM-DD date or `currency` not a 3-letter code.
 */
export function nonBusinessReason(date: string, currency: string): string | null {
  checkDate(date, "date");
  const code = normalisedCurrency(currency);
  const weekday = weekdayOf(date);
  if (weekday === 0 || weekday === 6) return WEEKDAY_NAMES[weekday] ?? null;
  const market = MARKETS[code];
  if (market === undefined) return null;
  const holiday = holidaysOf(code, market, Number(date.slice(0, 4))).get(date);
  return holiday === undefined ? null : `${holiday} (${market.label})`;
}

/**
 * True when `date` is a business day for every one of `currencies` (a pair's two currencies,
 * typically); with no currencies, when it is a weekday.
 * @throws RangeError as `nonBusinessReason` does.
 */
export function isGoodValueDate(date: string, currencies: readonly string[]): boolean {
  checkDate(date, "date");
  if (currencies.length === 0) {
    const weekday = weekdayOf(date);
    return weekday !== 0 && weekday !== 6;
  }
  return currencies.every((currency) => nonBusinessReason(date, currency) === null);
}

/**
 * The first good value date for all of `currencies` that is on or after `date` and strictly after
 * `after`: `date` itself when it is good and later than `after`, else the next such business day.
 * `after` defaults to today's date in UTC, so a date that has come or passed rolls forward to the
 * first good day from tomorrow on; pass it explicitly (e.g. a fixed "today") for a repeatable answer.
 * @throws RangeError when a date or currency is malformed (or, impossibly, no good day is found within a year).
 */
export function nextGoodValueDate(
  date: string,
  currencies: readonly string[],
  after: string = new Date().toISOString().slice(0, 10),
): string {
  checkDate(date, "date");
  checkDate(after, "after");
  let candidate = date > after ? date : nextCalendarDay(after);
  for (let day = 0; day < MAX_SEARCH_DAYS; day++) {
    if (isGoodValueDate(candidate, currencies)) return candidate;
    candidate = nextCalendarDay(candidate);
  }
  throw new RangeError(`no good value date for ${currencies.join("/")} within ${MAX_SEARCH_DAYS} days of ${date}`);
}
