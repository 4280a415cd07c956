import { TRADE_MOVES, TRADE_STATUSES, type TradeMoveName } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/client";
import { batchesOfTrades, theBatch } from "../src/sql/fragments";
import { moveTrades } from "../src/sql/move-trades";
import { openTestDatabase, setRunning, setTradeStatus, sorted, stageBatch, type TestContext, tradesOf } from "./helpers";

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
      join: {
        relation: Prisma.sql`unnest(${[third!.id, first!.id]}::uuid[], ${["third", "first"]}::text[]) AS q(id, note)`,
        on: Prisma.sql`q.id = trade.id`,
      },
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
});
