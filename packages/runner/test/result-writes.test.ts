import {
  cancelClaimsOfCancellingBatches,
  cancelPendingChunk,
  isDatabaseUnavailable,
  markTradesQuoted,
  recordTradeOutcomes,
  type TradeRow,
} from "@fxbt/db";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunnerOptions } from "../src/options";
import { runClaimedTrade } from "../src/trade-flow";
import {
  accounts,
  attemptsOf,
  batchById,
  capturingLogger,
  claimedTrades,
  ERROR,
  eventually,
  expectCountersMatchTrades,
  expireLeases,
  finished,
  gate,
  openTestEnv,
  queue,
  queueAndPromote,
  requestAsTheApi,
  seedBatch,
  storedStatusCounts,
  type TestEnv,
  tradeById,
  tradesOf,
  WARN,
} from "./harness";
import { type GatewayCall, ScriptedGateway } from "./scripted-gateway";

// The result writer's statements, so a test can make the database fail them.
vi.mock("@fxbt/db", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@fxbt/db")>();
  return {
    ...actual,
    markTradesQuoted: vi.fn(actual.markTradesQuoted),
    recordTradeOutcomes: vi.fn(actual.recordTradeOutcomes),
    cancelClaimsOfCancellingBatches: vi.fn(actual.cancelClaimsOfCancellingBatches),
  };
});

