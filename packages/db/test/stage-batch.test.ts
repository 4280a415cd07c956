import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertStagedBatch, STAGE_INSERT_CHUNK_ROWS, stageBatchOnce } from "../src/sql/stage-batch";
import { openTestDatabase, type TestContext, tradeRows, tradesOf } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

describe("staging a batch larger than one insert chunk", () => {
  it("stores every row once, in row order, with its own values", async () => {
    const count = 2 * STAGE_INSERT_CHUNK_ROWS + 3;
    const rows = tradeRows(count, (i) => ({
      clientName: i % 2 === 0 ? null : `Client ${i}`,
      valueDate: i === count ? "2099-01-02" : null,
    }));
    const batch = await insertStagedBatch(t.db.prisma, { name: "chunks", priority: 0, rows });

    const stored = await tradesOf(t.db, batch.id);
    expect(batch.totalTrades).toBe(count);
    expect(stored.map((trade) => trade.rowNumber)).toEqual(rows.map((row) => row.rowNumber));
    for (const index of [0, STAGE_INSERT_CHUNK_ROWS - 1, STAGE_INSERT_CHUNK_ROWS, 2 * STAGE_INSERT_CHUNK_ROWS, count - 1]) {
      const row = rows[index]!;
      const trade = stored[index]!;
      expect({
        clientId: trade.clientId,
        clientName: trade.clientName,
        reference: trade.reference,
        amount: trade.amount.toFixed(2),
        valueDate: trade.valueDate?.toISOString().slice(0, 10) ?? null,
      }).toEqual({
        clientId: row.clientId,
        clientName: row.clientName,
        reference: row.reference,
        amount: row.amount,
        valueDate: row.valueDate,
      });
    }
    expect(new Set(stored.map((trade) => trade.id)).size).toBe(count);
  });

  it("saves nothing when a row of a later chunk fails: batch and chunks share one transaction", async () => {
    const count = STAGE_INSERT_CHUNK_ROWS + 1;
    const rows = tradeRows(count, (i) => (i === count ? { amount: "not a number" } : {}));
    const [batchesBefore, tradesBefore] = await Promise.all([t.db.prisma.batch.count(), t.db.prisma.trade.count()]);

    await expect(
      stageBatchOnce(t.db.prisma, { name: "fails in the second chunk", priority: 0, rows, contentHash: "chunk-failure" }),
    ).rejects.toThrow();

    expect(await t.db.prisma.batch.count()).toBe(batchesBefore);
    expect(await t.db.prisma.trade.count()).toBe(tradesBefore);
  });
});
