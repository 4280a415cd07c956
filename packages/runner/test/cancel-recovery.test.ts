import { setTimeout as sleep } from "node:timers/promises";
import { CANCEL_CHUNK_SIZE, cancelPendingChunk, claimPendingTrades, markTradesQuoted, recordTradeOutcomes, type TradeRow } from "@fxbt/db";
import { describe, expect, it } from "vitest";
import {
  accounts,
  attemptsOf,
  batchById,
  capturingLogger,
  ERROR,
  eventually,
  expectCountersMatchTrades,
  finished,
  gate,
  heldBehindOneSlot,
  openTestEnv,
  queueAndPromote,
  requestAsTheApi,
  seedBatch,
  storedStatusCounts,
  type TestEnv,
  tradeById,
  tradesOf,
} from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

/** The trades the batch's events say were cancelled, each id once per event. */
const cancelledEvents = (env: TestEnv, batchId: string) => env.tradeEvents(batchId).filter(({ trade }) => trade.status === "CANCELLED");

const quoteOf = (trade: TradeRow) => ({
  id: trade.id,
  idempotencyKey: trade.idempotencyKey!,
  quoteId: `Q-${trade.rowNumber}`,
  rate: "18.5",
  sellAmount: "18500",
  buyAmount: "1000",
  expiresAt: new Date(Date.now() + 60_000),
});
const bookingOf = (trade: TradeRow) => ({
  id: trade.id,
  idempotencyKey: trade.idempotencyKey!,
  move: "book" as const,
  transactionId: `T-${trade.rowNumber}`,
  errorCode: null,
  errorMessage: null,
});

