import { setTimeout as sleep } from "node:timers/promises";
import type { TradeStatus } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import {
  accounts,
  batchById,
  eventually,
  expectCountersMatchTrades,
  finished,
  gate,
  heldBehindOneSlot,
  openTestEnv,
  queue,
  queueAndPromote,
  seedBatch,
  statusCounts,
  tradesOf,
} from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

describe("BatchRunner", () => {
  it("start and wake promote a queued batch and run every trade to the batch's final status", async () => {
    const env = await openTestEnv();
    const bank = gate();
    const gateway = new ScriptedGateway({ before: () => bank.opened })
      .script("ACC-0003", { quote: ["INVALID_ACCOUNT"], before: () => bank.opened })
      .script("ACC-0007", { book: ["INSUFFICIENT_FUNDS"], before: () => bank.opened });
    const batch = await seedBatch(env.database, accounts(20));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway);

    runner.start();
    await runner.wake();

    // wake resolves once the batch is promoted; the bank has answered nothing yet.
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 0 });
    expect(env.batchEvents(batch.id)[0]).toMatchObject({ status: "RUNNING" });
    bank.open();

    expect(await finished(env.database, batch.id)).toMatchObject({
      status: "PARTIAL_SUCCESS",
      succeededTrades: 18,
      failedTrades: 2,
      cancelledTrades: 0,
    });
    await runner.stop();
    const trades = await tradesOf(env.database, batch.id);
    expect(trades.filter(({ status }) => status === "FAILED").map(({ accountNumber, errorCode }) => [accountNumber, errorCode])).toEqual([
      ["ACC-0003", "INVALID_ACCOUNT"],
      ["ACC-0007", "INSUFFICIENT_FUNDS"],
    ]);
    expect(trades.every(({ lockedAt }) => lockedAt === null)).toBe(true);
    expect(gateway.quotes()).toHaveLength(20);
    expect(gateway.bookings()).toHaveLength(19);
    expect(runner.stats).toEqual({ claimedTrades: 20, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 });
    expect(runner.tradesFinished).toEqual({ SUCCESS: 18, FAILED: 2 });
    expect(runner.tradesInFlight).toBe(0);
    // Every transition went out as an event, in order, and the batch's last event is its final state.
    const path = new Map<string, TradeStatus[]>();
    for (const { trade, previousStatus } of env.tradeEvents(batch.id)) {
      path.set(trade.id, [...(path.get(trade.id) ?? [previousStatus!]), trade.status]);
    }
    const pathOf = (account: string) => path.get(trades.find(({ accountNumber }) => accountNumber === account)!.id);
    expect(path.size).toBe(20);
    expect(pathOf("ACC-0001")).toEqual(["PENDING", "EXECUTING", "QUOTED", "SUCCESS"]);
    expect(pathOf("ACC-0003")).toEqual(["PENDING", "EXECUTING", "FAILED"]);
    expect(pathOf("ACC-0007")).toEqual(["PENDING", "EXECUTING", "QUOTED", "FAILED"]);
    expect(env.batchEvents(batch.id).at(-1)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 18, failedTrades: 2 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("never has more trades at the bank than its concurrency, across running batches", async () => {
    const env = await openTestEnv();
    let mostTradesInFlight = 0;
    const gateway = new ScriptedGateway({
      delayMs: () => 5 + Math.floor(Math.random() * 10),
      before: () => {
        mostTradesInFlight = Math.max(mostTradesInFlight, runner.tradesInFlight);
      },
    });
    const batches = [await seedBatch(env.database, accounts(20, "A")), await seedBatch(env.database, accounts(20, "B"))];
    for (const batch of batches) await queue(env.database, batch.id);
    const runner = env.runner(gateway, { concurrency: 4, claimSize: 16 });

    runner.start();
    await runner.wake();
    for (const batch of batches) expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 20 });
    await runner.stop();

    expect(gateway.maxInFlight).toBe(4);
    expect(mostTradesInFlight).toBeLessThanOrEqual(4);
    expect(gateway.bookings()).toHaveLength(40);
    expect(runner.stats.claimedTrades).toBe(40);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 40, FAILED: 0 });
    for (const batch of batches) await expectCountersMatchTrades(env.database, batch.id);
  });

  it("holds more trades than it has calls at the bank, and a quoted trade's booking goes before new quotes", async () => {
    const env = await openTestEnv();
    let mostTradesHeld = 0;
    // Calls slower than a quote's save, as a bank's are: the quotes sent during a save are few.
    const gateway = new ScriptedGateway({
      delayMs: 25,
      before: () => {
        mostTradesHeld = Math.max(mostTradesHeld, runner.tradesInFlight);
      },
    });
    const batch = await seedBatch(env.database, accounts(24));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { concurrency: 2, heldTrades: 12, claimSize: 12 });

    runner.start();
    await runner.wake();
    expect(await finished(env.database, batch.id, 20_000)).toMatchObject({ status: "SUCCESS", succeededTrades: 24 });
    await runner.stop();

    expect(gateway.maxInFlight).toBe(2);
    expect(mostTradesHeld).toBeGreaterThan(2);
    expect(mostTradesHeld).toBeLessThanOrEqual(12);
    // Trades quoted and not yet booked, call by call. In arrival order (first come, first served)
    // every one of the 12 held trades would be quoted before the first booking went out; with
    // bookings first, a quote's booking waits at most for the calls already at the bank and the
    // quotes sent while its quote was being saved.
    let quotedUnbooked = 0;
    let mostQuotedUnbooked = 0;
    for (const call of gateway.calls) {
      quotedUnbooked += call.kind === "quote" ? 1 : call.kind === "book" ? -1 : 0;
      mostQuotedUnbooked = Math.max(mostQuotedUnbooked, quotedUnbooked);
    }
    expect(mostQuotedUnbooked).toBeLessThanOrEqual(8);
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("stop() gives back the trades still waiting for their first quote rather than quote them in its grace period; a quoted one is booked", async () => {
    const env = await openTestEnv();
    // One call at the bank at a time, twelve trades held: one quote out, eleven waiting for its slot.
    const { bank, gateway, batch, runner } = await heldBehindOneSlot(env, 12);

    const stopped = runner.stop();
    bank.open();
    await stopped;

    // The quote at the bank when stop() began is saved and booked; the eleven are PENDING again,
    // for any instance to claim, instead of being quoted during the grace period.
    expect(gateway.quotes()).toHaveLength(1);
    expect(gateway.bookings()).toHaveLength(1);
    expect(await statusCounts(env.database, batch.id)).toEqual({ SUCCESS: 1, PENDING: 11 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("claims again as trades finish, without waiting for its poll interval", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway({ delayMs: 20 });
    const batch = await seedBatch(env.database, accounts(24));
    await queue(env.database, batch.id);
    // Only the poll that start() runs at once: the next one is ten minutes away.
    const runner = env.runner(gateway, { concurrency: 4, claimSize: 8, pollIntervalMs: 600_000 });

    runner.start();

    expect(await finished(env.database, batch.id, 20_000)).toMatchObject({ status: "SUCCESS", succeededTrades: 24 });
    await runner.stop();
    expect(gateway.maxInFlight).toBeLessThanOrEqual(4);
    expect(runner.stats.claimedTrades).toBe(24);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 24, FAILED: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("wake() answers once queued batches are promoted, even while a claiming pass waits", async () => {
    // A claiming pass can take long (trades finishing during it ask for the next, a batch row can
    // be locked): startBatch, which waits for wake(), answered seconds later beside a running batch.
    const env = await openTestEnv();
    const gateway = new ScriptedGateway();
    const running = await seedBatch(env.database, accounts(10));
    await queueAndPromote(env.database, running.id);
    const released = gate();
    const lockHeld = gate();
    // Claiming from a batch locks its row first: held here, every pass waits on it.
    const holder = env.database.prisma.$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT id FROM batch WHERE id = ${running.id}::uuid FOR UPDATE`;
        lockHeld.open();
        await released.opened;
      },
      { timeout: 60_000 },
    );
    await lockHeld.opened;
    const runner = env.runner(gateway);
    runner.start();
    await eventually(async () => {
      const [waiting] = await env.database.prisma.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
      return waiting!.count > 0;
    });

    const queued = await seedBatch(env.database, accounts(3));
    await queue(env.database, queued.id);
    let holderDone = false;
    void holder.then(() => {
      holderDone = true;
    });
    // Before the change wake() waited for the pass, so this never answered while the lock was held.
    await runner.wake();
    expect(holderDone).toBe(false);
    expect(await batchById(env.database, queued.id)).toMatchObject({ status: "RUNNING" });
    expect(await batchById(env.database, running.id)).toMatchObject({ succeededTrades: 0 });

    released.open();
    await holder;
    expect(await finished(env.database, running.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 10 });
    expect(await finished(env.database, queued.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 3 });
    await runner.stop();
  });

  it("stop() waits for the trades in flight, leaves none EXECUTING or QUOTED, and claims nothing afterwards", async () => {
    const env = await openTestEnv();
    const bank = gate();
    // Bookings wait for the test; a short poll interval would claim more if stop() left the timer running.
    const gateway = new ScriptedGateway({ book: ["ok"], before: (call) => (call.kind === "book" ? bank.opened : undefined) });
    const batch = await seedBatch(env.database, accounts(30));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { concurrency: 4, claimSize: 4, pollIntervalMs: 20 });

    runner.start();
    await eventually(() => gateway.bookings().length === 4);
    expect(runner.tradesInFlight).toBe(4);
    const stopping = runner.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await sleep(100);
    expect(stopped).toBe(false);
    bank.open();
    await stopping;

    expect(runner.tradesInFlight).toBe(0);
    const atStop = await statusCounts(env.database, batch.id);
    expect(atStop).toEqual({ SUCCESS: 4, PENDING: 26 });
    expect(runner.stats.claimedTrades).toBe(4);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 4, FAILED: 0 });

    // Neither the poll timer nor a wake claims anything once stopped.
    const callsAtStop = gateway.calls.length;
    await sleep(200);
    await runner.wake();
    await sleep(50);
    expect(gateway.calls).toHaveLength(callsAtStop);
    expect(runner.stats.claimedTrades).toBe(4);
    expect(await statusCounts(env.database, batch.id)).toEqual(atStop);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 4 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
