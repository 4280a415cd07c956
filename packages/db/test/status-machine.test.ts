import { TRADE_MOVES } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { cancelAsTheApi, expectCountersMatchTrades, openTestDatabase, runningBatch, type TestContext, tradesOf } from "./helpers";

/**
 * The status machine is the guard: with the domain's cancel move changed to start from PENDING
 * only, cancelBatchTrades no longer cancels EXECUTING trades — no SQL of packages/db repeats the
 * rule. (batch-lifecycle.test.ts shows the real rule: EXECUTING trades are cancelled.)
 *
 * The mock reaches packages/db's own modules: they import "@fxbt/domain", which resolves (through
 * the workspace's node_modules symlink) to packages/domain/src/index.ts, outside any node_modules,
 * so Vitest transforms it like the test's own files and one mocked module serves every importer.
 */
vi.mock("@fxbt/domain", async (importOriginal) => {
  const real = await importOriginal<typeof import("@fxbt/domain")>();
  return { ...real, TRADE_MOVES: { ...real.TRADE_MOVES, cancel: { from: ["PENDING"], to: "CANCELLED" } } };
});

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

describe("with TRADE_MOVES.cancel starting from PENDING only", () => {
  it("the test sees the changed rule", () => {
    expect(TRADE_MOVES.cancel.from).toEqual(["PENDING"]);
  });

  it("cancelBatchTrades cancels the PENDING trades and leaves the EXECUTING ones EXECUTING", async () => {
    const { batch } = await runningBatch(t.db, 4);
    const claims = await claimPendingTrades(t.db.prisma, batch.id, 2);
    expect(claims).toHaveLength(2);

    const result = await cancelAsTheApi(t.db, batch.id);

    expect(result!.trades.map((c) => [c.trade.rowNumber, c.previousStatus, c.trade.status]).sort()).toEqual([
      [3, "PENDING", "CANCELLED"],
      [4, "PENDING", "CANCELLED"],
    ]);
    expect((await tradesOf(t.db, batch.id)).map((trade) => [trade.rowNumber, trade.status])).toEqual([
      [1, "EXECUTING"],
      [2, "EXECUTING"],
      [3, "CANCELLED"],
      [4, "CANCELLED"],
    ]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 2 });
  });
});
