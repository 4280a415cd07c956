import { describe, expect, it } from "vitest";
import {
  DEFAULT_REVIEW_POLICY,
  duplicateWarning,
  farValueDateLimit,
  largeTradeWarnings,
  type PreviewWarning,
  type ReviewPolicy,
  sortWarnings,
  startConfirmationReason,
  valueDateWarnings,
} from "../src/batch-preview";

const TODAY = "2026-11-27";
const group = (valueDate: string | null, sellCurrency: string, buyCurrency: string, trades: number, rows: number[]) => ({
  valueDate,
  sellCurrency,
  buyCurrency,
  trades,
  rows,
});

describe("farValueDateLimit", () => {
  it("is the same day a year later, 28 February for 29 February", () => {
    expect(farValueDateLimit("2026-11-27")).toBe("2027-11-27");
    expect(farValueDateLimit("2028-02-29")).toBe("2029-02-28");
    expect(farValueDateLimit("2026-12-31")).toBe("2027-12-31");
  });
});

describe("valueDateWarnings", () => {
  it("warns once per value date and pair on a weekend or a holiday of either currency, with both reasons", () => {
    const warnings = valueDateWarnings(
      [
        group("2026-12-25", "GBP", "ZAR", 3, [4, 9, 12]),
        group("2026-11-26", "EUR", "USD", 1, [2]),
        group("2026-11-26", "EUR", "GBP", 5, [1, 3]),
        group("2026-11-28", "USD", "JPY", 2, [7, 8]),
        group(null, "USD", "ZAR", 4, [5]),
      ],
      TODAY,
    );
    expect(warnings.map((warning) => warning.message)).toEqual([
      "value date 2026-12-25 is not a business day for GBP/ZAR (Christmas Day (GB); Christmas Day (ZA)): 3 trades (rows 4, 9, 12)",
      "value date 2026-11-26 is not a business day for EUR/USD (Thanksgiving Day (US)): 1 trade (row 2)",
      "value date 2026-11-28 is not a business day for USD/JPY (Saturday): 2 trades (rows 7, 8)",
    ]);
    expect(warnings[0]).toEqual({
      code: "NON_BUSINESS_DAY",
      message: expect.any(String),
      tradeCount: 3,
      rows: [4, 9, 12],
      valueDates: ["2026-12-25"],
      currencies: ["GBP", "ZAR"],
      earlierBatchUids: [],
    });
  });

  it("gathers value dates more than a year out into one warning, counting all their trades", () => {
    const warnings = valueDateWarnings(
      [
        group("2027-11-29", "USD", "ZAR", 2, [3, 40]),
        group("2027-11-29", "EUR", "ZAR", 20, [1, 2, 4, 5, 6, 7, 8, 9, 10, 11]),
        group("2027-11-26", "EUR", "ZAR", 1, [50]),
        group("2028-01-04", "USD", "ZAR", 1, [60]),
      ],
      TODAY,
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      code: "FAR_VALUE_DATE",
      tradeCount: 23,
      rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      valueDates: ["2027-11-29", "2028-01-04"],
      currencies: ["EUR", "USD", "ZAR"],
      message:
        "23 trades have value dates more than a year out (after 2027-11-27): 2027-11-29, 2028-01-04 (rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …)",
    });
  });

  it("says which currencies were checked for weekends only", () => {
    const warnings = valueDateWarnings([group("2026-12-01", "USD", "THB", 2, [1, 2]), group("2026-12-02", "MXN", "USD", 1, [3])], TODAY);
    expect(warnings).toEqual([
      {
        code: "NO_HOLIDAY_CALENDAR",
        message: "no holiday calendar for MXN, THB: only weekends were checked for 3 trades (rows 1, 2, 3)",
        tradeCount: 3,
        rows: [1, 2, 3],
        valueDates: ["2026-12-01", "2026-12-02"],
        currencies: ["MXN", "THB"],
        earlierBatchUids: [],
      },
    ]);
  });

  it("has nothing to say about good dates or spot trades", () => {
    expect(valueDateWarnings([group("2026-12-01", "USD", "ZAR", 9, [1]), group(null, "USD", "THB", 1, [2])], TODAY)).toEqual([]);
  });
});

