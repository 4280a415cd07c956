import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findEarlierSameContent,
  previewCurrencyTotals,
  previewLargeTrades,
  previewPairTotals,
  previewValueDatePairs,
} from "../src/sql/batch-preview";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { openTestDatabase, type TestContext, tradeRows } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

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
    expect(await previewPairTotals(t.db.prisma, batch.id)).toEqual([
      { sellCurrency: "USD", buyCurrency: "EUR", direction: "BUY", amountCurrency: "EUR", amount: "99.9900", trades: 3 },
      // 1,000,000.0001 + … + 6,000,000.0001: no float would keep the last digit
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "BUY", amountCurrency: "USD", amount: "21000000.0006", trades: 6 },
      { sellCurrency: "ZAR", buyCurrency: "USD", direction: "SELL", amountCurrency: "ZAR", amount: "0.3000", trades: 3 },
    ]);
    expect(await previewCurrencyTotals(t.db.prisma, batch.id)).toEqual([
      { currency: "EUR", amount: "99.9900", trades: 3 },
      { currency: "USD", amount: "21000000.0006", trades: 6 },
      { currency: "ZAR", amount: "0.3000", trades: 3 },
    ]);
  });

  it("groups per distinct value date and pair, spot first, with the first rows of each", async () => {
    const batch = await mixedBatch();
    expect(await previewValueDatePairs(t.db.prisma, batch.id)).toEqual([
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
    const [group] = await previewValueDatePairs(t.db.prisma, batch.id);
    expect(group).toMatchObject({ trades: 40, rows: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
  });

  it("counts trades at or above each currency's threshold, only for currencies that have one", async () => {
    const batch = await mixedBatch();
    const large = await previewLargeTrades(
      t.db.prisma,
      batch.id,
      new Map([
        ["USD", "4000000.0001"],
        ["EUR", "1000"],
      ]),
    );
    expect(large).toEqual([{ currency: "USD", trades: 3, largest: "6000000.0001", rows: [4, 5, 6] }]);
    expect(await previewLargeTrades(t.db.prisma, batch.id, new Map())).toEqual([]);
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
