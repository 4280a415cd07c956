import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertFinishedBatch } from "../src/archive-fixtures";
import { connectDatabase, type Database } from "../src/client";
import { toTradeView } from "../src/rows";
import {
  deleteOneStaleStagedBatch,
  flagExpiredBatches,
  listBatchesToMove,
  moveTradeChunk,
  releaseArchiveLock,
  tryArchiveLock,
} from "../src/sql/archive";
import { deleteBatchRow } from "../src/sql/batch-lifecycle";
import { createTradeOnce, type TradeDestination } from "../src/sql/create-trade";
import { tradesFrom } from "../src/sql/fragments";
import { findTrade, findTradeAttempts, pageBatchTrades } from "../src/sql/trade-reads";
import { openTestDatabase, setBatch, stageBatch, type TestContext, tradeRows } from "./helpers";

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

describe("trades entered by hand", () => {
  /** One trade entered by hand, as createTrade saves it, into a staged batch or into a batch of its own. */
  async function enterByHand(destination: TradeDestination, reference: string) {
    const { rowNumber: _, ...trade } = tradeRows(1, () => ({ reference }))[0]!;
    const made = await createTradeOnce(t.db.prisma, {
      trade,
      destination,
      partner: null,
      createdById: null,
      createdBy: null,
      entryKey: null,
      requestHash: "0".repeat(64),
      onCreated: async () => {},
    });
    if (made.kind !== "created") throw new Error(`not created: ${made.kind}`);
    return made;
  }

  it("keep their mark when archived: their position moves with them, and they still show no CSV row", async () => {
    const staged = await stageBatch(t.db, 2);
    await enterByHand({ kind: "batch", batchId: staged.id, admit: async () => ({ approvalRequired: false }) }, "BY-HAND-1");
    const alone = await enterByHand({ kind: "alone", batch: { name: "one trade", priority: 0 } }, "BY-HAND-2");
    const batchIds = [staged.id, alone.batch.id];
    await t.db.prisma.$executeRaw`
      UPDATE batch SET status = 'SUCCESS', completed_at = now() - interval '500 days' WHERE id = ANY(${batchIds}::uuid[])`;
    await withClient(async (client) => {
      await flagExpiredBatches(client, daysAgo(450), 100);
      for (const id of batchIds) await moveTradeChunk(client, id, 100);
    });
    expect(await counts(staged.id)).toEqual({ hot: 0, archived: 3 });

    const archived = await t.db.prisma.$queryRaw<{ batch: string; row: number; enteredSingly: boolean }[]>`
      SELECT batch_id::text AS batch, row_number AS row, entered_singly AS "enteredSingly" FROM trade_archive
      WHERE batch_id = ANY(${batchIds}::uuid[]) ORDER BY batch_id = ${staged.id}::uuid DESC, row_number`;
    expect(archived).toEqual([
      { batch: staged.id, row: 1, enteredSingly: false },
      { batch: staged.id, row: 2, enteredSingly: false },
      { batch: staged.id, row: 3, enteredSingly: true },
      { batch: alone.batch.id, row: 1, enteredSingly: true },
    ]);
    const shown = async (batchId: string) =>
      (await pageBatchTrades(t.db.prisma, batchId, { limit: 10 }, "both")).map((row) => toTradeView(row).rowNumber);
    expect(await shown(staged.id)).toEqual([1, 2, null]);
    expect(await shown(alone.batch.id)).toEqual([null]);
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

describe("moving a chunk on a connection that moved small batches before", () => {
  // Each archived attempt's trade_id is checked against trade_archive with a plan the connection
  // keeps: one made while trade_archive was a page is a sequential scan, and every chunk adds to
  // what each check then reads (5,000-trade chunks took 3, 5, then 12 s instead of 1-2).
  // moveTradeChunk drops the connection's plans first (discardCachedPlans).
  it("reads no trade_archive row per archived attempt, whatever plans the connection holds", async () => {
    const own = await openTestDatabase();
    const one = connectDatabase({ url: own.database.url, maxConnections: 1 });
    const client = await one.pool.connect();
    try {
      const archiveNow = async (trades: number) => {
        const batch = await insertFinishedBatch(own.db.pool, { trades, completedDaysAgo: 100 });
        await flagExpiredBatches(client, new Date(), 10);
        return batch;
      };
      // More than five checks make the connection keep a generic plan; after the analyze,
      // trade_archive is one page and the plan kept is a sequential scan.
      await moveTradeChunk(client, (await archiveNow(8)).id, 100);
      await own.db.pool.query("VACUUM ANALYZE trade_archive");
      await moveTradeChunk(client, (await archiveNow(8)).id, 100);

      const large = await archiveNow(3_000);
      // The small moves' counts are reported, not left in what pg_stat_xact_user_tables shows next.
      await client.query("SELECT pg_stat_force_next_flush()");
      await client.query("BEGIN");
      const moved = await moveTradeChunk(client, large.id, 3_000);
      const { rows } = await client.query<{ seqScans: number }>(
        `SELECT seq_scan::int AS "seqScans" FROM pg_stat_xact_user_tables WHERE relname = 'trade_archive'`,
      );
      await client.query("COMMIT");
      expect(moved.attempts).toBeGreaterThan(3_000);
      expect(rows[0]!.seqScans).toBeLessThan(10);
    } finally {
      client.release();
      await one.close();
      await own.close();
    }
  });
});

describe("deleting a staged batch on a connection that deleted small ones before", () => {
  // The cascade deletes each trade's attempts by a statement per trade, with a plan the connection
  // keeps: one made while trade_attempt was a page reads all of it per trade once it has grown
  // (5,000 trades against 100,000 attempts: 196 s instead of 1). Both deletes drop the
  // connection's plans first (discardCachedPlans).
  type SeqScans = { seqScans: number }[];
  /** Deletes the batch and counts trade_attempt's sequential scans in the same transaction. */
  const deletes: Record<string, (db: Database, id: string) => Promise<number>> = {
    deleteOneStaleStagedBatch: async (db) => {
      const client = await db.pool.connect();
      try {
        await client.query("BEGIN");
        await deleteOneStaleStagedBatch(client, daysAgo(30));
        const { rows } = await client.query<SeqScans[number]>(
          `SELECT seq_scan::int AS "seqScans" FROM pg_stat_xact_user_tables WHERE relname = 'trade_attempt'`,
        );
        await client.query("COMMIT");
        return rows[0]?.seqScans ?? 0;
      } finally {
        client.release();
      }
    },
    deleteBatchRow: (db, id) =>
      db.prisma.$transaction(async (tx) => {
        await deleteBatchRow(tx, id);
        const [row] = await tx.$queryRaw<SeqScans>`
          SELECT seq_scan::int AS "seqScans" FROM pg_stat_xact_user_tables WHERE relname = 'trade_attempt'`;
        return row?.seqScans ?? 0;
      }),
  };

  for (const [name, deleteBatch] of Object.entries(deletes)) {
    it(`${name} reads no trade_attempt row per deleted trade, whatever plans the connection holds`, async () => {
      const own = await openTestDatabase();
      const one = connectDatabase({ url: own.database.url, maxConnections: 1 });
      try {
        const staleStaged = async (trades: number) => {
          const batch = await stageBatch(own.db, trades, { name: "stale" });
          await own.db.prisma.$executeRaw`UPDATE batch SET created_at = now() - interval '40 days' WHERE id = ${batch.id}::uuid`;
          return batch;
        };
        // More than five trades deleted make the connection keep a generic plan of the cascade;
        // after the analyze, trade_attempt is one page and the plan kept is a sequential scan.
        await insertFinishedBatch(own.db.pool, { trades: 8, completedDaysAgo: 1 });
        await own.db.pool.query("VACUUM ANALYZE trade_attempt");
        for (let i = 0; i < 4; i++) await deleteBatch(one, (await staleStaged(2)).id);
        await insertFinishedBatch(own.db.pool, { trades: 3_000, completedDaysAgo: 1 });

        const large = await staleStaged(300);
        // The small deletes' counts are reported, not left in what pg_stat_xact_user_tables shows next.
        await one.pool.query("SELECT pg_stat_force_next_flush()");
        const seqScans = await deleteBatch(one, large.id);
        expect(await own.db.prisma.trade.count({ where: { batchId: large.id } })).toBe(0);
        expect(seqScans).toBeLessThan(10);
      } finally {
        await one.close();
        await own.close();
      }
    });
  }
});
