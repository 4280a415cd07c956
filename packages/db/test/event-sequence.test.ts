import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { approveBatchRow, queueBatch, recordTradeOutcomes } from "../src/index";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { listTradesChangedAfter } from "../src/sql/trade-reads";
import { markTradesQuoted } from "../src/sql/trade-results";
import {
  batchOf,
  holdInTransaction,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  runningBatch,
  stageBatch,
  type TestContext,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const sequences = (changes: readonly { trade: { sequence: number } }[]) => changes.map((c) => c.trade.sequence);

describe("a batch's event sequence", () => {
  it("gives each moved trade the next number of its batch, and the batch the last one", async () => {
    const { batch } = await runningBatch(t.db, 5);
    const before = (await batchOf(t.db, batch.id)).eventSequence;
    const first = await claimPendingTrades(t.db.prisma, batch.id, 3);
    const second = await claimPendingTrades(t.db.prisma, batch.id, 2);
    expect(sequences(first).sort((a, b) => a - b)).toEqual([before + 1, before + 2, before + 3]);
    expect(sequences(second).sort((a, b) => a - b)).toEqual([before + 4, before + 5]);
    const after = await batchOf(t.db, batch.id);
    expect(after.eventSequence).toBe(before + 5);
    expect(after.eventSequenceFrom).toBe(before + 4);
  });

  it("numbers a change of the batch alone once per transaction, however many statements change it", async () => {
    const batch = await stageBatch(t.db, 1);
    expect(batch.eventSequence).toBe(0);
    const approver = { id: "00000000-0000-4000-8000-00000000abcd", name: "approver@example.com" };
    await t.db.prisma.$transaction(async (tx) => {
      await approveBatchRow(tx, batch.id, approver);
      await queueBatch(tx, batch.id);
    });
    const approved = await batchOf(t.db, batch.id);
    expect([approved.eventSequenceFrom, approved.eventSequence]).toEqual([1, 1]);
    await queueBatch(t.db.prisma, batch.id);
    const queued = await batchOf(t.db, batch.id);
    expect([queued.eventSequenceFrom, queued.eventSequence]).toEqual([2, 2]);
  });

  it("gives a transaction that moves trades and updates counters one range, with no number for the counters", async () => {
    const { batch } = await runningBatch(t.db, 4);
    await claimPendingTrades(t.db.prisma, batch.id, 4);
    const trades = await tradesOf(t.db, batch.id);
    const quoted = await markTradesQuoted(
      t.db.prisma,
      trades.map((trade) => quoteOf(trade)),
    );
    const quotedTrades = await tradesOf(t.db, batch.id);
    const before = (await batchOf(t.db, batch.id)).eventSequence;
    const committed = await recordTradeOutcomes(t.db.prisma, [
      outcomeOf(quotedTrades[0]!, "book"),
      outcomeOf(quotedTrades[1]!, "refuseBooking"),
    ]);
    expect(quoted).toHaveLength(4);
    expect(sequences(committed.trades).sort((a, b) => a - b)).toEqual([before + 1, before + 2]);
    expect(committed.batches[0]).toMatchObject({ eventSequenceFrom: before + 1, eventSequence: before + 2 });
  });

  it("follows commit order: a transaction waiting for the batch takes its numbers after the one holding it commits", async () => {
    const { batch } = await runningBatch(t.db, 4);
    let held: number[] = [];
    const release = await holdInTransaction(t.db, async (tx) => {
      held = sequences(await claimPendingTrades(tx, batch.id, 2));
    });
    const waiting = claimPendingTrades(t.other.prisma, batch.id, 2);
    const state = await Promise.race([waiting.then(() => "done"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 300))]);
    expect(state).toBe("waiting");
    await release();
    const later = sequences(await waiting);
    expect(Math.min(...later)).toBeGreaterThan(Math.max(...held));
  });

  it("reads a batch's trades changed after a number, each once as it stands now, in event order", async () => {
    const { batch } = await runningBatch(t.db, 3);
    await claimPendingTrades(t.db.prisma, batch.id, 3);
    const claimed = await tradesOf(t.db, batch.id);
    const mark = (await batchOf(t.db, batch.id)).eventSequence;
    await markTradesQuoted(t.db.prisma, [quoteOf(claimed[2]!), quoteOf(claimed[0]!)]);
    const missed = await listTradesChangedAfter(t.db.prisma, batch.id, { after: mark, limit: 10 });
    expect(missed.map((trade) => trade.sequence)).toEqual([mark + 1, mark + 2]);
    expect(missed.map((trade) => [trade.rowNumber, trade.status]).sort()).toEqual([
      [1, "QUOTED"],
      [3, "QUOTED"],
    ]);
    const everything = await listTradesChangedAfter(t.db.prisma, batch.id, { after: 0, limit: 10 });
    expect(everything.map((trade) => [trade.rowNumber, trade.status])).toEqual([
      [2, "EXECUTING"],
      ...missed.map((trade) => [trade.rowNumber, "QUOTED"]),
    ]);
    const bounded = await listTradesChangedAfter(t.db.prisma, batch.id, { after: mark, through: mark + 1, limit: 10 });
    expect(bounded.map((trade) => trade.id)).toEqual([missed[0]!.id]);
  });

  it("stamps updatedAt with the time of the batch's last write, not the start of its transaction", async () => {
    const batch = await stageBatch(t.db, 1);
    const { started, written } = await t.db.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ started: Date }[]>`SELECT now() AS started`;
      const started = row!.started;
      await tx.$executeRaw`SELECT pg_sleep(0.3)`;
      const written = await queueBatch(tx, batch.id);
      return { started, written };
    });
    expect(written.updatedAt.getTime() - started.getTime()).toBeGreaterThanOrEqual(300);
  });
});
