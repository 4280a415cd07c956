import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALWAYS_ANALYZE_STAGED_ROWS, ANALYZE_AFTER_STAGED_ROWS, analyzeTradesAfterStaging } from "../src/sql/cached-plans";
import { openTestDatabase, stageBatch, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** What the planner believes trade holds (pg_class.reltuples: -1 before its first ANALYZE or VACUUM, 0 in a fresh copy of the template). */
async function plannedRows(): Promise<number> {
  const [table] = await t.db.prisma.$queryRaw<
    { rows: number }[]
  >`SELECT reltuples::float8 AS rows FROM pg_class WHERE oid = 'trade'::regclass`;
  return table!.rows;
}

// This machine's PostgreSQL runs without autovacuum, so only the function under test analyzes trade here.
describe("analyzeTradesAfterStaging", () => {
  it("analyzes trade after a staging of a tenth of it or more, and not after a smaller one under ALWAYS_ANALYZE_STAGED_ROWS", async () => {
    const before = await plannedRows();
    expect(before).toBeLessThanOrEqual(0);
    const first = await stageBatch(t.db, ANALYZE_AFTER_STAGED_ROWS - 1);
    expect(await analyzeTradesAfterStaging(t.db.prisma, first.totalTrades)).toBe(false);
    expect(await plannedRows()).toBe(before);

    // Empty, or never analyzed, as far as the statistics know: a staging of the threshold's size is enough.
    const second = await stageBatch(t.db, ANALYZE_AFTER_STAGED_ROWS);
    expect(await analyzeTradesAfterStaging(t.db.prisma, second.totalTrades)).toBe(true);
    expect(await plannedRows()).toBe(2 * ANALYZE_AFTER_STAGED_ROWS - 1);

    const big = await stageBatch(t.db, 20_000);
    expect(await analyzeTradesAfterStaging(t.db.prisma, big.totalTrades)).toBe(true);
    expect(await plannedRows()).toBe(22_000 - 1);

    // 1,500 rows are under a tenth of the 21,999 the statistics hold; 2,200 are not.
    const small = await stageBatch(t.db, 1_500);
    expect(await analyzeTradesAfterStaging(t.db.prisma, small.totalTrades)).toBe(false);
    expect(await plannedRows()).toBe(22_000 - 1);
    const tenth = await stageBatch(t.db, 2_200);
    expect(await analyzeTradesAfterStaging(t.db.prisma, tenth.totalTrades)).toBe(true);
    expect(await plannedRows()).toBe(22_000 - 1 + 1_500 + 2_200);
  });

  it("analyzes trade after a staging of ALWAYS_ANALYZE_STAGED_ROWS, however large the statistics think trade is", async () => {
    // The statistics of a table of 10,000,000 trades (pg_class is what the planner reads; superuser only).
    const believed = 10_000_000;
    await t.db.prisma.$executeRawUnsafe(`UPDATE pg_class SET reltuples = ${believed} WHERE oid = 'trade'::regclass`);
    const under = await stageBatch(t.db, ALWAYS_ANALYZE_STAGED_ROWS - 1);
    expect(await analyzeTradesAfterStaging(t.db.prisma, under.totalTrades)).toBe(false);
    expect(await plannedRows()).toBe(believed);
    const large = await stageBatch(t.db, ALWAYS_ANALYZE_STAGED_ROWS);
    expect(await analyzeTradesAfterStaging(t.db.prisma, large.totalTrades)).toBe(true);
    expect(await plannedRows()).toBeLessThan(believed);
  });
});
