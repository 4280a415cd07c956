import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/client";
import { claimPendingTrades, releaseAbandonedClaims } from "../src/sql/trade-claims";
import { findTradeAttempts } from "../src/sql/trade-reads";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import {
  ageLocks,
  batchOf,
  cancelAsTheApi,
  claimedBatch,
  expectCountersMatchTrades,
  expectRollupMatchesAttempts,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  shuffled,
  sorted,
  statusCounts,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

describe("markTradesQuoted", () => {
  it("saves the quote of each claimed trade and moves it EXECUTING → QUOTED, renewing its lease", async () => {
    const { batch, trades } = await claimedBatch(t.db, 3);
    await ageLocks(
      t.db.prisma,
      trades.map((trade) => trade.id),
      10,
    );
    const before = await tradesOf(t.db, batch.id);
    const startedAt = Date.now();
    const changes = await markTradesQuoted(
      t.db.prisma,
      trades.slice(0, 2).map((trade) => quoteOf(trade)),
    );

    expect(sorted(changes.map((c) => c.trade.id))).toEqual(sorted([trades[0]!.id, trades[1]!.id]));
    expect(changes.every((c) => c.previousStatus === "EXECUTING")).toBe(true);
    const after = await tradesOf(t.db, batch.id);
    expect(after[0]).toMatchObject({
      status: "QUOTED",
      quoteId: "Q-1",
      rate: new Prisma.Decimal("18.1234567891"),
      sellAmount: new Prisma.Decimal("1001.5"),
      buyAmount: new Prisma.Decimal("100.25"),
      idempotencyKey: `${trades[0]!.id}:1`,
    });
    expect(Math.abs(after[0]!.lockedAt!.getTime() - startedAt)).toBeLessThan(5_000);
    expect(after[2]).toMatchObject({ status: "EXECUTING", quoteId: null, rate: null, lockedAt: before[2]!.lockedAt });
    expect(sorted(changes.map((c) => JSON.stringify(c.trade)))).toEqual(sorted(after.slice(0, 2).map((trade) => JSON.stringify(trade))));
  });

  it("drops the quote of a trade cancelled meanwhile: it stays CANCELLED, with no quote", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    await cancelAsTheApi(t.db, batch.id);

    expect(
      await markTradesQuoted(
        t.db.prisma,
        trades.map((trade) => quoteOf(trade)),
      ),
    ).toEqual([]);
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => [trade.status, trade.quoteId, trade.rate])).toEqual([
      ["CANCELLED", null, null],
      ["CANCELLED", null, null],
    ]);
    await expectCountersMatchTrades(t.db, batch.id);
  });

  it("drops the quote of a trade claimed again under another key, and saves the new claim's", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    const [reclaimed, kept] = trades as [(typeof trades)[number], (typeof trades)[number]];
    await ageLocks(t.db.prisma, [reclaimed.id], 120);
    await releaseAbandonedClaims(t.db.prisma, 60_000);
    const [claim] = await claimPendingTrades(t.db.prisma, batch.id, 10);
    expect(claim!.trade.idempotencyKey).toBe(`${reclaimed.id}:2`);

    // The stopped runner's quote (key :1) arrives together with a good one.
    const stale = await markTradesQuoted(t.db.prisma, [quoteOf(reclaimed), quoteOf(kept)]);
    expect(stale.map((c) => c.trade.id)).toEqual([kept.id]);
    expect(await tradesOf(t.db, batch.id)).toMatchObject([
      { status: "EXECUTING", quoteId: null, idempotencyKey: `${reclaimed.id}:2` },
      { status: "QUOTED", quoteId: "Q-2" },
    ]);

    const fresh = await markTradesQuoted(t.db.prisma, [quoteOf(reclaimed, `${reclaimed.id}:2`)]);
    expect(fresh.map((c) => [c.trade.id, c.trade.status, c.trade.quoteId])).toEqual([[reclaimed.id, "QUOTED", "Q-1"]]);
  });
});

