import { markTradesQuoted, recordTradeOutcomes } from "@fxbt/db";
import { describe, expect, it, vi } from "vitest";
import { accounts, expectCountersMatchTrades, finished, openTestEnv, queue, seedBatch } from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

// The result writer's two statements, counted: each call is one statement (and, for outcomes, one transaction).
vi.mock("@fxbt/db", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@fxbt/db")>();
  return { ...actual, markTradesQuoted: vi.fn(actual.markTradesQuoted), recordTradeOutcomes: vi.fn(actual.recordTradeOutcomes) };
});

describe("the runner's group commit", () => {
  it("writes the quotes and results of trades finishing within one window with far fewer statements than trades", async () => {
    const env = await openTestEnv();
    const trades = 60;
    const gateway = new ScriptedGateway({ delayMs: () => Math.floor(Math.random() * 5) })
      .script("ACC-0010", { quote: ["QUOTE_REJECTED"] })
      .script("ACC-0020", { book: ["BOOKING_REJECTED"] });
    const batch = await seedBatch(env.database, accounts(trades));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { concurrency: trades, claimSize: trades, writeWindowMs: 25 });
    vi.mocked(markTradesQuoted).mockClear();
    vi.mocked(recordTradeOutcomes).mockClear();

    runner.start();
    await runner.wake();
    expect(await finished(env.database, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 58, failedTrades: 2 });
    await runner.stop();

    const quoteWrites = vi.mocked(markTradesQuoted).mock.calls.map(([, quoted]) => quoted.length);
    const outcomeWrites = vi.mocked(recordTradeOutcomes).mock.calls.map(([, outcomes]) => outcomes.length);
    // Every trade's quote and result was written exactly once…
    expect(quoteWrites.reduce((sum, n) => sum + n, 0)).toBe(trades - 1);
    expect(outcomeWrites.reduce((sum, n) => sum + n, 0)).toBe(trades);
    // …by a handful of statements, not one per trade.
    expect(quoteWrites.length).toBeLessThanOrEqual(5);
    expect(outcomeWrites.length).toBeLessThanOrEqual(5);
    expect(Math.max(...outcomeWrites)).toBeGreaterThan(10);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 58, FAILED: 2 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