afterEach(() => {
  // Back to the real statements (mockReset restores the implementation vi.fn was given).
  vi.mocked(markTradesQuoted).mockReset();
  vi.mocked(recordTradeOutcomes).mockReset();
  vi.mocked(cancelClaimsOfCancellingBatches).mockReset();
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

/** The calls the bank answered with a deal, by trade: no trade may have two. */
function dealsByTrade(gateway: ScriptedGateway): Map<string, GatewayCall[]> {
  const deals = new Map<string, GatewayCall[]>();
  for (const call of gateway.bookings().filter(({ result }) => result !== undefined && "deal" in result)) {
    const tradeId = call.key.split(":")[0]!;
    deals.set(tradeId, [...(deals.get(tradeId) ?? []), call]);
  }
  return deals;
}

/**
 * The requote commits the trade's new attempt, then a transaction of its own cancels it if its
 * batch's cancel was requested (cancelClaimsOfCancellingBatches). Here that second transaction fails.
 */
describe("a database failure of the cancel check that follows a requote", () => {
  /** Row 1's first booking is refused QUOTE_EXPIRED (once `expire` opens, if given); any later booking is booked. */
  function expiringOnce(expire?: Promise<void>) {
    return new ScriptedGateway().script("ACC-0001", {
      book: ["QUOTE_EXPIRED", "ok"],
      before: (call) => (expire && call.kind === "book" && call.index === 0 ? expire : undefined),
    });
  }

  /**
   * Runs a batch of three whose row 1's first quote expires, the check after its requote failing
   * `failures` times, and waits five seconds at most for the batch to end SUCCESS: leases last a
   * minute (TEST_RUNNER_OPTIONS), so no lease may run out on the way.
   */
  async function runNotCancelled(failures: number, options: Partial<RunnerOptions>) {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = expiringOnce();
    const batch = await seedBatch(env.database, accounts(3));
    await queueAndPromote(env.database, batch.id);
    const cancelCheck = vi.mocked(cancelClaimsOfCancellingBatches).mockClear();
    for (let failure = 0; failure < failures; failure++) cancelCheck.mockRejectedValueOnce(connectionTerminated());
    const runner = env.runner(gateway, options, log);
    runner.start();
    expect(await finished(env.database, batch.id, 5_000)).toMatchObject({ status: "SUCCESS", succeededTrades: 3, failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
    const [row1] = await tradesOf(env.database, batch.id);
    return { env, runner, lines, gateway, row1: row1! };
  }

  /** Row 1 was quoted and refused QUOTE_EXPIRED under attempt 1, then quoted and booked under attempt `booked` alone; no trade was booked twice. */
  async function expectBookedUnder(env: TestEnv, gateway: ScriptedGateway, row1: TradeRow, booked: number) {
    expect(gateway.calls.filter((call) => call.accountNumber === "ACC-0001").map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", `${row1.id}:1`],
      ["book", `${row1.id}:1`],
      ["quote", `${row1.id}:${booked}`],
      ["book", `${row1.id}:${booked}`],
    ]);
    for (const deals of dealsByTrade(gateway).values()) expect(deals).toHaveLength(1);
    expect(await tradeById(env.database, row1.id)).toMatchObject({
      status: "SUCCESS",
      attempts: booked,
      transactionId: `T-${row1.id}:${booked}`,
    });
  }

  it("in a batch not being cancelled, failing once: the check is tried again and the new attempt is booked, without waiting for a lease", async () => {
    // No poll: only the flow itself can finish row 1 in time.
    const { env, lines, gateway, row1 } = await runNotCancelled(1, { writeAttempts: 3 });
    expect(vi.mocked(cancelClaimsOfCancellingBatches)).toHaveBeenCalledTimes(2);
    await expectBookedUnder(env, gateway, row1, 2);
    expect(await attemptsOf(env.database, row1.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
      { number: 2, outcome: "BOOKED" },
    ]);
    expect(lines.filter(({ level }) => (level as number) >= ERROR)).toEqual([]);
  });

  it("in a batch not being cancelled, failing every time: the new attempt is given back before it asks the bank, and runs again at the next poll, not after a lease", async () => {
    const { env, runner, lines, gateway, row1 } = await runNotCancelled(2, { writeAttempts: 2, pollIntervalMs: 25 });
    // Attempt 2 asked the bank nothing; the trade ran again under attempt 3.
    await expectBookedUnder(env, gateway, row1, 3);
    expect(await attemptsOf(env.database, row1.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
      { number: 2, outcome: "ABANDONED", quoteId: null },
      { number: 3, outcome: "BOOKED" },
    ]);
    // Given back by the flow, not released by recovery as a stopped runner's claim.
    expect(runner.stats.releasedClaims).toBe(0);
    expect(lines.filter(({ level }) => level === ERROR).map(({ msg }) => msg)).toEqual([
      "could not write a trade's result; leaving the trade for recovery",
    ]);
  });

  it("the runner stopping while a failed check waits to be tried again: the new attempt, which sent nothing, is given back at once", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", { book: ["QUOTE_EXPIRED", "ok"] });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    vi.mocked(cancelClaimsOfCancellingBatches).mockClear().mockRejectedValue(connectionTerminated());
    const stopping = new AbortController();
    const flow = { ...env.flow(gateway, { writeAttempts: 5, retryBaseMs: 60_000, retryMaxMs: 60_000 }), signal: stopping.signal };

    const running = runClaimedTrade(claimed, flow);
    await eventually(() => vi.mocked(cancelClaimsOfCancellingBatches).mock.calls.length === 1);
    stopping.abort();
    await running;

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", `${claimed.id}:1`],
      ["book", `${claimed.id}:1`],
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({ status: "PENDING", attempts: 2, lockedAt: null });
    expect(await attemptsOf(env.database, claimed.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
      { number: 2, outcome: "ABANDONED" },
    ]);
    expect(flow.held.size).toBe(0);
    await expectCountersMatchTrades(env.database, batch.id);
  });

  const cancelledCases = [
    { failing: "once", failures: 1, passMeanwhile: false },
    { failing: "every time", failures: 2, passMeanwhile: false },
    // The retry must not read "nothing to cancel" as "not being cancelled": the trade is no longer under its claim.
    { failing: "once while the cancel's pass takes the trade", failures: 1, passMeanwhile: true },
  ];
  for (const { failing, failures, passMeanwhile } of cancelledCases) {
    it(`in a batch whose cancel was requested during the booking, failing ${failing}: the new attempt is cancelled without asking the bank, and the batch ends CANCELLED`, async () => {
      const env = await openTestEnv();
      const booking = gate();
      const gateway = expiringOnce(booking.opened);
      const batch = await seedBatch(env.database, accounts(3));
      await queueAndPromote(env.database, batch.id);
      const cancelCheck = vi.mocked(cancelClaimsOfCancellingBatches).mockClear();
      for (let failure = 0; failure < failures; failure++)
        cancelCheck.mockImplementationOnce(async () => {
          if (passMeanwhile) await env.database.prisma.$transaction((tx) => cancelPendingChunk(tx, batch.id));
          throw connectionTerminated();
        });
      // One trade at a time, so rows 2 and 3 are still PENDING at the cancel; polls for the cancel's pass.
      const runner = env.runner(gateway, { concurrency: 1, claimSize: 1, writeAttempts: 2, pollIntervalMs: 25 }, capturingLogger().log);
      runner.start();
      await eventually(() => gateway.calls.some((call) => call.kind === "book"));
      const [row1] = await tradesOf(env.database, batch.id);

      expect(await requestAsTheApi(env.database, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 2 });
      const callsAtCancel = gateway.calls.length;
      booking.open();

      expect(await finished(env.database, batch.id, 5_000)).toMatchObject({ status: "CANCELLED", cancelledTrades: 3, succeededTrades: 0 });
      await eventually(() => runner.tradesInFlight === 0);
      // After the cancel the bank heard only the answer to the booking already in flight: nothing quoted, nothing booked.
      expect(gateway.calls.slice(callsAtCancel - 1).map(({ kind, key }) => [kind, key])).toEqual([["book", `${row1!.id}:1`]]);
      expect(dealsByTrade(gateway).size).toBe(0);
      expect(await tradeById(env.database, row1!.id)).toMatchObject({
        status: "CANCELLED",
        attempts: 2,
        quoteId: null,
        transactionId: null,
      });
      expect(await attemptsOf(env.database, row1!.id)).toMatchObject([
        { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
        { number: 2, outcome: "CANCELLED", quoteId: null },
      ]);
      // The counters once the cancel's pass (polls) has written the rows its request counted: read meanwhile, they may be read half way.
      await eventually(async () => (await storedStatusCounts(env.database, batch.id)).PENDING === undefined);
      await expectCountersMatchTrades(env.database, batch.id);
    });
  }
});