describe("largeTradeWarnings", () => {
  it("warns per currency that has a threshold", () => {
    const warnings = largeTradeWarnings(
      [
        { currency: "JPY", trades: 1, largest: "200000000", rows: [7] },
        { currency: "THB", trades: 3, largest: "1.00", rows: [1] },
      ],
      DEFAULT_REVIEW_POLICY,
    );
    expect(warnings).toEqual([
      {
        code: "LARGE_TRADE",
        message: "1 trade of JPY 150000000 or more (the largest JPY 200000000) (row 7)",
        tradeCount: 1,
        rows: [7],
        valueDates: [],
        currencies: ["JPY"],
        earlierBatchUids: [],
      },
    ]);
  });
});

describe("duplicateWarning", () => {
  it("names the newest earlier batch and counts the others", () => {
    const earlier = [
      { batchUid: "B-20261126-0002", createdAt: new Date("2026-11-26T10:00:00Z") },
      { batchUid: "B-20261120-0001", createdAt: new Date("2026-11-20T10:00:00Z") },
    ];
    expect(duplicateWarning(earlier, 3, 12)).toEqual({
      code: "POSSIBLE_DUPLICATE",
      message:
        "the same trades were staged as batch B-20261126-0002 at 2026-11-26T10:00:00.000Z and 2 other batches: start only if they are meant to run again",
      tradeCount: 12,
      rows: [],
      valueDates: [],
      currencies: [],
      earlierBatchUids: ["B-20261126-0002", "B-20261120-0001"],
    });
    expect(duplicateWarning(earlier.slice(0, 1), 1, 1)?.message).toBe(
      "the same trades were staged as batch B-20261126-0002 at 2026-11-26T10:00:00.000Z: start only if they are meant to run again",
    );
    expect(duplicateWarning([], 0, 5)).toBeNull();
  });
});

describe("sortWarnings", () => {
  it("puts the most serious codes first, then earlier value dates", () => {
    const make = (code: PreviewWarning["code"], valueDate?: string): PreviewWarning => ({
      code,
      message: code,
      tradeCount: 1,
      rows: [],
      valueDates: valueDate ? [valueDate] : [],
      currencies: [],
      earlierBatchUids: [],
    });
    const sorted = sortWarnings([
      make("NO_HOLIDAY_CALENDAR"),
      make("NON_BUSINESS_DAY", "2026-12-25"),
      make("LARGE_TRADE"),
      make("NON_BUSINESS_DAY", "2026-11-28"),
      make("POSSIBLE_DUPLICATE"),
    ]);
    expect(sorted.map((warning) => `${warning.code} ${warning.valueDates.join("")}`.trim())).toEqual([
      "POSSIBLE_DUPLICATE",
      "NON_BUSINESS_DAY 2026-11-28",
      "NON_BUSINESS_DAY 2026-12-25",
      "LARGE_TRADE",
      "NO_HOLIDAY_CALENDAR",
    ]);
  });
});

describe("startConfirmationReason", () => {
  const policy: ReviewPolicy = {
    largeTradeAmounts: new Map(),
    confirmMinTrades: 100,
    confirmAmounts: new Map([
      ["USD", "5000000"],
      ["JPY", "500000000"],
    ]),
  };

  it("asks for confirmation by trade count or by one currency's total, never adding currencies together", () => {
    expect(startConfirmationReason(policy, 99, [{ currency: "USD", amount: "4999999.99" }])).toBeNull();
    expect(startConfirmationReason(policy, 100, [])).toBe("a large batch: 100 trades (100 or more)");
    expect(
      startConfirmationReason(policy, 2, [
        { currency: "USD", amount: "5000000.00" },
        { currency: "JPY", amount: "499999999" },
      ]),
    ).toBe("a large batch: USD 5000000.00 in all (USD 5000000 or more)");
    // 4,000,000 USD and 4,000,000 EUR would be over 5,000,000 if added: they are not
    expect(
      startConfirmationReason(policy, 2, [
        { currency: "USD", amount: "4000000" },
        { currency: "EUR", amount: "4000000" },
      ]),
    ).toBeNull();
  });

  it("never by count when confirmMinTrades is null", () => {
    expect(startConfirmationReason({ ...policy, confirmMinTrades: null }, 1_000_000, [])).toBeNull();
  });

  it("defaults to ten times the large-trade amount per currency", () => {
    expect(DEFAULT_REVIEW_POLICY.confirmAmounts.get("USD")).toBe("10000000");
    expect(DEFAULT_REVIEW_POLICY.confirmAmounts.get("JPY")).toBe("1500000000");
    expect(DEFAULT_REVIEW_POLICY.confirmMinTrades).toBe(1000);
  });
});
