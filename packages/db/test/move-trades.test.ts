import { TRADE_MOVES, TRADE_STATUSES, type TradeMoveName } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/client";
import { batchesOfTrades, theBatch } from "../src/sql/fragments";
import { moveTrades, moveTradesOfBatches } from "../src/sql/move-trades";
import { batchOf, openTestDatabase, setRunning, setTradeStatus, sorted, stageBatch, type TestContext, tradesOf } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/** A claim's own assignments: every move may start a new attempt, which needs a new key. */
const NEW_ATTEMPT = Prisma.sql`attempts = t.attempts + 1, idempotency_key = t.id::text || ':' || (t.attempts + 1)`;

/** A RUNNING batch with one trade in each status, in the order of TRADE_STATUSES. */
async function oneTradePerStatus() {
  const batch = await stageBatch(t.db, TRADE_STATUSES.length);
  await setRunning(t.db.prisma, batch.id);
  const trades = await tradesOf(t.db, batch.id);
  for (const [i, status] of TRADE_STATUSES.entries()) await setTradeStatus(t.db.prisma, [trades[i]!.id], status);
  return { batch, trades };
}

describe("moveTrades", () => {
  it.each(Object.keys(TRADE_MOVES) as TradeMoveName[])(
    "%s moves exactly the trades in the statuses TRADE_MOVES says it starts from, to the status it says",
    async (name) => {
      const { from, to } = TRADE_MOVES[name];
      const { batch, trades } = await oneTradePerStatus();

      const changes = await moveTrades(t.db.prisma, name, {
        batches: theBatch(batch.id),
        where: Prisma.sql`trade.batch_id = ${batch.id}::uuid`,
        set: [NEW_ATTEMPT],
      });

      expect(sorted(changes.map((c) => c.previousStatus))).toEqual(sorted(from));
      expect(changes.every((c) => c.trade.status === to)).toBe(true);
      const after = await tradesOf(t.db, batch.id);
      expect(after.map((trade) => trade.status)).toEqual(
        TRADE_STATUSES.map((status) => ((from as readonly string[]).includes(status) ? to : status)),
      );
      expect(sorted(changes.map((c) => c.trade.id))).toEqual(
        sorted(trades.filter((_, i) => (from as readonly string[]).includes(TRADE_STATUSES[i]!)).map((trade) => trade.id)),
      );
    },
  );

  it("takes the trades in the order asked, up to the limit, and only those `where` picks", async () => {
    const batch = await stageBatch(t.db, 6);
    const other = await stageBatch(t.db, 2);
    const changes = await moveTrades(t.db.prisma, "cancel", {
      batches: Prisma.sql`batch.id = ANY(${[batch.id, other.id]}::uuid[])`,
      where: Prisma.sql`trade.batch_id = ${batch.id}::uuid`,
      order: Prisma.sql`trade.row_number DESC`,
      limit: 2,
    });
    expect(changes.map((c) => c.trade.rowNumber).sort()).toEqual([5, 6]);
    expect((await tradesOf(t.db, batch.id)).map((trade) => trade.status)).toEqual([
      "PENDING",
      "PENDING",
      "PENDING",
      "PENDING",
      "CANCELLED",
      "CANCELLED",
    ]);
    expect((await tradesOf(t.db, other.id)).map((trade) => trade.status)).toEqual(["PENDING", "PENDING"]);
  });

  it("picks trades through a joined relation and sets columns from it", async () => {
    const batch = await stageBatch(t.db, 3);
    const [first, , third] = await tradesOf(t.db, batch.id);
    const changes = await moveTrades(t.db.prisma, "cancel", {
      batches: batchesOfTrades([third!.id, first!.id]),
      byId: Prisma.sql`unnest(${[third!.id, first!.id]}::uuid[], ${["third", "first"]}::text[]) AS q(id, note)`,
      where: Prisma.sql`TRUE`,
      carry: [Prisma.sql`q.note`],
      set: [Prisma.sql`error_message = picked.note`],
    });
    expect(changes.map((c) => [c.trade.rowNumber, c.trade.errorMessage]).sort()).toEqual([
      [1, "first"],
      [3, "third"],
    ]);
    expect((await tradesOf(t.db, batch.id)).map((trade) => [trade.status, trade.errorMessage])).toEqual([
      ["CANCELLED", "first"],
      ["PENDING", null],
      ["CANCELLED", "third"],
    ]);
  });

  it("moves only trades of the batches `batches` names, whatever `where` says", async () => {
    const batch = await stageBatch(t.db, 2);
    const other = await stageBatch(t.db, 2);
    const changes = await moveTrades(t.db.prisma, "cancel", { batches: theBatch(batch.id), where: Prisma.sql`TRUE` });
    expect(changes.map((c) => c.trade.batchId)).toEqual([batch.id, batch.id]);
    expect((await tradesOf(t.db, other.id)).map((trade) => trade.status)).toEqual(["PENDING", "PENDING"]);
  });

  it("makes several moves in one statement, each trade held to its own move, counts the final ones and returns each batch once", async () => {
    const { batch, trades } = await oneTradePerStatus();
    const before = await batchOf(t.db, batch.id);
    // Each trade names the move its status would take, or one it cannot take (refuseBooking from anything but QUOTED).
    const moveOf = (status: string) => (status === "EXECUTING" ? "refuseQuote" : status === "QUOTED" ? "book" : "refuseBooking");
    const moves = TRADE_STATUSES.map(moveOf);

    const { trades: changes, batches } = await moveTradesOfBatches(t.db.prisma, ["book", "refuseQuote", "refuseBooking"], {
      batches: theBatch(batch.id),
      byId: Prisma.sql`unnest(${trades.map((trade) => trade.id)}::uuid[], ${moves}::text[]) AS q(id, move)`,
      moveOf: Prisma.sql`q.move`,
      where: Prisma.sql`TRUE`,
      countsFinal: true,
    });

    expect(sorted(changes.map((c) => `${c.previousStatus} → ${c.trade.status}`))).toEqual(["EXECUTING → FAILED", "QUOTED → SUCCESS"]);
    expect((await tradesOf(t.db, batch.id)).map((trade) => trade.status)).toEqual(
      TRADE_STATUSES.map((status) => (status === "EXECUTING" ? "FAILED" : status === "QUOTED" ? "SUCCESS" : status)),
    );
    expect(batches).toHaveLength(1);
    const [after] = batches;
    expect(after).toEqual(await batchOf(t.db, batch.id));
    expect(after).toMatchObject({
      succeededTrades: before.succeededTrades + 1,
      failedTrades: before.failedTrades + 1,
      cancelledTrades: before.cancelledTrades,
      eventSequenceFrom: before.eventSequence + 1,
      eventSequence: before.eventSequence + 2,
    });
    expect(sorted(changes.map((c) => c.trade.sequence))).toEqual([before.eventSequence + 1, before.eventSequence + 2]);
  });

  it("moves the trades of several batches in one statement: each batch counts and numbers its own, and one with none moved is left alone", async () => {
    const a = await oneTradePerStatus();
    const b = await oneTradePerStatus();
    const c = await oneTradePerStatus();
    // b: a second QUOTED trade, and a batch change of its own first, so its numbers start elsewhere than a's.
    await setTradeStatus(t.db.prisma, [b.trades[TRADE_STATUSES.indexOf("PENDING")]!.id], "QUOTED");
    await t.db.prisma.$executeRaw`UPDATE batch SET priority = 1 WHERE id = ${b.batch.id}::uuid`;
    const before = new Map(await Promise.all([a, b, c].map(async ({ batch }) => [batch.id, await batchOf(t.db, batch.id)] as const)));
    // a: EXECUTING refuses its quote, QUOTED is booked; b: both QUOTED are booked; c: none can move (book from EXECUTING).
    const picks = [
      ...a.trades.map((trade, i) => [trade.id, TRADE_STATUSES[i] === "EXECUTING" ? "refuseQuote" : "book"]),
      ...b.trades.map((trade) => [trade.id, "book"]),
      [c.trades[TRADE_STATUSES.indexOf("EXECUTING")]!.id, "book"],
    ];

    const { trades: changes, batches } = await moveTradesOfBatches(t.db.prisma, ["book", "refuseQuote"], {
      batches: Prisma.sql`batch.id = ANY(${[a.batch.id, b.batch.id, c.batch.id]}::uuid[])`,
      byId: Prisma.sql`unnest(${picks.map(([id]) => id)}::uuid[], ${picks.map(([, move]) => move)}::text[]) AS q(id, move)`,
      moveOf: Prisma.sql`q.move`,
      where: Prisma.sql`TRUE`,
      countsFinal: true,
    });

    // In the order picked (by id), whichever batch each trade is of.
    expect(changes.map((change) => change.trade.id)).toEqual(sorted(changes.map((change) => change.trade.id)));
    const changesOf = (batchId: string) => changes.filter((change) => change.trade.batchId === batchId);
    expect(sorted(changesOf(a.batch.id).map((change) => `${change.previousStatus} → ${change.trade.status}`))).toEqual([
      "EXECUTING → FAILED",
      "QUOTED → SUCCESS",
    ]);
    expect(changesOf(b.batch.id).map((change) => `${change.previousStatus} → ${change.trade.status}`)).toEqual([
      "QUOTED → SUCCESS",
      "QUOTED → SUCCESS",
    ]);
    expect(changesOf(c.batch.id)).toEqual([]);

    // Each moved batch returned once, as it now is, with its own counters and its own range of numbers.
    expect(sorted(batches.map((batch) => batch.id))).toEqual(sorted([a.batch.id, b.batch.id]));
    for (const [id, { succeeded, failed }] of [
      [a.batch.id, { succeeded: 1, failed: 1 }],
      [b.batch.id, { succeeded: 2, failed: 0 }],
    ] as const) {
      const was = before.get(id)!;
      const returned = batches.find((batch) => batch.id === id);
      expect(returned).toEqual(await batchOf(t.db, id));
      expect(returned).toMatchObject({
        succeededTrades: was.succeededTrades + succeeded,
        failedTrades: was.failedTrades + failed,
        cancelledTrades: was.cancelledTrades,
        eventSequenceFrom: was.eventSequence + 1,
        eventSequence: was.eventSequence + 2,
      });
      // Numbered in the order picked, within the batch.
      expect(changesOf(id).map((change) => change.trade.sequence)).toEqual([was.eventSequence + 1, was.eventSequence + 2]);
    }
    expect(before.get(a.batch.id)!.eventSequence).not.toBe(before.get(b.batch.id)!.eventSequence);
    expect(await batchOf(t.db, c.batch.id)).toEqual(before.get(c.batch.id));
  });

  it("refuses moves that cannot share a statement (one starts an attempt, another ends one)", async () => {
    const batch = await stageBatch(t.db, 1);
    await expect(
      moveTradesOfBatches(t.db.prisma, ["claim", "book"], {
        batches: theBatch(batch.id),
        where: Prisma.sql`TRUE`,
        moveOf: Prisma.sql`'claim'`,
      }),
    ).rejects.toThrow(/cannot share one statement/);
  });
});
