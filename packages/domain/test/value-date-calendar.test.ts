import { describe, expect, it } from "vitest";
import {
  HOLIDAY_MARKETS,
  holidayMarket,
  isGoodValueDate,
  nextCalendarDay,
  nextGoodValueDate,
  nonBusinessReason,
} from "../src/value-date-calendar";

describe("nonBusinessReason", () => {
  it("names weekends for every currency, mapped or not, before any holiday on them", () => {
    expect(nonBusinessReason("2026-11-28", "USD")).toBe("Saturday");
    expect(nonBusinessReason("2026-11-29", "ZAR")).toBe("Sunday");
    expect(nonBusinessReason("2026-11-28", "THB")).toBe("Saturday");
    // Boxing Day 2026 is a Saturday
    expect(nonBusinessReason("2026-12-26", "GBP")).toBe("Saturday");
    expect(nonBusinessReason("2026-11-30", "USD")).toBeNull();
  });

  it("knows each main market's public holidays, named with the market", () => {
    const cases: [date: string, currency: string, reason: string][] = [
      ["2026-11-26", "USD", "Thanksgiving Day (US)"],
      ["2026-06-19", "USD", "Juneteenth (US)"],
      ["2026-12-25", "GBP", "Christmas Day (GB)"],
      ["2026-08-31", "GBP", "Summer bank holiday (GB)"],
      ["2026-12-28", "GBP", "Boxing Day (substitute day) (GB)"],
      ["2026-04-03", "EUR", "Good Friday (TARGET2)"],
      ["2026-04-06", "EUR", "Easter Monday (TARGET2)"],
      ["2026-05-01", "EUR", "Labour Day (TARGET2)"],
      ["2026-12-16", "ZAR", "Day of Reconciliation (ZA)"],
      ["2026-08-10", "ZAR", "Public Holiday (ZA)"],
      ["2026-09-22", "JPY", "Citizens' Holiday (JP)"],
      ["2026-12-31", "JPY", "New Year's Eve (JP)"],
      ["2026-10-01", "CNY", "National Day (CN)"],
      ["2026-02-17", "CNY", "Spring Festival (CN)"],
    ];
    for (const [date, currency, reason] of cases) expect(nonBusinessReason(date, currency), `${currency} ${date}`).toBe(reason);
  });

  it("accepts currency codes in any letter case", () => {
    expect(nonBusinessReason("2026-12-25", "gbp")).toBe("Christmas Day (GB)");
  });

  it("treats as business days what only looks like a holiday", () => {
    // a national holiday in Germany, but TARGET2 is open
    expect(nonBusinessReason("2026-05-14", "EUR")).toBeNull();
    expect(nonBusinessReason("2026-12-24", "EUR")).toBeNull();
    // US federal offices close on the Friday before a Saturday Independence Day; the Federal Reserve does not
    expect(nonBusinessReason("2026-07-03", "USD")).toBeNull();
    // China's Children's Day is for children only, not a market closure
    expect(nonBusinessReason("2026-06-01", "CNY")).toBeNull();
    // Norway's New Year's Eve is a half day
    expect(nonBusinessReason("2026-12-31", "NOK")).toBeNull();
    // Easter Monday is not a US holiday
    expect(nonBusinessReason("2026-04-06", "USD")).toBeNull();
  });

  it("applies each year's own dates across year boundaries", () => {
    expect(nonBusinessReason("2027-01-01", "USD")).toBe("New Year's Day (US)");
    expect(nonBusinessReason("2027-01-01", "EUR")).toBe("New Year's Day (TARGET2)");
    // Christmas Day and Boxing Day 2027 fall on the weekend: England moves both to the next working days
    expect(nonBusinessReason("2027-12-27", "GBP")).toBe("Christmas Day (substitute day) (GB)");
    expect(nonBusinessReason("2027-12-28", "GBP")).toBe("Boxing Day (substitute day) (GB)");
    expect(nonBusinessReason("2027-07-05", "USD")).toBe("Independence Day (substitute day) (US)");
    // Easter moves: Good Friday is 26 March in 2027
    expect(nonBusinessReason("2027-03-26", "EUR")).toBe("Good Friday (TARGET2)");
    expect(nonBusinessReason("2027-04-02", "EUR")).toBeNull();
    expect(nonBusinessReason("2028-02-29", "USD")).toBeNull();
  });

  it("knows only weekends for a currency without a holiday calendar", () => {
    expect(nonBusinessReason("2026-12-25", "THB")).toBeNull();
    expect(holidayMarket("THB")).toBeNull();
    expect(holidayMarket("eur")).toBe("TARGET2");
    for (const currency of ["ZAR", "USD", "EUR", "GBP", "JPY", "CNY"]) expect(HOLIDAY_MARKETS.has(currency), currency).toBe(true);
  });

  it("every mapped market has holidays in the package's data", () => {
    for (const [currency, market] of HOLIDAY_MARKETS) {
      const closed = [];
      for (let date = "2027-01-01"; date < "2028-01-01"; date = nextCalendarDay(date)) {
        const reason = nonBusinessReason(date, currency);
        if (reason?.endsWith(`(${market})`)) closed.push(date);
      }
      expect(closed.length, currency).toBeGreaterThanOrEqual(3);
    }
  });

  it("refuses malformed dates and currency codes", () => {
    expect(() => nonBusinessReason("2026-02-30", "USD")).toThrow('date must be a real date written YYYY-MM-DD, got "2026-02-30"');
    expect(() => nonBusinessReason("27/11/2026", "USD")).toThrow(RangeError);
    expect(() => nonBusinessReason("2026-11-30", "US")).toThrow('currency must be a 3-letter ISO 4217 code, got "US"');
  });
});

