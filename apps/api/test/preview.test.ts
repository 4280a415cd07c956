import { randomUUID } from "node:crypto";
import {
  farValueDateLimit,
  nextCalendarDay,
  nextGoodValueDate,
  nonBusinessReason,
  type PreviewWarning,
  TRADE_CSV_COLUMNS,
} from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import { configFromEnv } from "../src/config";
import { stage, startTestApp, type TestApp, testDatabase, useTestApp } from "./harness";

const PREVIEW = `query($id: ID!) { batch(id: $id) { id batchUid preview {
  totals { sellCurrency buyCurrency direction amountCurrency amount tradeCount }
  currencyTotals { currency amount tradeCount }
  valueDates { valueDate tradeCount firstRow }
  warnings { code message tradeCount rows valueDates currencies earlierBatchUids }
  confirmationRequired confirmationReason
} } }`;

interface Preview {
  totals: { sellCurrency: string; buyCurrency: string; direction: string; amountCurrency: string; amount: string; tradeCount: number }[];
  currencyTotals: { currency: string; amount: string; tradeCount: number }[];
  valueDates: { valueDate: string | null; tradeCount: number; firstRow: number | null }[];
  warnings: PreviewWarning[];
  confirmationRequired: boolean;
  confirmationReason: string | null;
}

const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const utcDate = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

/** The first date from `from` on that the test function accepts. */
function firstDate(from: string, accept: (date: string) => boolean): string {
  let date = from;
  while (!accept(date)) date = nextCalendarDay(date);
  return date;
}

const isWeekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
/** Dates relative to today, so the test holds on any day: each kind of value date the preview tells apart. */
const GOOD = nextGoodValueDate(utcDate(3), ["ZAR", "USD", "EUR"], today());
const SATURDAY = firstDate(utcDate(3), (date) => new Date(`${date}T00:00:00Z`).getUTCDay() === 6);
const ZAR_HOLIDAY = firstDate(utcDate(3), (date) => !isWeekend(date) && nonBusinessReason(date, "ZAR") !== null);
const FAR = nextGoodValueDate(utcDate(380), ["ZAR", "USD"], today());

const line = (cells: string[]) => cells.join(",");
function csvOf(rows: string[][]): string {
  return [TRADE_CSV_COLUMNS.join(","), ...rows.map(line)].join("\n");
}

/** Eight trades: ZAR/USD both ways, a large EUR trade, a THB trade, a spot trade; references unique to each call. */
const mixedCsv = (tag = randomUUID()) =>
  csvOf([
    ["C-1", "Client 1", "1234567890", "ZAR", "USD", "BUY", "100.25", GOOD, `R-1-${tag}`],
    ["C-2", "Client 2", "1234567890", "ZAR", "USD", "BUY", "200.50", GOOD, `R-2-${tag}`],
    ["C-3", "Client 3", "1234567890", "ZAR", "USD", "SELL", "1000", SATURDAY, `R-3-${tag}`],
    ["C-4", "Client 4", "1234567890", "USD", "EUR", "BUY", "2000000.00", GOOD, `R-4-${tag}`],
    ["C-5", "Client 5", "1234567890", "ZAR", "USD", "BUY", "300", ZAR_HOLIDAY, `R-5-${tag}`],
    ["C-6", "Client 6", "1234567890", "ZAR", "USD", "BUY", "400.00", FAR, `R-6-${tag}`],
    ["C-7", "Client 7", "1234567890", "USD", "THB", "SELL", "10", GOOD, `R-7-${tag}`],
    ["C-8", "Client 8", "1234567890", "ZAR", "USD", "BUY", "1.00", "", `R-8-${tag}`],
  ]);

const { app } = useTestApp();

async function previewOf(as: TestApp, id: string): Promise<Preview | null> {
  return (await as.query<{ batch: { preview: Preview } | null }>(PREVIEW, { id })).batch?.preview ?? null;
}

