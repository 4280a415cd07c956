import { describe, expect, it } from "vitest";
import {
  accounts,
  attemptsOf,
  batchById,
  eventually,
  expectCountersMatchTrades,
  finished,
  openTestEnv,
  queue,
  seedBatch,
  statusCounts,
  tradeById,
  tradesOf,
} from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

/** Short enough for a test, long enough that renewals every third of it keep up on a busy machine. */
const LEASE_MS = 900;
const NO_WORK = { claimedTrades: 0, releasedClaims: 0, resentBookings: 0, sweptBatches: 0 };

describe("the leases of a live runner", () => {
  it("are renewed while the bank is slow: another runner polling meanwhile neither releases nor takes over the trade, booked once", async () => {
    const env = await openTestEnv();
    // Each call takes half as long again as the lease: the claim (EXECUTING) and the booking (QUOTED) both outlive it.
    const gateway = new ScriptedGateway({ delayMs: LEASE_MS * 1.5 });
    const batch = await seedBatch(env.database, ["ACC-0001"]);
    await queue(env.database, batch.id);
    const holder = env.runner(gateway, { leaseMs: LEASE_MS });

    holder.start();
    await eventually(() => gateway.quotes().length === 1, 5_000);
    const other = env.runner(gateway, { leaseMs: LEASE_MS, pollIntervalMs: 25 });
    other.start();
    const lockAges: number[] = [];
    const sampling = (async () => {
      while ((await tradesOf(env.database, batch.id))[0]!.status !== "SUCCESS") {
        const [row] = await env.database.prisma.$queryRaw<{ age: number | null }[]>`
          SELECT (extract(epoch FROM now() - locked_at) * 1000)::float8 AS age FROM trade WHERE batch_id = ${batch.id}::uuid`;
        if (row?.age != null) lockAges.push(row.age);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1 });
    await sampling;
    await other.stop();
    await holder.stop();

    expect(other.stats).toEqual(NO_WORK);
    expect(other.tradesFinished).toEqual({ SUCCESS: 0, FAILED: 0 });
    expect(holder.stats).toEqual({ ...NO_WORK, claimedTrades: 1 });
    const [trade] = await tradesOf(env.database, batch.id);
    const key = `${trade!.id}:1`;
    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", key],
      ["book", key],
    ]);
    expect(trade).toMatchObject({ status: "SUCCESS", attempts: 1, idempotencyKey: key, transactionId: `T-${key}` });
    expect(await attemptsOf(env.database, trade!.id)).toMatchObject([{ number: 1, idempotencyKey: key, outcome: "BOOKED" }]);
    // The claim was never older than the lease while the trade was held (it is renewed every third of it).
    // The other runner's stats above prove it was never taken over; the samples show the renewals at
    // work, and how many there are depends on the machine's load (10 of about 2.7 s at load 13).
    expect(lockAges.length).toBeGreaterThan(4);
    expect(Math.max(...lockAges)).toBeLessThan(LEASE_MS);
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("stop() while quotes are being asked again", () => {
  it("resolves after its grace, gives the claims back (PENDING, attempt ABANDONED), fails nothing and opens no circuit", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway({ quote: ["BANK_TIMEOUT"], delayMs: 5 });
    const batch = await seedBatch(env.database, accounts(4));
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { breakerThreshold: 1_000_000 });

    runner.start();
    await eventually(() => accounts(4).every((account) => gateway.quotes(account).length >= 2), 5_000);
    const stopStarted = Date.now();
    await runner.stop();

    expect(Date.now() - stopStarted).toBeLessThan(15_000);
    expect(runner.tradesInFlight).toBe(0);
    expect(runner.bank).toEqual({ available: true, unavailableSince: null, circuitOpened: 0 });
    expect(await statusCounts(env.database, batch.id)).toEqual({ PENDING: 4 });
    for (const trade of await tradesOf(env.database, batch.id)) {
      const key = `${trade.id}:1`;
      expect(await tradeById(env.database, trade.id)).toMatchObject({ status: "PENDING", attempts: 1, lockedAt: null, errorCode: null });
      expect(await attemptsOf(env.database, trade.id)).toMatchObject([{ number: 1, idempotencyKey: key, outcome: "ABANDONED" }]);
      // Every request for this trade's quote carried its one key.
      expect(gateway.quotes(trade.accountNumber).map((call) => call.key)).toEqual(gateway.quotes(trade.accountNumber).map(() => key));
    }
    expect(gateway.bookings()).toEqual([]);
    expect(env.tradeEvents(batch.id).filter(({ trade }) => trade.status === "FAILED")).toEqual([]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
