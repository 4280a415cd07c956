import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase } from "../src/client";
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

describe("staging on a connection that staged small batches before", () => {
  // A foreign key is checked row by row with a plan the connection keeps: one made while the
  // referenced table was a page or two is a sequential scan, made again only when that table is
  // next analyzed (never, on a server without autovacuum, as CI's). A check against `trade` for
  // each staged row (trade_search's key was one) read the staging's own rows once per row: 100,000
  // rows took over 120 s where they take 10. trade.batch_id's check against `batch` read all of
  // batch once per row (20,000 rows against 10,000 batches: 56 s against 5); staging drops the
  // connection's plans first (discardCachedPlans).
  it("reads no trade or batch row per staged row, whatever plans the connection holds", async () => {
    const own = await openTestDatabase();
    const one = connectDatabase({ url: own.database.url, maxConnections: 1 });
    try {
      const stageSmall = () => insertStagedBatch(one.prisma, { name: "small", priority: 0, rows: tradeRows(2) });
      // More than five runs of each check make the connection keep a generic plan; after the
      // analyze, `trade` and `batch` are one page each and the plans kept are sequential scans.
      for (let i = 0; i < 8; i++) await stageSmall();
      await own.db.prisma.$executeRaw`VACUUM ANALYZE trade, batch`;
      for (let i = 0; i < 8; i++) await stageSmall();
      // Committed batches, as other stagings add them: enough pages that a plan made now reads
      // batch by its key, too few rows for anything to analyze it.
      await own.db.prisma.$executeRaw`
        INSERT INTO batch (id, batch_uid, total_trades, updated_at)
        SELECT gen_random_uuid(), 'B-GROWN-' || n, 0, now() FROM generate_series(1, 2000) AS n`;

      // The connection's counts of the small stagings' scans are reported, not left in the ones
      // pg_stat_xact_user_tables shows the large staging.
      await one.prisma.$executeRaw`SELECT pg_stat_force_next_flush()`;

      const count = 2 * STAGE_INSERT_CHUNK_ROWS;
      let scans: { trade: number; batch: number } | undefined;
      await stageBatchOnce(one.prisma, {
        name: "large",
        priority: 0,
        rows: tradeRows(count),
        onStaged: async (tx) => {
          [scans] = await tx.$queryRaw<{ trade: number; batch: number }[]>`
            SELECT coalesce(sum(seq_scan) FILTER (WHERE relname = 'trade'), 0)::int AS trade,
                   coalesce(sum(seq_scan) FILTER (WHERE relname = 'batch'), 0)::int AS batch
            FROM pg_stat_xact_user_tables`;
        },
      });
      expect(scans!.trade).toBeLessThan(10);
      expect(scans!.batch).toBeLessThan(10);
    } finally {
      await one.close();
      await own.close();
    }
  });
});