describe("Batch.preview", () => {
  it("totals per pair and direction and per currency, exact, and trades per value date", async () => {
    const batch = await stage(app, mixedCsv());
    const preview = (await previewOf(app, batch.id))!;
    expect(preview.totals).toEqual([
      { sellCurrency: "USD", buyCurrency: "EUR", direction: "BUY", amountCurrency: "EUR", amount: "2000000.00", tradeCount: 1 },
      { sellCurrency: "USD", buyCurrency: "THB", direction: "SELL", amountCurrency: "USD", amount: "10.00", tradeCount: 1 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "BUY", amountCurrency: "USD", amount: "1001.75", tradeCount: 5 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "SELL", amountCurrency: "ZAR", amount: "1000.00", tradeCount: 1 },
    ]);
    expect(preview.currencyTotals).toEqual([
      { currency: "EUR", amount: "2000000.00", tradeCount: 1 },
      { currency: "USD", amount: "1011.75", tradeCount: 6 },
      { currency: "ZAR", amount: "1000.00", tradeCount: 1 },
    ]);
    const expectedDates = [
      { valueDate: GOOD, tradeCount: 4, firstRow: 1 },
      { valueDate: SATURDAY, tradeCount: 1, firstRow: 3 },
      { valueDate: ZAR_HOLIDAY, tradeCount: 1, firstRow: 5 },
      { valueDate: FAR, tradeCount: 1, firstRow: 6 },
    ].sort((a, b) => a.valueDate.localeCompare(b.valueDate));
    expect(preview.valueDates).toEqual([{ valueDate: null, tradeCount: 1, firstRow: 8 }, ...expectedDates]);
    // 2,000,000 EUR is below the default of 10,000,000 per currency, and 8 trades below 1,000
    expect(preview.confirmationRequired).toBe(false);
    expect(preview.confirmationReason).toBeNull();
  });

  it("warns of weekends, holidays, large trades, far value dates and currencies without a calendar, naming rows and dates", async () => {
    const batch = await stage(app, mixedCsv());
    const { warnings } = (await previewOf(app, batch.id))!;
    expect(warnings.map((warning) => warning.code)).toEqual([
      "NON_BUSINESS_DAY",
      "NON_BUSINESS_DAY",
      "LARGE_TRADE",
      "FAR_VALUE_DATE",
      "NO_HOLIDAY_CALENDAR",
    ]);
    const byDate = (date: string) => warnings.find((warning) => warning.code === "NON_BUSINESS_DAY" && warning.valueDates[0] === date);
    expect(byDate(SATURDAY)).toEqual({
      code: "NON_BUSINESS_DAY",
      message: `value date ${SATURDAY} is not a business day for ZAR/USD (Saturday): 1 trade (row 3)`,
      tradeCount: 1,
      rows: [3],
      valueDates: [SATURDAY],
      currencies: ["ZAR", "USD"],
      earlierBatchUids: [],
    });
    const holiday = byDate(ZAR_HOLIDAY)!;
    expect(holiday.message).toContain(`${nonBusinessReason(ZAR_HOLIDAY, "ZAR")}`);
    expect(holiday.message).toContain("(ZA)");
    expect(holiday.rows).toEqual([5]);
    expect(warnings.find((warning) => warning.code === "LARGE_TRADE")).toMatchObject({
      message: "1 trade of EUR 1000000 or more (the largest EUR 2000000.00) (row 4)",
      tradeCount: 1,
      rows: [4],
      currencies: ["EUR"],
    });
    expect(warnings.find((warning) => warning.code === "FAR_VALUE_DATE")).toMatchObject({
      message: `1 trade has a value date more than a year out (after ${farValueDateLimit(today())}): ${FAR} (row 6)`,
      tradeCount: 1,
      rows: [6],
      valueDates: [FAR],
    });
    expect(warnings.find((warning) => warning.code === "NO_HOLIDAY_CALENDAR")).toMatchObject({
      tradeCount: 1,
      rows: [7],
      currencies: ["THB"],
    });
  });

  it("counts every trade a warning concerns, listing the first ten rows", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => [`C-${i}`, "", "1234567890", "GBP", "USD", "SELL", "5", SATURDAY, `S-${i}`]);
    const batch = await stage(app, csvOf(rows));
    const { warnings } = (await previewOf(app, batch.id))!;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: "NON_BUSINESS_DAY", tradeCount: 25, rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    expect(warnings[0]!.message).toBe(
      `value date ${SATURDAY} is not a business day for GBP/USD (Saturday): 25 trades (rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, …)`,
    );
  });

  it("asks for typed confirmation when one currency's amounts reach the default threshold", async () => {
    const rows = [
      ["C-1", "", "1234567890", "USD", "ZAR", "SELL", "6000000", GOOD, "L-1"],
      ["C-2", "", "1234567890", "USD", "ZAR", "SELL", "4000000.00", GOOD, "L-2"],
    ];
    const batch = await stage(app, csvOf(rows));
    const preview = (await previewOf(app, batch.id))!;
    expect(preview.confirmationRequired).toBe(true);
    expect(preview.confirmationReason).toBe("a large batch: USD 10000000.00 in all (USD 10000000 or more)");
    expect(preview.warnings.find((warning) => warning.code === "LARGE_TRADE")).toMatchObject({ tradeCount: 2, rows: [1, 2] });
  });

  it("warns that an earlier batch holds the same trades, and not the earlier batch itself", async () => {
    const csv = csvOf([["D-1", "", "1234567890", "ZAR", "USD", "BUY", "7.77", GOOD, `DUP-${randomUUID()}`]]);
    const first = await stage(app, csv);
    const second = await stage(app, csv);
    const third = await stage(app, csv);
    const uidOf = async (id: string) => (await app.query<{ batch: { batchUid: string } }>(PREVIEW, { id })).batch.batchUid;
    expect((await previewOf(app, first.id))!.warnings).toEqual([]);
    const duplicate = (await previewOf(app, third.id))!.warnings[0]!;
    expect(duplicate.code).toBe("POSSIBLE_DUPLICATE");
    expect(duplicate.earlierBatchUids).toEqual([await uidOf(second.id), await uidOf(first.id)]);
    expect(duplicate.message).toMatch(
      new RegExp(
        `^the same trades were staged as batch ${await uidOf(second.id)} at \\S+Z and 1 other batch: start only if they are meant to run again$`,
      ),
    );
  });

  it("answers null for an unknown batch id, a batchUid never issued, or a malformed id", async () => {
    for (const id of [randomUUID(), "B-20000101-0001", "not-an-id"]) expect(await previewOf(app, id), id).toBeNull();
  });
});

