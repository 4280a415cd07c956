import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertFinishedBatch } from "../src/archive-fixtures";
import {
  deleteOneStaleStagedBatch,
  flagExpiredBatches,
  listBatchesToMove,
  moveTradeChunk,
  releaseArchiveLock,
  tryArchiveLock,
} from "../src/sql/archive";
import { tradesFrom } from "../src/sql/fragments";
import { findTrade, findTradeAttempts, pageBatchTrades } from "../src/sql/trade-reads";
import { openTestDatabase, setBatch, stageBatch, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

/** What must never change by archiving: counts and exact sums over both tables, per batch. */
async function ledgerOf(batchId: string) {
  const [row] = await t.db.prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT count(*)::int AS trades, count(*) FILTER (WHERE status = 'SUCCESS')::int AS booked,
           sum(amount)::text AS amount, sum(sell_amount)::text AS sold, count(DISTINCT id)::int AS distinct_ids,
           (SELECT count(*)::int FROM ${tradesFrom("both")} JOIN trade_attempt_archive a ON a.trade_id = trade.id WHERE trade.batch_id = ${batchId}::uuid)
             + (SELECT count(*)::int FROM trade_attempt a JOIN trade t ON t.id = a.trade_id WHERE t.batch_id = ${batchId}::uuid) AS attempts
    FROM ${tradesFrom("both")} WHERE batch_id = ${batchId}::uuid`;
  return row;
}

async function counts(batchId: string) {
  const [row] = await t.db.prisma.$queryRaw<{ hot: number; archived: number }[]>`
    SELECT (SELECT count(*)::int FROM trade WHERE batch_id = ${batchId}::uuid) AS hot,
           (SELECT count(*)::int FROM trade_archive WHERE batch_id = ${batchId}::uuid) AS archived`;
  return row!;
}

async function withClient<T>(work: (client: import("pg").PoolClient) => Promise<T>): Promise<T> {
  const client = await t.db.pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

describe("archive tables", () => {
  it("have exactly the hot tables' columns, names and types", async () => {
    const columns = (table: string) => t.db.prisma.$queryRaw<unknown[]>`
      SELECT column_name, data_type, udt_name, character_maximum_length, numeric_precision, numeric_scale, is_nullable
      FROM information_schema.columns WHERE table_name = ${table} ORDER BY column_name`;
    expect(await columns("trade_archive")).toEqual(await columns("trade"));
    expect(await columns("trade_attempt_archive")).toEqual(await columns("trade_attempt"));
  });
});

describe("archival", () => {
  it("flags only finished batches completed before the cutoff, oldest first, and audits each", async () => {
    const old = await insertFinishedBatch(t.db.pool, { trades: 20, completedDaysAgo: 120 });
    const recent = await insertFinishedBatch(t.db.pool, { trades: 20, completedDaysAgo: 10 });
    const staged = await stageBatch(t.db, 5);
    const flagged = await withClient((client) => flagExpiredBatches(client, daysAgo(90), 100));
    expect(flagged.map((batch) => batch.id)).toContain(old.id);
    expect(flagged.map((batch) => batch.id)).not.toContain(recent.id);
    expect(flagged.map((batch) => batch.id)).not.toContain(staged.id);
    expect(flagged.every((batch) => batch.archivedAt instanceof Date && typeof batch.eventSequenceTx === "bigint")).toBe(true);
    const [audit] = await t.db.prisma.$queryRaw<{ actor: string; detail: string }[]>`
      SELECT actor, detail FROM audit_event WHERE action = 'ARCHIVE_BATCH' AND batch_id = ${old.id}::uuid`;
    expect(audit).toMatchObject({ actor: "archival", detail: expect.stringContaining(old.batchUid) });
    // A second run finds nothing more to flag among them.
    const again = await withClient((client) => flagExpiredBatches(client, daysAgo(90), 100));
    expect(again.map((batch) => batch.id)).not.toContain(old.id);
  });

  it("moves a chunk at a time; stopped after one chunk and run again, nothing is lost or doubled", async () => {
    const batch = await insertFinishedBatch(t.db.pool, { trades: 250, completedDaysAgo: 200 });
    const before = await ledgerOf(batch.id);
    expect(before).toMatchObject({ trades: 250, attempts: 275 });
    // Not flagged: no chunk moves anything.
    expect(await withClient((client) => moveTradeChunk(client, batch.id, 100))).toEqual({ trades: 0, attempts: 0 });
    await withClient((client) => flagExpiredBatches(client, daysAgo(150), 100));
    const first = await withClient((client) => moveTradeChunk(client, batch.id, 100));
    expect(first.trades).toBe(100);
    // "Crash" here: a new run finds the batch still to move, and readers of both tables see every trade once.
    expect(await counts(batch.id)).toEqual({ hot: 150, archived: 100 });
    expect((await withClient(listBatchesToMove)).map((b) => b.id)).toContain(batch.id);
    expect(await ledgerOf(batch.id)).toEqual(before);
    const page = await pageBatchTrades(t.db.prisma, batch.id, { limit: 300 }, "both");
    expect(page.map((trade) => trade.rowNumber)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    let moved = first.trades;
    for (;;) {
      const chunk = await withClient((client) => moveTradeChunk(client, batch.id, 100));
      if (chunk.trades === 0) break;
      moved += chunk.trades;
    }
    expect(moved).toBe(250);
    expect(await counts(batch.id)).toEqual({ hot: 0, archived: 250 });
    expect(await ledgerOf(batch.id)).toEqual(before);
    expect((await withClient(listBatchesToMove)).map((b) => b.id)).not.toContain(batch.id);
    // Archived trades and attempts are found by id, and their search rows are gone with the hot rows.
    const trade = page[9]!;
    expect(await findTrade(t.db.prisma, trade.id)).toEqual(trade);
    expect(await findTradeAttempts(t.db.prisma, [trade.id])).toHaveLength(2);
    const [search] = await t.db.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM trade_search WHERE trade_id = ${trade.id}::uuid`;
    expect(search!.count).toBe(0);
  });

  it("two movers of one batch at once never move a trade twice", async () => {
    const batch = await insertFinishedBatch(t.db.pool, { trades: 2_000, completedDaysAgo: 300 });
    const before = await ledgerOf(batch.id);
    await withClient((client) => flagExpiredBatches(client, daysAgo(250), 100));
    const mover = async (db: typeof t.db) => {
      const client = await db.pool.connect();
      let moved = 0;
      try {
        for (;;) {
          const chunk = await moveTradeChunk(client, batch.id, 150);
          if (chunk.trades === 0) return moved;
          moved += chunk.trades;
        }
      } finally {
        client.release();
      }
    };
    const [a, b] = await Promise.all([mover(t.db), mover(t.other)]);
    expect(a + b).toBe(2_000);
    expect(await counts(batch.id)).toEqual({ hot: 0, archived: 2_000 });
    expect(await ledgerOf(batch.id)).toEqual(before);
  });

  it("a batch with archived trades cannot be deleted, even by hand", async () => {
    const batch = await insertFinishedBatch(t.db.pool, { trades: 3, completedDaysAgo: 400 });
    await withClient(async (client) => {
      await flagExpiredBatches(client, daysAgo(350), 100);
      await moveTradeChunk(client, batch.id, 100);
    });
    await expect(t.db.pool.query("DELETE FROM batch WHERE id = $1", [batch.id])).rejects.toThrow(/trade_archive_batch_id_fkey/);
  });

  it("the advisory lock is held by one session at a time", async () => {
    const [a, b] = [await t.db.pool.connect(), await t.other.pool.connect()];
    try {
      expect(await tryArchiveLock(a)).toBe(true);
      expect(await tryArchiveLock(b)).toBe(false);
      await releaseArchiveLock(a);
      expect(await tryArchiveLock(b)).toBe(true);
      await releaseArchiveLock(b);
    } finally {
      a.release();
      b.release();
    }
  });
});

