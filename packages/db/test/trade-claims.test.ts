import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Prisma } from "../src/client";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { claimAbandonedBookings, claimPendingTrades, releaseAbandonedClaims, renewLeases } from "../src/sql/trade-claims";
import { markTradesQuoted } from "../src/sql/trade-results";
import {
  ageLocks,
  claimedBatch,
  emptyTables,
  holdInTransaction,
  openTestDatabase,
  quoteOf,
  runningBatch,
  setBatch,
  setRunning,
  setTradeStatus,
  sorted,
  stageBatch,
  type TestContext,
  tradeRows,
  tradesOf,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());
// Recovery acts on every batch of the database: each test starts from empty tables.
beforeEach(() => emptyTables(t.db.prisma));

const LEASE_MS = 60_000;

/** Makes the next statement of the transaction give up after a short wait for a lock instead of blocking. */
const shortLockTimeout = (tx: Prisma.TransactionClient) => tx.$executeRaw`SET LOCAL lock_timeout = '2s'`;

describe("claimPendingTrades", () => {
  it("claims only PENDING trades of the batch, in row order, up to the limit, each as a new attempt with its own key", async () => {
    // Stored last row first, so that the table's own order is not the row order.
    const batch = await insertStagedBatch(t.db.prisma, { name: null, priority: 0, rows: tradeRows(7).reverse() });
    await setRunning(t.db.prisma, batch.id);
    const neighbour = await runningBatch(t.db, 3);
    const [, row2, , row4, , row6] = await tradesOf(t.db, batch.id);
    await setTradeStatus(t.db.prisma, [row2!.id], "QUOTED");
    await setTradeStatus(t.db.prisma, [row4!.id], "FAILED");
    await setTradeStatus(t.db.prisma, [row6!.id], "CANCELLED");

    const startedAt = Date.now();
    const claims = await claimPendingTrades(t.db.prisma, batch.id, 3);

    expect(claims.map((c) => c.trade.rowNumber).sort()).toEqual([1, 3, 5]);
    for (const { trade, previousStatus } of claims) {
      expect(previousStatus).toBe("PENDING");
      expect(trade).toMatchObject({ batchId: batch.id, status: "EXECUTING", attempts: 1, idempotencyKey: `${trade.id}:1` });
      expect(Math.abs(trade.lockedAt!.getTime() - startedAt)).toBeLessThan(5_000);
    }
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => [trade.rowNumber, trade.status, trade.attempts])).toEqual([
      [1, "EXECUTING", 1],
      [2, "QUOTED", 0],
      [3, "EXECUTING", 1],
      [4, "FAILED", 0],
      [5, "EXECUTING", 1],
      [6, "CANCELLED", 0],
      [7, "PENDING", 0],
    ]);
    // What the statement returned is what it stored.
    expect(sorted(claims.map((c) => JSON.stringify(c.trade)))).toEqual(
      sorted(after.filter((trade) => trade.status === "EXECUTING").map((trade) => JSON.stringify(trade))),
    );

    const rest = await claimPendingTrades(t.db.prisma, batch.id, 10);
    expect(rest.map((c) => c.trade.rowNumber)).toEqual([7]);
    expect(await claimPendingTrades(t.db.prisma, batch.id, 10)).toEqual([]);
    // The other batch was never touched.
    expect((await tradesOf(t.db, neighbour.batch.id)).map((trade) => [trade.status, trade.attempts, trade.lockedAt])).toEqual([
      ["PENDING", 0, null],
      ["PENDING", 0, null],
      ["PENDING", 0, null],
    ]);
  });

  it("claims nothing from a batch that is not RUNNING, or is RUNNING but being cancelled", async () => {
    const staged = await stageBatch(t.db, 2);
    const queued = await stageBatch(t.db, 2);
    await setBatch(t.db.prisma, queued.id, { queuedSecondsAgo: 1 });
    const cancelling = await runningBatch(t.db, 2);
    await setBatch(t.db.prisma, cancelling.batch.id, { cancelRequested: true });
    const finished = await stageBatch(t.db, 2);
    await setBatch(t.db.prisma, finished.id, { status: "PARTIAL_SUCCESS" });

    for (const id of [staged.id, queued.id, cancelling.batch.id, finished.id]) {
      expect(await claimPendingTrades(t.db.prisma, id, 10)).toEqual([]);
      expect((await tradesOf(t.db, id)).map((trade) => [trade.status, trade.attempts])).toEqual([
        ["PENDING", 0],
        ["PENDING", 0],
      ]);
    }
  });

  it("skips trades another transaction holds instead of waiting for them (SKIP LOCKED)", async () => {
    const { batch, trades } = await runningBatch(t.db, 10);
    // A lease renewal or takeover holds trades without the batch (claimAbandonedBookings, renewLeases).
    const release = await holdInTransaction(t.db, async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM trade WHERE id = ANY(${trades.slice(0, 4).map((trade) => trade.id)}::uuid[]) FOR UPDATE`;
    });
    // A claim that waited for the held rows would hit the lock timeout.
    const claimed = await t.other.prisma.$transaction(async (tx) => {
      await shortLockTimeout(tx);
      return claimPendingTrades(tx, batch.id, 10);
    });
    await release();
    expect(claimed.map((c) => c.trade.rowNumber).sort((a, b) => a! - b!)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it("waits for a claim on the same batch still in its transaction (event numbers follow commit order), then takes the rest", async () => {
    const { batch } = await runningBatch(t.db, 10);
    let first: Awaited<ReturnType<typeof claimPendingTrades>> = [];
    const release = await holdInTransaction(t.db, async (tx) => {
      first = await claimPendingTrades(tx, batch.id, 4);
    });
    const second = claimPendingTrades(t.other.prisma, batch.id, 10);
    const early = await Promise.race([second.then(() => "claimed"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 300))]);
    await release();

    expect(early).toBe("waiting");
    expect(first.map((c) => c.trade.rowNumber).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4]);
    expect((await second).map((c) => c.trade.rowNumber).sort((a, b) => a! - b!)).toEqual([5, 6, 7, 8, 9, 10]);
    expect((await tradesOf(t.db, batch.id)).every((trade) => trade.status === "EXECUTING" && trade.attempts === 1)).toBe(true);
  });

  it("two claims at once on two connections never return the same trade, and together return all", async () => {
    for (let round = 0; round < 5; round++) {
      const { batch, trades } = await runningBatch(t.db, 200);
      const [a, b] = await Promise.all([
        t.db.prisma.$transaction(async (tx) => {
          const claims = await claimPendingTrades(tx, batch.id, 100);
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
          return claims;
        }),
        t.other.prisma.$transaction(async (tx) => {
          const claims = await claimPendingTrades(tx, batch.id, 100);
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
          return claims;
        }),
      ]);
      const idsA = a.map((c) => c.trade.id);
      const idsB = b.map((c) => c.trade.id);
      expect(idsA).toHaveLength(100);
      expect(idsB).toHaveLength(100);
      expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
      expect(sorted([...idsA, ...idsB])).toEqual(sorted(trades.map((trade) => trade.id)));
      const after = await tradesOf(t.db, batch.id);
      expect(after.filter((trade) => trade.status !== "EXECUTING" || trade.attempts !== 1)).toEqual([]);
    }
  });
});

describe("releaseAbandonedClaims", () => {
  it("sends EXECUTING trades whose lease ran out back to PENDING and leaves fresh claims and QUOTED trades alone", async () => {
    const { batch, trades } = await claimedBatch(t.db, 5);
    // Rows 1 and 2: abandoned claims; 3: an abandoned booking; 4: a fresh claim; 5: a claim younger than the lease.
    const [stale1, stale2, quoted, , young] = trades.map((trade) => trade.id) as [string, string, string, string, string];
    await markTradesQuoted(t.db.prisma, [quoteOf(trades[2]!)]);
    await ageLocks(t.db.prisma, [stale1, stale2, quoted], 120);
    await ageLocks(t.db.prisma, [young], 30);
    const before = await tradesOf(t.db, batch.id);

    const released = await releaseAbandonedClaims(t.db.prisma, LEASE_MS);

    expect(sorted(released.map((c) => c.trade.id))).toEqual(sorted([stale1, stale2]));
    for (const { trade, previousStatus } of released) {
      expect(previousStatus).toBe("EXECUTING");
      // The attempt's key stays: a late write of the stopped runner under it finds no EXECUTING trade.
      expect(trade).toMatchObject({ status: "PENDING", lockedAt: null, attempts: 1, idempotencyKey: `${trade.id}:1` });
    }
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => trade.status)).toEqual(["PENDING", "PENDING", "QUOTED", "EXECUTING", "EXECUTING"]);
    for (const index of [2, 3, 4]) expect(after[index]!.lockedAt).toEqual(before[index]!.lockedAt);

    // Claimed again, each is a new attempt under a new key.
    const again = await claimPendingTrades(t.db.prisma, batch.id, 10);
    expect(sorted(again.map((c) => c.trade.idempotencyKey))).toEqual(sorted([`${stale1}:2`, `${stale2}:2`]));
    expect(await releaseAbandonedClaims(t.db.prisma, LEASE_MS)).toEqual([]);
  });

  it("skips an abandoned claim another transaction holds", async () => {
    const { trades } = await claimedBatch(t.db, 2);
    await ageLocks(
      t.db.prisma,
      trades.map((trade) => trade.id),
      120,
    );
    const release = await holdInTransaction(t.db, (tx) => tx.$executeRaw`SELECT 1 FROM trade WHERE id = ${trades[0]!.id}::uuid FOR UPDATE`);
    const released = await t.other.prisma.$transaction(async (tx) => {
      await shortLockTimeout(tx);
      return releaseAbandonedClaims(tx, LEASE_MS);
    });
    await release();
    expect(released.map((c) => c.trade.id)).toEqual([trades[1]!.id]);
  });
});

describe("claimAbandonedBookings", () => {
  it("takes over QUOTED trades past the lease, up to the limit, keeping their status and key and renewing the lease", async () => {
    const { batch, trades } = await claimedBatch(t.db, 6);
    const quoted = trades.slice(0, 5);
    await markTradesQuoted(
      t.db.prisma,
      quoted.map((trade) => quoteOf(trade)),
    );
    const abandoned = trades.slice(0, 4).map((trade) => trade.id);
    await ageLocks(t.db.prisma, abandoned, 120);
    // An abandoned claim with no quote is releaseAbandonedClaims' business, not this one's.
    await ageLocks(t.db.prisma, [trades[5]!.id], 120);
    const before = await tradesOf(t.db, batch.id);
    const startedAt = Date.now();

    const first = await claimAbandonedBookings(t.db.prisma, LEASE_MS, 3);
    expect(first).toHaveLength(3);
    const second = await claimAbandonedBookings(t.db.prisma, LEASE_MS, 3);
    expect(second).toHaveLength(1);
    expect(await claimAbandonedBookings(t.db.prisma, LEASE_MS, 3)).toEqual([]);

    const taken = [...first, ...second];
    expect(sorted(taken.map((trade) => trade.id))).toEqual(sorted(abandoned));
    for (const trade of taken) {
      expect(trade).toMatchObject({ status: "QUOTED", attempts: 1, idempotencyKey: `${trade.id}:1`, quoteId: `Q-${trade.rowNumber}` });
      expect(Math.abs(trade.lockedAt!.getTime() - startedAt)).toBeLessThan(5_000);
    }
    const after = await tradesOf(t.db, batch.id);
    expect(after.map((trade) => trade.status)).toEqual(["QUOTED", "QUOTED", "QUOTED", "QUOTED", "QUOTED", "EXECUTING"]);
    // The fresh booking and the old EXECUTING claim keep their leases.
    expect(after[4]!.lockedAt).toEqual(before[4]!.lockedAt);
    expect(after[5]!.lockedAt).toEqual(before[5]!.lockedAt);
  });
});

describe("renewLeases", () => {
  it("renews the leases older than it is told and leaves the rows of trades that moved since untouched", async () => {
    const { batch, trades } = await claimedBatch(t.db, 4);
    await ageLocks(t.db.prisma, [trades[0]!.id, trades[1]!.id], 10);
    const versions = () =>
      t.db.prisma.$queryRaw<{ id: string; version: string }[]>`
        SELECT id::text, xmin::text || ctid::text AS version FROM trade WHERE batch_id = ${batch.id}::uuid ORDER BY row_number`;
    const before = await versions();
    const held = trades.map((trade) => ({ id: trade.id, idempotencyKey: trade.idempotencyKey! }));

    expect(await renewLeases(t.db.prisma, held, 5_000)).toBe(2);

    const after = await versions();
    expect(after[0]!.version).not.toBe(before[0]!.version);
    expect(after[1]!.version).not.toBe(before[1]!.version);
    // Claimed a moment ago: not rewritten.
    expect(after.slice(2)).toEqual(before.slice(2));
    const ages = await t.db.prisma.$queryRaw<{ age: number }[]>`
      SELECT extract(epoch FROM now() - locked_at)::float8 AS age FROM trade WHERE batch_id = ${batch.id}::uuid ORDER BY row_number`;
    for (const { age } of ages) expect(age).toBeLessThan(5);
    // With no threshold, every lease held is renewed.
    expect(await renewLeases(t.db.prisma, held)).toBe(4);
  });
});