describe("Batch.preview and partners", () => {
  it("a partner previews its own batches only, and never learns of another partner's duplicate", async () => {
    const acme = app.as(await app.createKey("TRADER", "acme"));
    const globex = app.as(await app.createKey("TRADER", "globex"));
    const csv = csvOf([["P-1", "", "1234567890", "ZAR", "USD", "BUY", "9.99", GOOD, `PARTNER-${randomUUID()}`]]);
    const acmeBatch = await stage(acme, csv);
    const globexBatch = await stage(globex, csv);
    expect(await previewOf(globex, acmeBatch.id)).toBeNull();
    expect((await previewOf(acme, acmeBatch.id))!.totals).toHaveLength(1);
    // the same trades, staged by another partner first: not a duplicate for globex
    expect((await previewOf(globex, globexBatch.id))!.warnings).toEqual([]);
    // staff see both, and the second partner's batch is still not a duplicate of the first's
    expect((await previewOf(app, globexBatch.id))!.warnings).toEqual([]);
  });
});

describe("review thresholds from the environment", () => {
  it("LARGE_TRADE_AMOUNTS and START_CONFIRM_* replace the defaults of the currencies they list", () => {
    const { review } = configFromEnv({
      LARGE_TRADE_AMOUNTS: "usd=250000, ZAR=5000000.50",
      START_CONFIRM_AMOUNTS: "USD=2000000",
      START_CONFIRM_MIN_TRADES: "500",
    });
    expect(review.largeTradeAmounts.get("USD")).toBe("250000");
    expect(review.largeTradeAmounts.get("ZAR")).toBe("5000000.50");
    expect(review.largeTradeAmounts.get("EUR")).toBe("1000000");
    expect(review.confirmAmounts.get("USD")).toBe("2000000");
    expect(review.confirmAmounts.get("EUR")).toBe("10000000");
    expect(review.confirmMinTrades).toBe(500);
  });

  it("refuses a malformed list, naming the variable and quoting the value", () => {
    for (const value of ["USD", "USD=abc", "XYZ=100", "USD=0", "USD=1,USD=2"]) {
      expect(() => configFromEnv({ LARGE_TRADE_AMOUNTS: value }), value).toThrow(
        /LARGE_TRADE_AMOUNTS must be comma-separated CURRENCY=amount pairs/,
      );
    }
    expect(() => configFromEnv({ START_CONFIRM_MIN_TRADES: "0" })).toThrow(/START_CONFIRM_MIN_TRADES must be a whole number of at least 1/);
  });

  it("an app started with them applies them to the preview", async () => {
    const other = await testDatabase();
    const configured = await startTestApp(other.url, { LARGE_TRADE_AMOUNTS: "USD=100", START_CONFIRM_MIN_TRADES: "3" });
    try {
      const rows = [1, 2, 3].map((i) => [`C-${i}`, "", "1234567890", "ZAR", "USD", "BUY", `${i * 60}`, GOOD, `E-${i}`]);
      const preview = (await previewOf(configured, (await stage(configured, csvOf(rows))).id))!;
      expect(preview.warnings.find((warning) => warning.code === "LARGE_TRADE")).toMatchObject({ tradeCount: 2, rows: [2, 3] });
      expect(preview.confirmationReason).toBe("a large batch: 3 trades (3 or more)");
    } finally {
      await configured.close();
      await other.drop();
    }
  });
});