describe("isGoodValueDate", () => {
  it("needs a business day in every currency", () => {
    expect(isGoodValueDate("2026-11-26", ["EUR"])).toBe(true);
    expect(isGoodValueDate("2026-11-26", ["EUR", "USD"])).toBe(false);
    expect(isGoodValueDate("2026-12-16", ["USD", "ZAR"])).toBe(false);
    expect(isGoodValueDate("2026-11-30", ["USD", "ZAR"])).toBe(true);
  });

  it("with no currencies, checks the weekend only", () => {
    expect(isGoodValueDate("2026-12-25", [])).toBe(true);
    expect(isGoodValueDate("2026-12-26", [])).toBe(false);
  });

  it("refuses a malformed date even with no currencies", () => {
    expect(() => isGoodValueDate("2026-13-01", [])).toThrow(RangeError);
  });
});

describe("nextGoodValueDate", () => {
  const today = "2026-11-27";

  it("keeps a good date that is after `after`", () => {
    expect(nextGoodValueDate("2026-12-01", ["USD", "ZAR"], today)).toBe("2026-12-01");
  });

  it("rolls over weekends and holidays of either currency", () => {
    // Thanksgiving (US) → Friday
    expect(nextGoodValueDate("2026-11-26", ["EUR", "USD"], "2026-11-01")).toBe("2026-11-27");
    // Saturday → Monday
    expect(nextGoodValueDate("2026-11-28", ["EUR", "USD"], today)).toBe("2026-11-30");
    // Christmas Friday, weekend, Boxing Day substitute Monday (GB) → Tuesday
    expect(nextGoodValueDate("2026-12-25", ["GBP", "ZAR"], today)).toBe("2026-12-29");
    // Good Friday, weekend, Easter Monday (TARGET2)
    expect(nextGoodValueDate("2026-04-03", ["EUR", "USD"], "2026-03-01")).toBe("2026-04-07");
  });

  it("crosses the year boundary", () => {
    // 31 Dec (JP bank holiday), 1 Jan, weekend → Monday 4 January 2027
    expect(nextGoodValueDate("2026-12-31", ["USD", "JPY"], today)).toBe("2027-01-04");
    expect(nextGoodValueDate("2026-12-31", ["USD", "EUR"], today)).toBe("2026-12-31");
  });

  it("starts after `after` when the date is on or before it", () => {
    // today itself is never returned
    expect(nextGoodValueDate(today, ["USD"], today)).toBe("2026-11-30");
    expect(nextGoodValueDate("2026-11-02", ["USD"], "2026-11-25")).toBe("2026-11-27");
  });

  it("defaults `after` to today in UTC", () => {
    const todayUtc = new Date().toISOString().slice(0, 10);
    const next = nextGoodValueDate("2000-01-03", ["USD"]);
    expect(next > todayUtc).toBe(true);
    expect(isGoodValueDate(next, ["USD"])).toBe(true);
  });

  it("refuses malformed input", () => {
    expect(() => nextGoodValueDate("2026-12-01", ["USD"], "tomorrow")).toThrow(
      'after must be a real date written YYYY-MM-DD, got "tomorrow"',
    );
    expect(() => nextGoodValueDate("2026-12-01", ["DOLLAR"], today)).toThrow(RangeError);
  });
});