describe("recordTradeOutcomes", () => {
  it("writes each move's status and fields, keeps the counters equal to the statuses, and closes the batch PARTIAL_SUCCESS", async () => {
    const { batch, trades } = await claimedBatch(t.db, 4);
    const [row1, row2, row3, row4] = trades as [(typeof trades)[number], ...typeof trades];
    await markTradesQuoted(
      t.db.prisma,
      [row1, row2!, row3!].map((trade) => quoteOf(trade)),
    );

    const first = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(row1, "book"),
      outcomeOf(row2!, "refuseBooking"),
      outcomeOf(row4!, "refuseQuote"),
    ]);

    expect(first.trades.map((c) => [c.trade.rowNumber, c.previousStatus, c.trade.status]).sort()).toEqual([
      [1, "QUOTED", "SUCCESS"],
      [2, "QUOTED", "FAILED"],
      [4, "EXECUTING", "FAILED"],
    ]);
    expect(first.batches).toMatchObject([{ id: batch.id, status: "RUNNING", succeededTrades: 1, failedTrades: 2, cancelledTrades: 0 }]);
    const after = await tradesOf(t.db, batch.id);
    expect(after[0]).toMatchObject({ status: "SUCCESS", transactionId: "T-1", errorCode: null, errorMessage: null, lockedAt: null });
    expect(after[0]!.quoteId).toBe("Q-1");
    expect(after[1]).toMatchObject({
      status: "FAILED",
      transactionId: null,
      errorCode: "BOOKING_REJECTED",
      errorMessage: "refused row 2",
      lockedAt: null,
    });
    expect(after[2]).toMatchObject({ status: "QUOTED", transactionId: null, errorCode: null });
    expect(after[2]!.lockedAt).not.toBeNull();
    expect(after[3]).toMatchObject({ status: "FAILED", errorCode: "QUOTE_REFUSED", errorMessage: "refused row 4", lockedAt: null });
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "RUNNING", completedAt: null });

    const last = await recordTradeOutcomes(t.db.prisma, [outcomeOf(row3!, "book")]);
    expect(last.batches).toMatchObject([{ id: batch.id, status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 2 }]);
    const closed = await expectCountersMatchTrades(t.db, batch.id);
    expect(closed).toMatchObject({ status: "PARTIAL_SUCCESS", queuedAt: null });
    expect(closed.completedAt).not.toBeNull();
  });

  it.each([
    { name: "every trade booked", moves: ["book", "book", "book"], status: "SUCCESS" },
    { name: "every trade refused", moves: ["refuseQuote", "refuseBooking", "refuseQuote"], status: "FAILED" },
    { name: "some booked, some refused", moves: ["refuseQuote", "book", "refuseBooking"], status: "PARTIAL_SUCCESS" },
  ] as const)("closes the batch $status once every trade is final: $name", async ({ moves, status }) => {
    const { batch, trades } = await claimedBatch(t.db, 3);
    const toBook = trades.filter((_, i) => moves[i] !== "refuseQuote");
    await markTradesQuoted(
      t.db.prisma,
      toBook.map((trade) => quoteOf(trade)),
    );
    // One call per trade: the batch stays RUNNING until the last one.
    for (const [i, trade] of trades.entries()) {
      const { batches } = await recordTradeOutcomes(t.db.prisma, [outcomeOf(trade, moves[i]!)]);
      const current = await expectCountersMatchTrades(t.db, batch.id);
      expect(batches).toEqual([current]);
      expect(current.status).toBe(i < trades.length - 1 ? "RUNNING" : status);
    }
  });

  it("drops an outcome whose key is not the trade's current one, or whose move does not start from the trade's status", async () => {
    const { batch, trades } = await claimedBatch(t.db, 3);
    const [quoted, executing, other] = trades as [(typeof trades)[number], ...typeof trades];
    await markTradesQuoted(t.db.prisma, [quoteOf(quoted)]);
    const before = await tradesOf(t.db, batch.id);

    const dropped = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(quoted, "book", `${quoted.id}:2`),
      outcomeOf(executing!, "refuseQuote", `${other!.id}:1`),
      // A booking answer for a trade that was never quoted, a quote refusal for one already quoted.
      outcomeOf(executing!, "book"),
      outcomeOf(quoted, "refuseQuote"),
    ]);

    expect(dropped).toEqual({ trades: [], batches: [] });
    expect(await tradesOf(t.db, batch.id)).toEqual(before);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ succeededTrades: 0, failedTrades: 0, status: "RUNNING" });

    // A result that comes twice counts once.
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(quoted, "book")]);
    const again = await recordTradeOutcomes(t.db.prisma, [outcomeOf(quoted, "book"), outcomeOf(quoted, "refuseBooking")]);
    expect(again.trades).toEqual([]);
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ succeededTrades: 1, failedTrades: 0 });
  });

  it("of two results for one trade in one call, the first in OUTCOME_MOVES order whose move starts from its status wins", async () => {
    const { batch, trades } = await claimedBatch(t.db, 4);
    const [quotedBooked, quotedRefused, executingBooked, executingTwice] = trades as [(typeof trades)[number], ...typeof trades];
    await markTradesQuoted(t.db.prisma, [quoteOf(quotedBooked), quoteOf(quotedRefused!)]);
    const before = await batchOf(t.db, batch.id);
    const second = { ...outcomeOf(executingTwice!, "refuseQuote"), errorMessage: "the later refusal" };

    // Each pair is given against the moves' order (book, refuseQuote, refuseBooking).
    const { trades: changed, batches } = await recordTradeOutcomes(t.db.prisma, [
      // QUOTED: book outranks refuseBooking, and both start from QUOTED: booked.
      outcomeOf(quotedBooked, "refuseBooking"),
      outcomeOf(quotedBooked, "book"),
      // QUOTED: refuseQuote outranks refuseBooking but cannot start from QUOTED: the refused booking is written.
      outcomeOf(quotedRefused!, "refuseBooking"),
      outcomeOf(quotedRefused!, "refuseQuote"),
      // EXECUTING: book outranks refuseQuote but cannot start from EXECUTING: the refused quote is written.
      outcomeOf(executingBooked!, "refuseQuote"),
      outcomeOf(executingBooked!, "book"),
      // The same move twice: the first given wins.
      outcomeOf(executingTwice!, "refuseQuote"),
      second,
    ]);

    expect(changed.map((c) => [c.trade.rowNumber, c.previousStatus, c.trade.status, c.trade.errorCode]).sort()).toEqual([
      [1, "QUOTED", "SUCCESS", null],
      [2, "QUOTED", "FAILED", "BOOKING_REJECTED"],
      [3, "EXECUTING", "FAILED", "QUOTE_REFUSED"],
      [4, "EXECUTING", "FAILED", "QUOTE_REFUSED"],
    ]);
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => [trade.transactionId, trade.errorMessage])).toEqual([
      ["T-1", null],
      [null, "refused row 2"],
      [null, "refused row 3"],
      [null, "refused row 4"],
    ]);
    // One attempt each, ended once, with the winning result.
    const attempts = await findTradeAttempts(
      t.db.prisma,
      trades.map((trade) => trade.id),
    );
    const attemptOf = new Map(attempts.map((a) => [a.tradeId, a]));
    expect(attempts).toHaveLength(4);
    expect(trades.map((trade) => attemptOf.get(trade.id)).map((a) => [a?.number, a?.outcome, a?.errorCode, a?.errorMessage])).toEqual([
      [1, "BOOKED", null, null],
      [1, "REFUSED", "BOOKING_REJECTED", "refused row 2"],
      [1, "REFUSED", "QUOTE_REFUSED", "refused row 3"],
      [1, "REFUSED", "QUOTE_REFUSED", "refused row 4"],
    ]);
    // Each trade counted and numbered once: four moves, four answers, four event numbers.
    const closed = await expectCountersMatchTrades(t.db, batch.id);
    expect(batches).toEqual([closed]);
    expect(closed).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 1, failedTrades: 3, answeredTrades: 4 });
    expect(closed.eventSequence - before.eventSequence).toBe(4);
    expect(sorted(after.map((trade) => trade.sequence - before.eventSequence))).toEqual([1, 2, 3, 4]);
    expect(await expectRollupMatchesAttempts(t.db)).toBeDefined();
  });

  it("drops the outcome of a trade cancelled meanwhile", async () => {
    const { batch, trades } = await claimedBatch(t.db, 2);
    await cancelAsTheApi(t.db, batch.id);
    const { trades: changed } = await recordTradeOutcomes(
      t.db.prisma,
      trades.map((trade) => outcomeOf(trade, "refuseQuote")),
    );
    expect(changed).toEqual([]);
    expect(await statusCounts(t.db.prisma, batch.id)).toEqual({ CANCELLED: 2 });
    expect(await expectCountersMatchTrades(t.db, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 2, failedTrades: 0 });
  });

  it("writes outcomes of several batches in one call, each batch counting its own", async () => {
    const a = await claimedBatch(t.db, 2);
    const b = await claimedBatch(t.db, 3);
    await markTradesQuoted(t.db.prisma, [quoteOf(a.trades[0]!), quoteOf(b.trades[0]!)]);

    const { batches } = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(a.trades[0]!, "book"),
      outcomeOf(b.trades[0]!, "book"),
      outcomeOf(a.trades[1]!, "refuseQuote"),
      outcomeOf(b.trades[1]!, "refuseQuote"),
    ]);

    expect(sorted(batches.map((batch) => `${batch.id} ${batch.status} ${batch.succeededTrades}/${batch.failedTrades}`))).toEqual(
      sorted([`${a.batch.id} PARTIAL_SUCCESS 1/1`, `${b.batch.id} RUNNING 1/1`]),
    );
    await expectCountersMatchTrades(t.db, a.batch.id);
    await expectCountersMatchTrades(t.db, b.batch.id);
  });
});

