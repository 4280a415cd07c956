import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "../src/circuit-breaker";
import {
  accounts,
  attemptsOf,
  batchById,
  eventually,
  expectCountersMatchTrades,
  finished,
  gate,
  openTestEnv,
  queue,
  seedBatch,
  statusCounts,
  tradesOf,
} from "./harness";
import { type AccountScript, type GatewayCall, ScriptedGateway } from "./scripted-gateway";

/** A bank that answers nothing: every quote, booking and lookup fails with BANK_UNAVAILABLE. */
const DOWN: AccountScript = { quote: ["BANK_UNAVAILABLE"], book: ["BANK_UNAVAILABLE"], lookup: ["BANK_UNAVAILABLE"], delayMs: 10 };

describe("CircuitBreaker", () => {
  it("takes no success of a call sent before the failures began as news of the bank: it neither closes the circuit nor resets the count", async () => {
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      threshold: 2,
      cooldownMs: 60_000,
      onOpen: () => changes.push("open"),
      onClose: () => changes.push("close"),
    });
    const before = Date.now() - 1_000;
    breaker.failed();
    // Sent before that failure: the count goes on, and the next failure opens the circuit.
    breaker.succeeded(before);
    breaker.failed();
    expect(breaker.isOpen).toBe(true);
    // Calls that were at the bank when it went down come back answered: the circuit stays open.
    breaker.succeeded(before);
    breaker.succeeded(before);
    expect(breaker.isOpen).toBe(true);
    // A call sent since (the probe) closes it.
    breaker.succeeded();
    expect(breaker.isOpen).toBe(false);
    expect(changes).toEqual(["open", "close"]);
  });
});

