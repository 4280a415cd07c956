import { setTimeout as sleep } from "node:timers/promises";
import { lockBatch, requeueFailedTrades } from "@fxbt/db";
import { describe, expect, it } from "vitest";
import {
  accounts,
  attemptsOf,
  batchById,
  capturingLogger,
  eventually,
  expectCountersMatchTrades,
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

describe("a trade's attempts across a retry", () => {
  it("a refused booking, retried: two attempts, the first unchanged (REFUSED with its code), the second BOOKED", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-0001", { book: ["INSUFFICIENT_FUNDS", "ok"] });
    const batch = await seedBatch(env.database, ["ACC-0001"]);
    await queue(env.database, batch.id);
    const runner = env.runner(gateway);

    runner.start();
    expect(await finished(env.database, batch.id)).toMatchObject({ status: "FAILED", failedTrades: 1 });
    const [failed] = await tradesOf(env.database, batch.id);
    const id = failed!.id;
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, idempotencyKey: `${id}:1`, errorCode: "INSUFFICIENT_FUNDS" });
    const firstAttempts = await attemptsOf(env.database, id);
    expect(firstAttempts).toMatchObject([
      {
        number: 1,
        idempotencyKey: `${id}:1`,
        quoteId: "Q-1",
        outcome: "REFUSED",
        errorCode: "INSUFFICIENT_FUNDS",
        errorMessage: "scripted INSUFFICIENT_FUNDS",
        transactionId: null,
      },
    ]);
    expect(firstAttempts[0]!.bookingSentAt).not.toBeNull();
    expect(firstAttempts[0]!.finishedAt).not.toBeNull();

    // What the API's retryFailedTrades does.
    const requeued = await env.database.prisma.$transaction(async (tx) => {
      await lockBatch(tx, batch.id);
      return requeueFailedTrades(tx, batch.id);
    });
    expect(requeued.trades.map(({ trade, previousStatus }) => [trade.id, previousStatus, trade.status])).toEqual([
      [id, "FAILED", "PENDING"],
    ]);
    expect(requeued.batch).toMatchObject({ status: "PENDING", failedTrades: 0 });
    await runner.wake();

    expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1, failedTrades: 0 });
    await runner.stop();
    expect(await tradeById(env.database, id)).toMatchObject({
      status: "SUCCESS",
      attempts: 2,
      idempotencyKey: `${id}:2`,
      quoteId: "Q-2",
      transactionId: `T-${id}:2`,
      errorCode: null,
      errorMessage: null,
    });
    const attempts = await attemptsOf(env.database, id);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toEqual(firstAttempts[0]);
    expect(attempts[1]).toMatchObject({
      number: 2,
      idempotencyKey: `${id}:2`,
      quoteId: "Q-2",
      outcome: "BOOKED",
      transactionId: `T-${id}:2`,
      errorCode: null,
      errorMessage: null,
    });
    expect(gateway.calls.map(({ kind, key, quoteId }) => [kind, key, quoteId])).toEqual([
      ["quote", `${id}:1`, null],
      ["book", `${id}:1`, "Q-1"],
      ["quote", `${id}:2`, null],
      ["book", `${id}:2`, "Q-2"],
    ]);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 1, FAILED: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("the sweeper", () => {
  it("finishes running batches whose trades are all final, with counters recounted from the trades, and leaves the others", async () => {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = new ScriptedGateway();
    const mixed = await seedBatch(env.database, accounts(3, "A"));
    const booked = await seedBatch(env.database, accounts(2, "B"));
    const cancelled = await seedBatch(env.database, accounts(2, "C"));
    const unfinished = await seedBatch(env.database, accounts(2, "D"));
    for (const batch of [mixed, booked, cancelled, unfinished]) await queueAndPromote(env.database, batch.id);
    // Trades final, counters not: as if the writes that finished them were lost.
    const sql = env.database.prisma;
    await sql.$executeRaw`
      UPDATE trade SET status = (CASE row_number WHEN 3 THEN 'FAILED' ELSE 'SUCCESS' END)::"TradeStatus" WHERE batch_id = ${mixed.id}::uuid`;
    await sql.$executeRaw`
      UPDATE batch SET failed_trades = 3, succeeded_trades = 0, bank_unavailable_since = now() WHERE id = ${mixed.id}::uuid`;
    await sql.$executeRaw`UPDATE trade SET status = 'SUCCESS' WHERE batch_id = ${booked.id}::uuid`;
    await sql.$executeRaw`
      UPDATE trade SET status = (CASE row_number WHEN 1 THEN 'SUCCESS' ELSE 'CANCELLED' END)::"TradeStatus" WHERE batch_id = ${cancelled.id}::uuid`;
    await sql.$executeRaw`UPDATE batch SET cancel_requested_at = now() WHERE id = ${cancelled.id}::uuid`;
    // One trade of the last batch is still QUOTED under a live claim: that batch is not finished.
    await sql.$executeRaw`
      UPDATE trade SET status = (CASE row_number WHEN 1 THEN 'SUCCESS' ELSE 'QUOTED' END)::"TradeStatus",
                       attempts = 1, idempotency_key = id::text || ':1', quote_id = 'Q-X', locked_at = now()
      WHERE batch_id = ${unfinished.id}::uuid`;
    await sql.$executeRaw`UPDATE batch SET succeeded_trades = 1 WHERE id = ${unfinished.id}::uuid`;
    const runner = env.runner(gateway, { pollIntervalMs: 25 }, log);

    runner.start();
    // The sweeper waits for each batch to be quiet for SWEEP_QUIET_MS (2 s) first.
    await eventually(() => runner.stats.sweptBatches === 3, 10_000);
    // Later polls find nothing more to sweep.
    await sleep(150);
    await runner.stop();

    expect(runner.stats).toEqual({ claimedTrades: 0, releasedClaims: 0, resentBookings: 0, sweptBatches: 3 });
    expect(await batchById(env.database, mixed.id)).toMatchObject({
      status: "PARTIAL_SUCCESS",
      succeededTrades: 2,
      failedTrades: 1,
      cancelledTrades: 0,
      queuedAt: null,
      bankUnavailableSince: null,
    });
    expect((await batchById(env.database, mixed.id)).completedAt).not.toBeNull();
    expect(await batchById(env.database, booked.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 2, failedTrades: 0 });
    expect(await batchById(env.database, cancelled.id)).toMatchObject({ status: "CANCELLED", succeededTrades: 1, cancelledTrades: 1 });
    expect(await batchById(env.database, unfinished.id)).toMatchObject({ status: "RUNNING", succeededTrades: 1, completedAt: null });
    expect(gateway.calls).toEqual([]);
    // One sweep or more: each batch is swept once its last write is SWEEP_QUIET_MS old, and their last writes differ.
    const sweeps = lines.filter(({ msg }) => msg === "finished running batches whose trades were all final");
    expect(sweeps.every((sweep) => sweep.level === WARN)).toBe(true);
    expect(sweeps.flatMap((sweep) => sweep.batches as string[]).sort()).toEqual(
      [mixed.batchUid, booked.batchUid, cancelled.batchUid].sort(),
    );
    expect(env.batchEvents(mixed.id).at(-1)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 1 });
    expect(env.batchEvents(booked.id).at(-1)).toMatchObject({ status: "SUCCESS", succeededTrades: 2 });
    expect(env.batchEvents(cancelled.id).at(-1)).toMatchObject({ status: "CANCELLED" });
    for (const batch of [mixed, booked, cancelled, unfinished]) await expectCountersMatchTrades(env.database, batch.id);
  });

  it("recounts answered_trades from the attempts the bank answered over every run: a requote and a retry count, a lost count is restored", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway()
      .script("ACC-RETRIED", { book: ["INSUFFICIENT_FUNDS", "ok"] })
      .script("ACC-REQUOTED", { book: ["QUOTE_EXPIRED", "ok"] });
    const batch = await seedBatch(env.database, ["ACC-RETRIED", "ACC-REQUOTED", "ACC-BOOKED"]);
    await queue(env.database, batch.id);
    const runner = env.runner(gateway, { pollIntervalMs: 25 });
    runner.start();
    // First run: a refusal, an expired quote's refused booking and the booking after it, a booking.
    expect(await finished(env.database, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", failedTrades: 1, answeredTrades: 4 });
    await env.database.prisma.$transaction(async (tx) => {
      await lockBatch(tx, batch.id);
      await requeueFailedTrades(tx, batch.id);
    });
    await runner.wake();
    // Second run: the retried trade is booked; its first answer still counts.
    expect(await finished(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 3, answeredTrades: 5 });
    const answered = async () => {
      const [row] = await env.database.prisma.$queryRaw<{ count: number }[]>`
        SELECT count(*)::int AS count FROM trade_attempt a JOIN trade t ON t.id = a.trade_id
        WHERE t.batch_id = ${batch.id}::uuid AND a.outcome IN ('BOOKED', 'REFUSED')`;
      return row!.count;
    };
    expect(await answered()).toBe(5);

    // As if the batch's last write were lost: still running, its answers miscounted.
    const sweptBefore = runner.stats.sweptBatches;
    await env.database.prisma.$executeRaw`
      UPDATE batch SET status = 'RUNNING', completed_at = NULL, run_started_at = now(), answered_trades = 1 WHERE id = ${batch.id}::uuid`;
    await eventually(() => runner.stats.sweptBatches === sweptBefore + 1, 5_000);
    await runner.stop();
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 3, answeredTrades: 5 });
    expect(env.batchEvents(batch.id).at(-1)).toMatchObject({ status: "SUCCESS", answeredTrades: 5 });
  });
});