describe("writes racing a cancel (the API's transaction: lockBatch, then cancelBatchTrades)", () => {
  it("recordTradeOutcomes and a cancel on overlapping trades finish without a deadlock, counters equal to the statuses", async () => {
    for (let round = 0; round < 20; round++) {
      const { batch, trades } = await claimedBatch(t.db, 40);
      const quoted = trades.filter((trade) => trade.rowNumber! % 2 === 0);
      await markTradesQuoted(
        t.db.prisma,
        quoted.map((trade) => quoteOf(trade)),
      );
      const outcomes = shuffled(
        trades.map((trade) => outcomeOf(trade, trade.rowNumber! % 2 === 0 ? "book" : "refuseQuote")),
        round + 1,
      );

      const [written, cancelled] = await Promise.all([recordTradeOutcomes(t.db.prisma, outcomes), cancelAsTheApi(t.other, batch.id)]);

      const counts = await statusCounts(t.db.prisma, batch.id);
      const final = await expectCountersMatchTrades(t.db, batch.id);
      // QUOTED trades are never cancelled: all 20 are booked. The 20 EXECUTING ones went one way or the other, all together.
      expect(counts.SUCCESS).toBe(20);
      if (cancelled && cancelled.trades.length === 0) {
        // The outcomes committed first, the cancel came before the write's close (its own commit, a
        // moment later: recordTradeOutcomes), so it found the batch still RUNNING, as if requested
        // while the last booking was in flight: nothing left to cancel, and the batch ends CANCELLED.
        expect(counts).toEqual({ SUCCESS: 20, FAILED: 20 });
        expect(written.trades).toHaveLength(40);
        expect(final.status).toBe("CANCELLED");
      } else if (cancelled) {
        expect(cancelled.trades.map((c) => c.previousStatus)).toEqual(Array(20).fill("EXECUTING"));
        expect(counts).toEqual({ SUCCESS: 20, CANCELLED: 20 });
        expect(written.trades).toHaveLength(20);
        expect(final.status).toBe("CANCELLED");
      } else {
        // The outcomes came first and closed the batch: the API refuses to cancel a finished batch.
        expect(counts).toEqual({ SUCCESS: 20, FAILED: 20 });
        expect(written.trades).toHaveLength(40);
        expect(final.status).toBe("PARTIAL_SUCCESS");
      }
    }
  });

  it("markTradesQuoted and a cancel on the same trades finish without a deadlock; a cancelled trade never gets a quote", async () => {
    // Locking trades in the order the quotes came (as before), this deadlocked in 1 to 6 of 20 rounds of 100 trades.
    const TRADES = 100;
    for (let round = 0; round < 20; round++) {
      const { batch, trades } = await claimedBatch(t.db, TRADES);
      // Quotes come in any order; both statements must lock the trades in the same (id) order.
      const quotes = shuffled(
        trades.map((trade) => quoteOf(trade)),
        round + 7,
      );

      // The quote write starts as soon as the cancel holds the batch, so both statements run at once.
      let batchLocked!: () => void;
      const cancelling = new Promise<void>((resolve) => {
        batchLocked = resolve;
      });
      const [quotedChanges, cancelled] = await Promise.all([
        cancelling.then(() => markTradesQuoted(t.db.prisma, quotes)),
        cancelAsTheApi(t.other, batch.id, batchLocked),
      ]);

      const after = await tradesOf(t.db, batch.id);
      const quotedIds = after.filter((trade) => trade.status === "QUOTED").map((trade) => trade.id);
      const cancelledIds = after.filter((trade) => trade.status === "CANCELLED").map((trade) => trade.id);
      expect(quotedIds.length + cancelledIds.length).toBe(TRADES);
      expect(sorted(quotedChanges.map((c) => c.trade.id))).toEqual(sorted(quotedIds));
      expect(sorted(cancelled!.trades.map((c) => c.trade.id))).toEqual(sorted(cancelledIds));
      expect(after.filter((trade) => trade.status === "CANCELLED" && trade.quoteId !== null)).toEqual([]);
      expect(after.filter((trade) => trade.status === "QUOTED" && trade.quoteId !== `Q-${trade.rowNumber}`)).toEqual([]);
      const final = await expectCountersMatchTrades(t.db, batch.id);
      expect(final.cancelRequestedAt).not.toBeNull();
      expect(final.status).toBe(quotedIds.length === 0 ? "CANCELLED" : "RUNNING");
    }
  });
});