describe("the circuit breaker, through the runner", () => {
  it("holds trades while the bank is down, marks running batches, probes one call at a time, and finishes once it is back", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway(DOWN);
    // The last trade's booking waits for the test, so the batch is still running when the bank comes back.
    const lastBooking = gate();
    const heldBack = (call: GatewayCall) => (call.kind === "book" ? lastBooking.opened : undefined);
    gateway.script("ACC-0008", { ...DOWN, before: heldBack });
    const batch = await seedBatch(env.database, accounts(8));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { breakerThreshold: 3, breakerCooldownMs: 300, concurrency: 16, claimSize: 16 });
    const sentWhileOpen: GatewayCall[] = [];
    gateway.onArrive = (call) => {
      if (!runner.bank.available) sentWhileOpen.push(call);
    };
    const startedAt = Date.now();

    runner.start();
    await eventually(() => !runner.bank.available, 5_000);
    const marked = await eventually(async () => {
      const row = await batchById(env.database, batch.id);
      return row.bankUnavailableSince !== null && row;
    }, 5_000);
    const since = runner.bank.unavailableSince!;
    expect(marked.status).toBe("RUNNING");
    expect(marked.bankUnavailableSince).toEqual(since);
    expect(since.getTime()).toBeGreaterThanOrEqual(startedAt);
    await eventually(() => env.batchEvents(batch.id).some(({ bankUnavailableSince }) => bankUnavailableSince !== null), 5_000);
    expect(env.batchEvents(batch.id).find(({ bankUnavailableSince }) => bankUnavailableSince)).toMatchObject({
      status: "RUNNING",
      bankUnavailableSince: since.toISOString(),
    });

    // A batch started while the bank is down runs, marked too, but its trades stay PENDING in the database:
    // the runner has free slots, yet claims nothing while the circuit is open and trades are waiting.
    const later = await seedBatch(env.database, accounts(4, "B"));
    await queue(env.database, later.id);
    await runner.wake();
    expect(await batchById(env.database, later.id)).toMatchObject({ status: "RUNNING", bankUnavailableSince: since });
    expect(runner.tradesInFlight).toBe(8);

    // The bank stays down for about a second; trades wait and none fails.
    await sleep(Math.max(0, startedAt + 1_000 - Date.now()));
    expect(await statusCounts(env.database, batch.id)).toEqual({ EXECUTING: 8 });
    expect(await statusCounts(env.database, later.id)).toEqual({ PENDING: 4 });
    const downFor = Date.now() - startedAt;
    gateway.scriptAll({ delayMs: 10 }).script("ACC-0008", { delayMs: 10, before: heldBack });

    // Back: the marks are cleared while the first batch still runs, then every trade is booked.
    const cleared = await eventually(async () => {
      const row = await batchById(env.database, batch.id);
      return row.bankUnavailableSince === null && row;
    }, 5_000);
    expect(cleared.status).toBe("RUNNING");
    expect(runner.bank).toMatchObject({ available: true, unavailableSince: null });
    expect(await finished(env.database, later.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 4, bankUnavailableSince: null });
    lastBooking.open();
    expect(await finished(env.database, batch.id)).toMatchObject({
      status: "SUCCESS",
      succeededTrades: 8,
      failedTrades: 0,
      bankUnavailableSince: null,
    });
    await runner.stop();

    // While open, the bank saw one call at a time (the probes), at most about one per cooldown.
    expect(sentWhileOpen.length).toBeGreaterThanOrEqual(1);
    expect(sentWhileOpen.map(({ inFlightAtArrival }) => inFlightAtArrival)).toEqual(sentWhileOpen.map(() => 1));
    expect(sentWhileOpen.length).toBeLessThanOrEqual(Math.ceil(downFor / 300) + 2);
    expect(sentWhileOpen.every(({ kind, accountNumber }) => kind === "quote" && accountNumber.startsWith("ACC-"))).toBe(true);
    expect(runner.bank.circuitOpened).toBeGreaterThanOrEqual(1);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 12, FAILED: 0 });
    for (const { id } of [batch, later]) {
      // No trade was failed for it, each was booked once under its first key, and the last event says the bank is back.
      expect(env.tradeEvents(id).filter(({ trade }) => trade.status === "FAILED")).toEqual([]);
      const trades = await tradesOf(env.database, id);
      expect(trades.map(({ attempts, idempotencyKey }) => [attempts, idempotencyKey])).toEqual(trades.map(({ id }) => [1, `${id}:1`]));
      const keys = new Set(trades.map(({ idempotencyKey }) => idempotencyKey));
      expect(gateway.bookings().filter(({ key }) => keys.has(key))).toHaveLength(trades.length);
      expect(env.batchEvents(id).some(({ bankUnavailableSince }) => bankUnavailableSince === since.toISOString())).toBe(true);
      expect(env.batchEvents(id).at(-1)).toMatchObject({ status: "SUCCESS", bankUnavailableSince: null });
      await expectCountersMatchTrades(env.database, id);
    }
  });

  it("stop() while the circuit is open: it resolves, EXECUTING trades go back to PENDING (attempt ABANDONED), a QUOTED trade keeps its key", async () => {
    const env = await openTestEnv();
    // The first trade is quoted and its booking sent before the bank goes down (the other quotes are answered
    // only once that booking is out); then that booking, its lookups and every other quote go unanswered.
    const bookingSent = gate();
    const gateway = new ScriptedGateway({ ...DOWN, before: () => bookingSent.opened }).script("ACC-0001", {
      quote: ["ok"],
      book: ["BANK_UNAVAILABLE"],
      lookup: ["BANK_UNAVAILABLE"],
      before: (call) => {
        if (call.kind === "book") bookingSent.open();
      },
    });
    const batch = await seedBatch(env.database, accounts(6));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { breakerThreshold: 3, breakerCooldownMs: 300, bookingAttempts: 1_000 });

    runner.start();
    await eventually(() => !runner.bank.available, 5_000);
    await eventually(async () => (await statusCounts(env.database, batch.id)).QUOTED === 1, 5_000);
    const stopStarted = Date.now();
    await runner.stop();

    expect(Date.now() - stopStarted).toBeLessThan(15_000);
    expect(runner.tradesInFlight).toBe(0);
    expect(await statusCounts(env.database, batch.id)).toEqual({ QUOTED: 1, PENDING: 5 });
    const [quoted, ...released] = await tradesOf(env.database, batch.id);
    const key = `${quoted!.id}:1`;
    expect(quoted).toMatchObject({ accountNumber: "ACC-0001", status: "QUOTED", idempotencyKey: key, quoteId: "Q-1", attempts: 1 });
    // Its booking may be at the bank: the claim is left for recovery to ask by key after the lease.
    expect(quoted!.lockedAt).not.toBeNull();
    expect(gateway.bookings("ACC-0001").length).toBeGreaterThanOrEqual(1);
    expect(new Set(gateway.calls.filter(({ accountNumber }) => accountNumber === "ACC-0001").map(({ key }) => key))).toEqual(
      new Set([key]),
    );
    expect(await attemptsOf(env.database, quoted!.id)).toMatchObject([{ number: 1, idempotencyKey: key, outcome: null }]);
    for (const trade of released) {
      expect(trade).toMatchObject({ status: "PENDING", attempts: 1, lockedAt: null, quoteId: null, errorCode: null });
      expect(await attemptsOf(env.database, trade.id)).toMatchObject([
        { number: 1, idempotencyKey: `${trade.id}:1`, outcome: "ABANDONED" },
      ]);
      expect(gateway.bookings(trade.accountNumber)).toEqual([]);
    }
    expect(env.tradeEvents(batch.id).filter(({ trade }) => trade.status === "FAILED")).toEqual([]);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 0, FAILED: 0 });
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", failedTrades: 0, succeededTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
