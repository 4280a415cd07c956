import { isDatabaseUnavailable, markTradesQuoted, recordTradeOutcomes } from "@fxbt/db";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runClaimedTrade } from "../src/trade-flow";
import {
  attemptsOf,
  batchById,
  capturingLogger,
  claimedTrades,
  ERROR,
  eventually,
  expectCountersMatchTrades,
  expireLeases,
  finished,
  openTestEnv,
  queue,
  seedBatch,
  tradeById,
  tradesOf,
  WARN,
} from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

// The result writer's statements, so a test can make the database fail them.
vi.mock("@fxbt/db", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@fxbt/db")>();
  return { ...actual, markTradesQuoted: vi.fn(actual.markTradesQuoted), recordTradeOutcomes: vi.fn(actual.recordTradeOutcomes) };
});

afterEach(() => {
  // Back to the real statements (mockReset restores the implementation vi.fn was given).
  vi.mocked(markTradesQuoted).mockReset();
  vi.mocked(recordTradeOutcomes).mockReset();
});

/** What Prisma throws when PostgreSQL is shut down under a connection (admin_shutdown). */
function connectionTerminated(): Error {
  const error = new Error(
    "Invalid `prisma.$executeRaw()` invocation:\n\nRaw query failed. Code: `57P01`. Message: `terminating connection due to administrator command`",
  );
  error.name = "PrismaClientKnownRequestError";
  return Object.assign(error, { code: "P2010" });
}

describe("a database failure while saving a trade's result", () => {
  it("mimics a dropped connection, as the product recognises one", () => {
    expect(isDatabaseUnavailable(connectionTerminated())).toBe(true);
  });

  it("saving the deal fails once: the write is tried again and the trade ends SUCCESS, booked once", async () => {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = new ScriptedGateway();
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const key = claimed.idempotencyKey!;
    vi.mocked(recordTradeOutcomes).mockClear().mockRejectedValueOnce(connectionTerminated());

    await runClaimedTrade(claimed, env.flow(gateway, { log, writeAttempts: 3 }));

    const writes = vi
      .mocked(recordTradeOutcomes)
      .mock.calls.map(([, outcomes]) =>
        outcomes.map(({ id, idempotencyKey, move, transactionId }) => [id, idempotencyKey, move, transactionId]),
      );
    expect(writes).toEqual([[[claimed.id, key, "book", `T-${key}`]], [[claimed.id, key, "book", `T-${key}`]]]);
    expect(gateway.calls.map(({ kind }) => kind)).toEqual(["quote", "book"]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      transactionId: `T-${key}`,
      errorCode: null,
      errorMessage: null,
      lockedAt: null,
    });
    expect(lines.filter(({ msg }) => msg === "writing a trade's result failed; trying again")).toMatchObject([
      { level: WARN, attempt: 1, err: { message: expect.stringContaining("57P01") } },
    ]);
    expect(lines.filter(({ level }) => (level as number) >= ERROR)).toEqual([]);
    expect(JSON.stringify(env.events)).not.toContain("57P01");
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("saving the quote fails once: the write is tried again and the booking is sent once, after it", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway();
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    vi.mocked(markTradesQuoted).mockClear().mockRejectedValueOnce(connectionTerminated());

    await runClaimedTrade(claimed, env.flow(gateway, { writeAttempts: 3 }));

    expect(vi.mocked(markTradesQuoted)).toHaveBeenCalledTimes(2);
    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", claimed.idempotencyKey],
      ["book", claimed.idempotencyKey],
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({ status: "SUCCESS", quoteId: "Q-1", attempts: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("every save fails: the trade stays QUOTED under its key, an error is logged, and recovery asks the bank and records SUCCESS without a second booking", async () => {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = new ScriptedGateway();
    const batch = await seedBatch(env.database, ["ACC-0001"]);
    await queue(env.database, batch.id);
    vi.mocked(recordTradeOutcomes).mockClear().mockRejectedValue(connectionTerminated());
    const first = env.runner(gateway, { writeAttempts: 3 }, log);

    first.start();
    await eventually(() => vi.mocked(recordTradeOutcomes).mock.calls.length === 3 && first.tradesInFlight === 0);
    await first.stop();

    // The bank booked the deal; the database never heard of it.
    expect(gateway.bookings()).toHaveLength(1);
    const key = gateway.bookings()[0]!.key;
    expect(gateway.bookings()[0]!.result).toMatchObject({ deal: { transactionId: `T-${key}` } });
    const [left] = await tradesOf(env.database, batch.id);
    expect(left).toMatchObject({
      status: "QUOTED",
      idempotencyKey: key,
      quoteId: "Q-1",
      transactionId: null,
      errorCode: null,
      attempts: 1,
    });
    expect(left!.lockedAt).not.toBeNull();
    expect(lines.filter(({ level }) => level === ERROR).map(({ msg, attempts, err }) => [msg, attempts, (err as Error).message])).toEqual([
      ["could not write a trade's result; leaving the trade for recovery", 3, expect.stringContaining("57P01")],
    ]);
    expect(first.tradesFinished).toEqual({ SUCCESS: 0, FAILED: 0 });
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 0, failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);

    // The database is back; the first runner's lease runs out and another runner takes the trade over.
    vi.mocked(recordTradeOutcomes).mockReset();
    await expireLeases(env.database, [left!.id]);
    const callsBefore = gateway.calls.length;
    const second = env.runner(gateway, { leaseMs: 30_000, pollIntervalMs: 25 });
    second.start();

    expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1, failedTrades: 0 });
    await second.stop();
    // Recovery asked the bank by key and sent nothing.
    expect(gateway.calls.slice(callsBefore).map(({ kind, key }) => [kind, key])).toEqual([["lookup", key]]);
    expect(gateway.bookings()).toHaveLength(1);
    expect(await tradeById(env.database, left!.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      transactionId: `T-${key}`,
      attempts: 1,
      errorMessage: null,
      lockedAt: null,
    });
    expect(await attemptsOf(env.database, left!.id)).toMatchObject([
      { number: 1, idempotencyKey: key, outcome: "BOOKED", transactionId: `T-${key}` },
    ]);
    expect(second.stats).toEqual({ claimedTrades: 0, releasedClaims: 0, resentBookings: 1, sweptBatches: 0 });
    expect(second.tradesFinished).toEqual({ SUCCESS: 1, FAILED: 0 });
    expect(JSON.stringify(env.events)).not.toContain("57P01");
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
