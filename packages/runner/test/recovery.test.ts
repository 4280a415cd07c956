import { setTimeout as sleep } from "node:timers/promises";
import { claimPendingTrades } from "@fxbt/db";
import { describe, expect, it } from "vitest";
import {
  accounts,
  batchById,
  capturingLogger,
  eventually,
  expectCountersMatchTrades,
  expireLeases,
  finished,
  openTestEnv,
  queue,
  queueAndPromote,
  seedBatch,
  tradeById,
  tradesOf,
  WARN,
} from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

/** Claims an hour old count as abandoned; claims made during the test do not. */
const LEASE_MS = 30_000;

describe("recovery of a stopped runner's work", () => {
  it("resends a QUOTED trade's booking under the same key once its lease has run out, and books it once", async () => {
    const env = await openTestEnv();
    // The bank's answers to ACC-0001's first two bookings are lost; the third send is answered.
    const gateway = new ScriptedGateway().script("ACC-0001", { book: ["BANK_TIMEOUT", "BANK_TIMEOUT", "ok"] });
    const batch = await seedBatch(env.database, accounts(3));
    await queue(env.database, batch.id);
    const first = env.runner(gateway, { bookingAttempts: 2 });
    first.start();
    await eventually(async () => (await batchById(env.database, batch.id)).succeededTrades === 2 && first.tradesInFlight === 0);
    await first.stop();
    const left = (await tradesOf(env.database, batch.id))[0]!;
    expect(left).toMatchObject({ accountNumber: "ACC-0001", status: "QUOTED", quoteId: "Q-1", attempts: 1 });
    const key = left.idempotencyKey!;
    expect(first.stats).toEqual({ claimedTrades: 3, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 });
    expect(first.tradesFinished).toEqual({ SUCCESS: 2, FAILED: 0 });

    // While the claim is fresh, another runner's polls leave the trade alone…
    const { log, lines } = capturingLogger();
    const second = env.runner(gateway, { leaseMs: LEASE_MS, pollIntervalMs: 25 }, log);
    second.start();
    await sleep(200);
    expect(second.stats).toEqual({ claimedTrades: 0, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 });
    expect(gateway.bookings("ACC-0001")).toHaveLength(2);

    // …and once it has run out, the next poll takes the booking over.
    await expireLeases(env.database, [left.id]);

    expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 3 });
    await second.stop();
    expect(gateway.quotes("ACC-0001")).toHaveLength(1);
    expect(gateway.bookings("ACC-0001").map(({ key, quoteId }) => [key, quoteId])).toEqual([
      [key, "Q-1"],
      [key, "Q-1"],
      [key, "Q-1"],
    ]);
    expect(await tradeById(env.database, left.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      transactionId: `T-${key}`,
      attempts: 1,
      lockedAt: null,
    });
    expect(second.stats).toEqual({ claimedTrades: 0, releasedClaims: 0, resentBookings: 1, sweptBatches: 0 });
    expect(second.tradesFinished).toEqual({ SUCCESS: 1, FAILED: 0 });
    expect(lines.filter(({ msg }) => /stopped runner/.test(String(msg))).map(({ level, msg, trades }) => [level, msg, trades])).toEqual([
      [WARN, "finishing bookings of a stopped runner: asking the bank by key", 1],
    ]);
    // Recovery asked the bank what it recorded under the key before sending anything.
    expect(gateway.lookups()).toContain(key);
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("sends an EXECUTING trade past its lease back to PENDING and runs it under a new key; a fresh claim is left alone", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway();
    const batch = await seedBatch(env.database, accounts(4));
    await queueAndPromote(env.database, batch.id);
    // A runner claimed the first two trades and asked the bank nothing yet; the first claim is an hour old.
    await claimPendingTrades(env.database.prisma, batch.id, 2);
    const [abandoned, held] = await tradesOf(env.database, batch.id);
    await expireLeases(env.database, [abandoned!.id]);
    const runner = env.runner(gateway, { leaseMs: LEASE_MS });

    runner.start();

    await eventually(async () => (await batchById(env.database, batch.id)).succeededTrades === 3 && runner.tradesInFlight === 0);
    await runner.stop();
    expect(await tradeById(env.database, abandoned!.id)).toMatchObject({
      status: "SUCCESS",
      attempts: 2,
      idempotencyKey: `${abandoned!.id}:2`,
      transactionId: `T-${abandoned!.id}:2`,
    });
    expect(gateway.callsWithKey(`${abandoned!.id}:1`)).toEqual([]);
    expect(gateway.callsWithKey(`${abandoned!.id}:2`).map(({ kind }) => kind)).toEqual(["quote", "book"]);
    expect(await tradeById(env.database, held!.id)).toMatchObject({ status: "EXECUTING", attempts: 1, idempotencyKey: `${held!.id}:1` });
    expect(gateway.callsWithKey(`${held!.id}:1`)).toEqual([]);
    expect(
      env
        .tradeEvents(batch.id)
        .filter(({ trade }) => trade.id === abandoned!.id)
        .map(({ previousStatus, trade }) => [previousStatus, trade.status]),
    ).toEqual([
      ["EXECUTING", "PENDING"],
      ["PENDING", "EXECUTING"],
      ["EXECUTING", "QUOTED"],
      ["QUOTED", "SUCCESS"],
    ]);
    expect(runner.stats).toEqual({ claimedTrades: 3, releasedClaims: 1, resentBookings: 0, sweptBatches: 0 });
    expect(runner.tradesFinished).toEqual({ SUCCESS: 3, FAILED: 0 });
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 3 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