describe("clean-up of staged batches", () => {
  it("deletes a batch staged before the cutoff and never started, and nothing else", async () => {
    const stale = await stageBatch(t.db, 4, { name: "stale" });
    const startedLongAgo = await stageBatch(t.db, 4, { name: "queued" });
    const fresh = await stageBatch(t.db, 4, { name: "fresh" });
    await t.db.prisma.$executeRaw`
      UPDATE batch SET created_at = now() - interval '40 days' WHERE id = ANY(${[stale.id, startedLongAgo.id]}::uuid[])`;
    await setBatch(t.db.prisma, startedLongAgo.id, { queuedSecondsAgo: 40 * 86_400 });
    const deleted: string[] = [];
    for (;;) {
      const batch = await withClient((client) => deleteOneStaleStagedBatch(client, daysAgo(30)));
      if (!batch) break;
      deleted.push(batch.id);
    }
    expect(deleted).toEqual([stale.id]);
    const [left] = await t.db.prisma.$queryRaw<{ batches: number; trades: number }[]>`
      SELECT (SELECT count(*)::int FROM batch WHERE id = ANY(${[stale.id, startedLongAgo.id, fresh.id]}::uuid[])) AS batches,
             (SELECT count(*)::int FROM trade WHERE batch_id = ${stale.id}::uuid) AS trades`;
    expect(left).toEqual({ batches: 2, trades: 0 });
    const [audit] = await t.db.prisma.$queryRaw<{ detail: string }[]>`
      SELECT detail FROM audit_event WHERE action = 'DELETE_BATCH' AND batch_id = ${stale.id}::uuid`;
    expect(audit!.detail).toMatch(new RegExp(`^${stale.batchUid}: staged \\d{4}-\\d{2}-\\d{2}, never started$`));
  });
});
