import { data as iso4217, publishDate } from "currency-codes";

/**
 * Codes on the ISO 4217 list that are not currencies a client can buy or sell in an FX trade.
 *
 * The currency-codes package mirrors ISO 4217 "list one" (current codes only; withdrawn codes such as
 * HRK or SLL are already absent). That list also carries units that are not money you can pay into a
 * bank account, so we drop them:
 * - precious metals, priced per troy ounce: XAU gold, XAG silver, XPT platinum, XPD palladium;
 * - accounting units of international bodies: XBA, XBB, XBC, XBD (European bond-market units),
 *   XDR (IMF special drawing right), XSU (SUCRE), XUA (African Development Bank unit of account);
 * - the reserved codes XTS (for testing) and XXX (no currency involved);
 * - "fund" codes (IsFund in the ISO list): BOV, CHE, CHW, CLF, COU, MXV, USN, UYI — index or settlement
 *   units that sit next to a real currency (CLF next to CLP, USN next to USD...) — plus UYW, the
 *   Uruguayan wage-index unit, which is the same kind of unit although ISO does not flag it.
 * Real currencies whose codes start with X stay: XAF, XOF (CFA francs), XPF (CFP franc), XCD.
 */
const NOT_TRADABLE: ReadonlySet<string> = new Set([
  "XAU",
  "XAG",
  "XPT",
  "XPD",
  "XBA",
  "XBB",
  "XBC",
  "XBD",
  "XDR",
  "XSU",
  "XUA",
  "XTS",
  "XXX",
  "BOV",
  "CHE",
  "CHW",
  "CLF",
  "COU",
  "MXV",
  "USN",
  "UYI",
  "UYW",
]);

/**
 * ISO 4217 amendments that came into force after the list currency-codes carries (published
 * 2024-06-25; 2.2.0 is its latest release), so that "active" means active today:
 * - XCG, the Caribbean guilder (2 digits), replaced ANG, the Netherlands Antillean guilder, in
 *   Curaçao and Sint Maarten on 2025-03-31;
 * - BGN, the Bulgarian lev, was replaced by the euro on 2026-01-01.
 * Check these again when the package publishes a newer list.
 */
const ADDED_SINCE_LIST: readonly (readonly [code: string, digits: number])[] = [["XCG", 2]];
const WITHDRAWN_SINCE_LIST: ReadonlySet<string> = new Set(["ANG", "BGN"]);

/** Active, tradable ISO 4217 codes (upper case) → number of minor-unit digits (2 for USD, 0 for JPY, 3 for KWD). */
export const ACTIVE_CURRENCIES: ReadonlyMap<string, number> = new Map(
  [
    ...iso4217
      .filter((record) => !NOT_TRADABLE.has(record.code) && !WITHDRAWN_SINCE_LIST.has(record.code))
      .map((record) => [record.code, record.digits] as const),
    ...ADDED_SINCE_LIST,
  ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
);

/** Publication date of the ISO 4217 list the currency data comes from (YYYY-MM-DD), before the amendments above. */
export const CURRENCY_LIST_PUBLISHED: string = publishDate;

/** The active currency codes in alphabetical order. */
export function activeCurrencyCodes(): string[] {
  return [...ACTIVE_CURRENCIES.keys()];
}

/**
 * `code` upper-cased when it is written in the letters A to Z only, otherwise null: toUpperCase alone
 * turns other letters into them ("uſd", with a long s, into "USD"; "ıdr", with a dotless i, into "IDR").
 */
function asciiUpperCase(code: string): string | null {
  return /^[A-Za-z]+$/.test(code) ? code.toUpperCase() : null;
}

/** True when `code` (letters A to Z in any case, no surrounding spaces) is an active tradable ISO 4217 currency. */
export function isActiveCurrency(code: string): boolean {
  if (ACTIVE_CURRENCIES.has(code)) return true;
  const upper = asciiUpperCase(code);
  return upper !== null && ACTIVE_CURRENCIES.has(upper);
}

/**
 * Number of minor-unit digits of an active currency (letters A to Z in any case).
 * @throws RangeError when the code is not an active tradable currency.
 */
export function minorUnits(code: string): number {
  const upper = asciiUpperCase(code);
  const digits = ACTIVE_CURRENCIES.get(code) ?? (upper === null ? undefined : ACTIVE_CURRENCIES.get(upper));
  if (digits === undefined) {
    throw new RangeError(`${JSON.stringify(code)} is not an active ISO 4217 currency code`);
  }
  return digits;
}
