import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrismaClient } from "../src/generated/prisma/client";
import { requestCancel } from "../src/sql/batch-cancel";
import { finishSettledBatches, lockBatch } from "../src/sql/batch-lifecycle";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import { batchOf, claimedBatch, expectCountersMatchTrades, openTestDatabase, outcomeOf, quoteOf, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/**
 * The client `prisma` with `after` run each time one of its statements (in a transaction or not)
 * has answered, before its caller sees the answer: the moment the caller's next round trip starts.
 */
function callingAfterEachStatement(prisma: PrismaClient, after: () => Promise<void>): PrismaClient {
  const wrap = <T extends object>(client: T): T =>
    new Proxy(client, {
      get(target, key) {
        const value: unknown = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        if (key === "$queryRaw" || key === "$executeRaw")
          return async (...args: unknown[]) => {
            const answer = await value.apply(target, args);
            await after();
            return answer;
          };
        if (key === "$transaction")
          return (work: (tx: T) => Promise<unknown>, options?: unknown) => value.call(target, (tx: T) => work(wrap(tx)), options);
        return value.bind(target);
      },
    });
  return wrap(prisma);
}

/** Whether another connection could take the batch row right now (without waiting for it). */
async function batchRowFree(batchId: string): Promise<boolean> {
  const rows = await t.other.prisma.$queryRaw<unknown[]>`SELECT id FROM batch WHERE id = ${batchId}::uuid FOR UPDATE SKIP LOCKED`;
  return rows.length === 1;
}

/** A running batch of `count` quoted trades. */
async function quotedBatch(count: number) {
  const { batch, trades } = await claimedBatch(t.db, count);
  await markTradesQuoted(
    t.db.prisma,
    trades.map((trade) => quoteOf(trade)),
  );
  return { batch, trades };
}

describe("recordTradeOutcomes holds the batch row no longer than its statement", () => {
  it("with one result per trade, the batch row is free as soon as the write has answered: no COMMIT round trip holds it", async () => {
    const { batch, trades } = await quotedBatch(3);
    const freeAfter: boolean[] = [];
    const prisma = callingAfterEachStatement(t.db.prisma, async () => {
      freeAfter.push(await batchRowFree(batch.id));
    });

    const written = await recordTradeOutcomes(
      prisma,
      trades.slice(0, 2).map((trade) => outcomeOf(trade, "book")),
    );

    expect(written.trades).toHaveLength(2);
    // Within BEGIN … COMMIT, the row was still held when the statement answered (freeAfter [false]).
    expect(freeAfter).toEqual([true]);
    expect(written.batches).toMatchObject([{ id: batch.id, status: "RUNNING", succeededTrades: 2 }]);
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("closes the batch the write finished right after it, the close numbered after the trades' events", async () => {
    const { batch, trades } = await quotedBatch(3);
    const before = (await batchOf(t.db, batch.id)).eventSequence;

    const written = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(trades[0]!, "book"),
      outcomeOf(trades[1]!, "refuseBooking"),
      outcomeOf(trades[2]!, "book"),
    ]);

    expect(written.trades.map((change) => change.trade.sequence).sort((a, b) => a - b)).toEqual([before + 1, before + 2, before + 3]);
    // The close is a commit of its own: its number carries no trade event, and the publisher announces it.
    expect(written.batches).toMatchObject([
      { id: batch.id, status: "PARTIAL_SUCCESS", eventSequenceFrom: before + 4, eventSequence: before + 4 },
    ]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", eventSequence: before + 4 });
  });

  it("decides the close on the batch as it stands once locked again: a cancel requested in between ends it CANCELLED", async () => {
    const { batch, trades } = await quotedBatch(2);
    let requested = false;
    const prisma = callingAfterEachStatement(t.db.prisma, async () => {
      if (requested || !(await batchRowFree(batch.id))) return;
      requested = true;
      // Only the request's mark: requestCancel itself would close the batch (every trade is final
      // by now), and the close this test watches would find nothing left to decide.
      await t.other.prisma.$executeRaw`UPDATE batch SET cancel_requested_at = now() WHERE id = ${batch.id}::uuid`;
    });

    const written = await recordTradeOutcomes(
      prisma,
      trades.map((trade) => outcomeOf(trade, "book")),
    );

    expect(requested).toBe(true);
    expect(written.trades).toHaveLength(2);
    // Closed from the row the write returned, it would have ended SUCCESS with a cancel request on it.
    expect(written.batches).toMatchObject([{ id: batch.id, status: "CANCELLED", succeededTrades: 2 }]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "CANCELLED" });
  });

  it("a cancel requested between the write and its close ends the batch itself (every trade is final), and the close leaves it", async () => {
    const { batch, trades } = await quotedBatch(2);
    let cancelled: { status: string; eventSequence: number } | null = null;
    const prisma = callingAfterEachStatement(t.db.prisma, async () => {
      if (cancelled || !(await batchRowFree(batch.id))) return;
      cancelled = await t.other.prisma.$transaction(async (tx) => {
        await lockBatch(tx, batch.id);
        return (await requestCancel(tx, batch.id)).batch;
      });
    });

    const written = await recordTradeOutcomes(
      prisma,
      trades.map((trade) => outcomeOf(trade, "book")),
    );

    expect(cancelled).toMatchObject({ status: "CANCELLED" });
    // The writer closed nothing: its answer is the batch as its statement left it, older than the cancel's.
    expect(written.batches).toMatchObject([{ id: batch.id, status: "RUNNING", succeededTrades: 2 }]);
    expect(written.batches[0]!.eventSequence).toBeLessThan(cancelled!.eventSequence);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({
      status: "CANCELLED",
      succeededTrades: 2,
      eventSequence: cancelled!.eventSequence,
    });
  });

  it("the sweeper, given a quiet time, leaves a batch just finished to the writer that closes it", async () => {
    const { batch, trades } = await quotedBatch(2);
    const swept: unknown[][] = [];
    const prisma = callingAfterEachStatement(t.db.prisma, async () => {
      if (swept.length === 0) swept.push(await t.other.prisma.$transaction((tx) => finishSettledBatches(tx, 2_000)));
    });

    const written = await recordTradeOutcomes(
      prisma,
      trades.map((trade) => outcomeOf(trade, "book")),
    );

    // Without the quiet time the sweeper finished it in between, reporting the write as lost.
    expect(swept).toEqual([[]]);
    expect(written.batches).toMatchObject([{ id: batch.id, status: "SUCCESS" }]);
  });
});