describe("a cancel whose process stopped between chunks", () => {
  it("is finished by the next runner's poll: the rest cancelled chunk by chunk, bookings in flight left to finish, nothing claimed", async () => {
    const env = await openTestEnv();
    const total = 2 * CANCEL_CHUNK_SIZE + 1_234;
    const batch = await seedBatch(env.database, accounts(total));
    await queueAndPromote(env.database, batch.id);
    // The runner that stopped: 20 trades claimed, 10 of them quoted, 5 of those booked.
    const claimed = (await claimPendingTrades(env.database.prisma, batch.id, 20)).map(({ trade }) => trade);
    const quoted = (await markTradesQuoted(env.database.prisma, claimed.slice(0, 10).map(quoteOf))).map(({ trade }) => trade);
    await recordTradeOutcomes(env.database.prisma, quoted.slice(0, 5).map(bookingOf));
    const inFlight = quoted.slice(5);

    // The API marked the batch, cancelling the ten claims whose quotes were in flight and counting
    // its PENDING trades; a first chunk of rows was written; then the process stopped.
    const cancelled = total - 10;
    expect(await requestAsTheApi(env.database, batch.id)).toMatchObject({
      status: "RUNNING",
      cancelledTrades: cancelled,
      cancelledUnmovedTrades: total - 20,
    });
    const first = await env.database.prisma.$transaction((tx) => cancelPendingChunk(tx, batch.id));
    expect(first).toMatchObject({
      more: true,
      batch: { status: "RUNNING", cancelledTrades: cancelled, cancelledUnmovedTrades: total - 20 - CANCEL_CHUNK_SIZE },
    });
    await expectCountersMatchTrades(env.database, batch.id);

    const { log, lines } = capturingLogger();
    const runner = env.runner(new ScriptedGateway(), { pollIntervalMs: 25 }, log);
    runner.start();
    await eventually(async () => (await storedStatusCounts(env.database, batch.id)).CANCELLED === cancelled);
    expect(await storedStatusCounts(env.database, batch.id)).toEqual({ SUCCESS: 5, QUOTED: 5, CANCELLED: cancelled });
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 5, cancelledTrades: cancelled });
    await expectCountersMatchTrades(env.database, batch.id);
    // Every trade the runner cancelled was published once.
    await eventually(() => cancelledEvents(env, batch.id).length === cancelled - 10 - CANCEL_CHUNK_SIZE);
    expect(new Set(cancelledEvents(env, batch.id).map(({ trade }) => trade.id)).size).toBe(cancelled - 10 - CANCEL_CHUNK_SIZE);

    // The bookings in flight finish (their runner's answers arrive); the last ends the batch CANCELLED.
    await recordTradeOutcomes(env.database.prisma, inFlight.map(bookingOf));
    expect(await finished(env.database, batch.id)).toMatchObject({
      status: "CANCELLED",
      succeededTrades: 10,
      failedTrades: 0,
      cancelledTrades: cancelled,
    });
    await expectCountersMatchTrades(env.database, batch.id);
    await sleep(100);
    await runner.stop();
    expect(runner.stats).toEqual({ claimedTrades: 0, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 });
    expect(lines.filter((line) => (line.level as number) >= ERROR)).toEqual([]);
  });

  it("two instances' runners recovering the same cancel at once share it: every trade cancelled and counted once", async () => {
    const env = await openTestEnv();
    const total = 3 * CANCEL_CHUNK_SIZE + 77;
    const batch = await seedBatch(env.database, accounts(total));
    await queueAndPromote(env.database, batch.id);
    await requestAsTheApi(env.database, batch.id);

    const logs = [capturingLogger(), capturingLogger()];
    const runners = logs.map(({ log }) => env.runner(new ScriptedGateway(), { pollIntervalMs: 10 }, log));
    for (const runner of runners) runner.start();

    expect(await finished(env.database, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: total });
    await expectCountersMatchTrades(env.database, batch.id);
    await eventually(() => cancelledEvents(env, batch.id).length >= total);
    await sleep(100);
    for (const runner of runners) await runner.stop();
    const events = cancelledEvents(env, batch.id);
    expect(events).toHaveLength(total);
    expect(new Set(events.map(({ trade }) => trade.id)).size).toBe(total);
    expect(env.batchEvents(batch.id).at(-1)).toMatchObject({ status: "CANCELLED", cancelledTrades: total });
    for (const { lines } of logs) expect(lines.filter((line) => (line.level as number) >= ERROR)).toEqual([]);
  });

  it("wake() goes on with a cancel the API began, without waiting for a poll", async () => {
    const env = await openTestEnv();
    const total = CANCEL_CHUNK_SIZE + 500;
    const batch = await seedBatch(env.database, accounts(total));
    await queueAndPromote(env.database, batch.id);
    // Polls only at start (the test options poll every ten minutes).
    const runner = env.runner(new ScriptedGateway(), {}, capturingLogger().log);
    runner.start();
    await sleep(100);

    await requestAsTheApi(env.database, batch.id);
    const first = await env.database.prisma.$transaction((tx) => cancelPendingChunk(tx, batch.id));
    expect(first).toMatchObject({ more: true });
    // Nothing is claimed once the request has committed (a claim already under way has finished by
    // the end of the first chunk): these are all the trades that may still book.
    const [counted] = await env.database.prisma.$queryRaw<{ claimed: number }[]>`
      SELECT count(*)::int AS claimed FROM trade WHERE batch_id = ${batch.id}::uuid AND status NOT IN ('PENDING', 'CANCELLED')`;
    await runner.wake();

    const final = await finished(env.database, batch.id, 5_000);
    // The trades the runner had claimed before the cancel finished with the bank's answer; every other one is cancelled.
    expect(final.status).toBe("CANCELLED");
    const claimed = counted!.claimed;
    expect(final.succeededTrades + final.failedTrades).toBeLessThanOrEqual(claimed);
    expect(final.cancelledTrades).toBeGreaterThanOrEqual(total - claimed);
    expect(final.succeededTrades + final.failedTrades + final.cancelledTrades).toBe(total);
    // The rows the API's chunk left are written by the woken runner (its next poll is ten minutes away).
    await eventually(async () => (await storedStatusCounts(env.database, batch.id)).PENDING === undefined, 5_000);
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("a booking in flight at the cancel that the bank refuses with QUOTE_EXPIRED", () => {
  it("is cancelled at once, under the new attempt its requote started: never quoted again nor booked, and the batch ends CANCELLED", async () => {
    const env = await openTestEnv();
    const booking = gate();
    // Row 1's first booking waits for the test, then the bank says its quote expired; a second booking would be booked.
    const gateway = new ScriptedGateway().script("ACC-0001", {
      book: ["QUOTE_EXPIRED", "ok"],
      before: (call) => (call.kind === "book" && call.index === 0 ? booking.opened : undefined),
    });
    const batch = await seedBatch(env.database, accounts(3));
    await queueAndPromote(env.database, batch.id);
    const runner = env.runner(gateway, { concurrency: 1, claimSize: 1 }, capturingLogger().log);
    runner.start();
    await eventually(() => gateway.calls.some((call) => call.kind === "book"));
    const [row1] = await tradesOf(env.database, batch.id);

    // The request counts rows 2 and 3 as cancelled; row 1's booking is in flight, so the batch waits for its answer.
    expect(await requestAsTheApi(env.database, batch.id)).toMatchObject({ status: "RUNNING", cancelledTrades: 2 });
    booking.open();
    // No wake and no poll (ten minutes away in these tests): the requote's own transaction cancels the trade and closes the batch.
    expect(await finished(env.database, batch.id, 5_000)).toMatchObject({ status: "CANCELLED", cancelledTrades: 3, succeededTrades: 0 });
    await eventually(() => runner.tradesInFlight === 0);
    expect(gateway.calls.filter((call) => call.kind === "quote")).toHaveLength(1);
    // Its events: the requote (EXECUTING under attempt 2), then the cancel, numbered one after the other.
    const row1Events = env.tradeEvents(batch.id).filter(({ trade }) => trade.id === row1!.id);
    expect(row1Events.slice(-2).map(({ trade }) => [trade.status, trade.attempts])).toEqual([
      ["EXECUTING", 2],
      ["CANCELLED", 2],
    ]);
    expect(row1Events.at(-1)!.trade.sequence).toBe(row1Events.at(-2)!.trade.sequence + 1);
    await eventually(() => env.batchEvents(batch.id).at(-1)?.status === "CANCELLED");
    expect(gateway.calls.filter((call) => call.kind === "book").map((call) => call.key)).toEqual([`${row1!.id}:1`]);
    expect(await tradeById(env.database, row1!.id)).toMatchObject({ status: "CANCELLED", attempts: 2, quoteId: null, transactionId: null });
    expect(await attemptsOf(env.database, row1!.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
      { number: 2, outcome: "CANCELLED", quoteId: null },
    ]);
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("trades held while their batch is cancelled", () => {
  it("are not quoted once the runner knows of the cancel: those waiting for a call to the bank end with nothing sent", async () => {
    const env = await openTestEnv();
    // One call at the bank at a time, twelve trades held: one quote out, eleven waiting for its slot.
    const { bank, gateway, batch, runner } = await heldBehindOneSlot(env, 12);

    // The API's cancel: the request cancels the twelve claims (nothing sent to book), then wakes the runner.
    expect(await requestAsTheApi(env.database, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 12 });
    await runner.wake();
    bank.open();
    await eventually(() => runner.tradesInFlight === 0);
    await runner.stop();

    // Only the quote already at the bank: none of the eleven, and no booking.
    expect(gateway.quotes()).toHaveLength(1);
    expect(gateway.bookings()).toHaveLength(0);
    expect(await storedStatusCounts(env.database, batch.id)).toEqual({ CANCELLED: 12 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
