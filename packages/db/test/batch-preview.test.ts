import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findEarlierSameContent, readBatchPreviewAggregates } from "../src/sql/batch-preview";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { openTestDatabase, type TestContext, tradeRows } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const aggregates = (batchId: string, largeTradeAmounts: ReadonlyMap<string, string> = new Map()) =>
  readBatchPreviewAggregates(t.db.prisma, batchId, largeTradeAmounts);

/** 12 trades: rows 1–6 ZAR/USD BUY on 2027-03-01, 7–9 ZAR/USD SELL on 2027-03-06, 10–12 USD/EUR BUY spot. */
function mixedBatch() {
  const rows = tradeRows(12, (row) => {
    if (row <= 6) return { amount: `${row}000000.0001`, valueDate: "2027-03-01" };
    if (row <= 9) return { direction: "SELL", amount: "0.10", valueDate: "2027-03-06" };
    return { sellCurrency: "USD", buyCurrency: "EUR", amount: "33.33", valueDate: null };
  });
  return insertStagedBatch(t.db.prisma, { name: null, priority: 0, rows });
}

describe("batch preview aggregates", () => {
  it("sums exactly per pair and direction, in the currency the direction fixes", async () => {
    const batch = await mixedBatch();
    expect((await aggregates(batch.id)).pairs).toEqual([
      { sellCurrency: "USD", buyCurrency: "EUR", direction: "BUY", amountCurrency: "EUR", amount: "99.9900", trades: 3 },
      // 1,000,000.0001 + … + 6,000,000.0001: no float would keep the last digit
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "BUY", amountCurrency: "USD", amount: "21000000.0006", trades: 6 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "SELL", amountCurrency: "ZAR", amount: "0.3000", trades: 3 },
    ]);
    expect((await aggregates(batch.id)).currencies).toEqual([
      { currency: "EUR", amount: "99.9900", trades: 3 },
      { currency: "USD", amount: "21000000.0006", trades: 6 },
      { currency: "ZAR", amount: "0.3000", trades: 3 },
    ]);
  });

  it("groups per distinct value date and pair, spot first, with the first rows of each", async () => {
    const batch = await mixedBatch();
    expect((await aggregates(batch.id)).valueDatePairs).toEqual([
      { valueDate: null, sellCurrency: "USD", buyCurrency: "EUR", trades: 3, rows: [10, 11, 12] },
      { valueDate: "2027-03-01", sellCurrency: "ZAR", buyCurrency: "USD", trades: 6, rows: [1, 2, 3, 4, 5, 6] },
      { valueDate: "2027-03-06", sellCurrency: "ZAR", buyCurrency: "USD", trades: 3, rows: [7, 8, 9] },
    ]);
  });

  it("lists at most ten rows of a group while counting all of it", async () => {
    const batch = await insertStagedBatch(t.db.prisma, {
      name: null,
      priority: 0,
      rows: tradeRows(40, () => ({ valueDate: "2027-03-06" })),
    });
    const [group] = (await aggregates(batch.id)).valueDatePairs;
    expect(group).toMatchObject({ trades: 40, rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
  });

  it("counts trades at or above each currency's threshold, only for currencies that have one", async () => {
    const batch = await mixedBatch();
    const { largeTrades } = await aggregates(
      batch.id,
      new Map([
        ["USD", "4000000.0001"],
        ["EUR", "1000"],
      ]),
    );
    expect(largeTrades).toEqual([{ currency: "USD", trades: 3, largest: "6000000.0001", rows: [4, 5, 6] }]);
    expect((await aggregates(batch.id, new Map())).largeTrades).toEqual([]);
  });

  it("groups value dates across directions, leaves trades entered by hand out of the row lists, and counts large trades per amount currency", async () => {
    // rows 1–3 ZAR/USD SELL and 4–15 BUY on one date (one group), 16–17 USD/EUR SELL (USD amounts),
    // 18 EUR/GBP just under GBP's threshold, 19–20 EUR/GBP spot exactly at it; 4, 19 and 20 entered by hand (no CSV row)
    const rows = tradeRows(20, (row) => {
      if (row <= 3) return { direction: "SELL", amount: "50", valueDate: "2027-03-01" };
      if (row <= 15) return { amount: "2000000", valueDate: "2027-03-01" };
      if (row <= 17) return { sellCurrency: "USD", buyCurrency: "EUR", direction: "SELL", amount: "5000000", valueDate: "2027-03-01" };
      return {
        sellCurrency: "EUR",
        buyCurrency: "GBP",
        amount: row === 18 ? "999.99" : "1000",
        valueDate: row === 18 ? "2027-03-01" : null,
      };
    });
    const batch = await insertStagedBatch(t.db.prisma, { name: null, priority: 0, rows });
    await t.db.prisma.$executeRaw`UPDATE trade SET entered_singly = true WHERE batch_id = ${batch.id}::uuid AND row_number IN (4, 19, 20)`;
    const thresholds = new Map([
      ["ZAR", "10"],
      ["USD", "2000000"],
      ["GBP", "1000"],
      ["JPY", "1"],
    ]);
    expect((await aggregates(batch.id)).pairs).toEqual([
      { sellCurrency: "EUR", buyCurrency: "GBP", direction: "BUY", amountCurrency: "GBP", amount: "2999.9900", trades: 3 },
      { sellCurrency: "USD", buyCurrency: "EUR", direction: "SELL", amountCurrency: "USD", amount: "10000000.0000", trades: 2 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "BUY", amountCurrency: "USD", amount: "24000000.0000", trades: 12 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "SELL", amountCurrency: "ZAR", amount: "150.0000", trades: 3 },
    ]);
    expect((await aggregates(batch.id)).currencies).toEqual([
      { currency: "GBP", amount: "2999.9900", trades: 3 },
      { currency: "USD", amount: "34000000.0000", trades: 14 },
      { currency: "ZAR", amount: "150.0000", trades: 3 },
    ]);
    expect((await aggregates(batch.id)).valueDatePairs).toEqual([
      { valueDate: null, sellCurrency: "EUR", buyCurrency: "GBP", trades: 2, rows: [] },
      { valueDate: "2027-03-01", sellCurrency: "EUR", buyCurrency: "GBP", trades: 1, rows: [18] },
      { valueDate: "2027-03-01", sellCurrency: "USD", buyCurrency: "EUR", trades: 2, rows: [16, 17] },
      { valueDate: "2027-03-01", sellCurrency: "ZAR", buyCurrency: "USD", trades: 15, rows: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11] },
    ]);
    expect((await aggregates(batch.id)).valueDates).toEqual([
      { valueDate: null, trades: 2, firstRow: null },
      { valueDate: "2027-03-01", trades: 18, firstRow: 1 },
    ]);
    expect((await aggregates(batch.id, thresholds)).largeTrades).toEqual([
      { currency: "GBP", trades: 2, largest: "1000.0000", rows: [] },
      { currency: "USD", trades: 14, largest: "5000000.0000", rows: [5, 6, 7, 8, 9, 10, 11, 12, 13, 14] },
      { currency: "ZAR", trades: 3, largest: "50.0000", rows: [1, 2, 3] },
    ]);
  });

  it("answers empty lists for a batch without trades", async () => {
    expect(await aggregates(randomUUID(), new Map([["USD", "1"]]))).toEqual({
      pairs: [],
      currencies: [],
      valueDates: [],
      valueDatePairs: [],
      largeTrades: [],
    });
  });

  it("finds earlier batches of the same partner with the same content, newest first", async () => {
    const contentHash = randomUUID().replaceAll("-", "").padEnd(64, "0");
    // staged one after another: each created_at is its own transaction's now()
    const stage = (partner: string | null) =>
      insertStagedBatch(t.db.prisma, { name: null, priority: 0, rows: tradeRows(1), contentHash, partner });
    const oldest = await stage("acme");
    const middle = await stage("acme");
    const otherPartner = await stage("globex");
    const latest = await stage("acme");
    const later = await stage("acme");
    const found = await findEarlierSameContent(t.db.prisma, latest.id, 5);
    expect(found.count).toBe(2);
    expect(found.batches.map((batch) => batch.batchUid)).toEqual([middle.batchUid, oldest.batchUid]);
    expect(found.batches.map((batch) => batch.batchUid)).not.toContain(later.batchUid);
    expect(await findEarlierSameContent(t.db.prisma, otherPartner.id, 5)).toEqual({ batches: [], count: 0 });
    expect((await findEarlierSameContent(t.db.prisma, later.id, 1)).count).toBe(3);
    expect(await findEarlierSameContent(t.db.prisma, randomUUID(), 5)).toEqual({ batches: [], count: 0 });
  });
});
