import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../src/client";
import type { BatchRow } from "../src/rows";
import { listRunningBatches, promoteQueuedBatches } from "../src/sql/batch-queue";
import { batchOf, emptyTables, openTestDatabase, setBatch, sorted, stageBatch, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());
// Promotion counts and promotes across every batch of the database.
beforeEach(() => emptyTables(t.db.prisma));

const promote = (db: Database, maxRunning: number) => db.prisma.$transaction((tx) => promoteQueuedBatches(tx, maxRunning));

/** A staged batch put in the queue `secondsAgo`, with `priority`. */
async function queued(name: string, priority: number, secondsAgo: number): Promise<BatchRow> {
  const batch = await stageBatch(t.db, 1, { name, priority });
  await setBatch(t.db.prisma, batch.id, { queuedSecondsAgo: secondsAgo });
  return batch;
}

async function runningCount(): Promise<number> {
  return t.db.prisma.batch.count({ where: { status: "RUNNING" } });
}

describe("promoteQueuedBatches", () => {
  it("promotes by priority, highest first, then by time in the queue, oldest first", async () => {
    const low = await queued("low", 0, 50);
    const highLate = await queued("high, queued later", 5, 10);
    const one = await queued("priority 1", 1, 5);
    const highEarly = await queued("high, queued first", 5, 20);

    const order: (string | null)[] = [];
    for (let maxRunning = 1; maxRunning <= 4; maxRunning++) {
      const promoted = await promote(t.db, maxRunning);
      expect(promoted).toHaveLength(1);
      order.push(promoted[0]!.name);
    }
    expect(order).toEqual(["high, queued first", "high, queued later", "priority 1", "low"]);
    expect(await promote(t.db, 10)).toEqual([]);

    for (const { id } of [low, highLate, one, highEarly]) {
      const batch = await batchOf(t.db, id);
      expect(batch.status).toBe("RUNNING");
      expect(batch.startedAt).not.toBeNull();
      // Still queued: the batch keeps its place among the running ones.
      expect(batch.queuedAt).not.toBeNull();
    }
  });

  it("never has more than maxRunning RUNNING in all, counting those already running", async () => {
    const running = await queued("already running", 9, 100);
    await setBatch(t.db.prisma, running.id, { status: "RUNNING" });
    const a = await queued("a", 0, 30);
    const b = await queued("b", 0, 20);
    await queued("c", 0, 10);

    expect(await promote(t.db, 1)).toEqual([]);
    const first = await promote(t.db, 3);
    expect(sorted(first.map((batch) => batch.id))).toEqual(sorted([a.id, b.id]));
    expect(await runningCount()).toBe(3);
    expect(await promote(t.db, 3)).toEqual([]);
    expect(await promote(t.db, 2)).toEqual([]);
    expect(await runningCount()).toBe(3);
    expect((await promote(t.db, 4)).map((batch) => batch.name)).toEqual(["c"]);
  });

  it("two promotions at once (two transactions) never exceed maxRunning", async () => {
    for (let round = 0; round < 5; round++) {
      await emptyTables(t.db.prisma);
      const batches = [];
      for (let i = 0; i < 6; i++) batches.push(await queued(`q${i}`, i % 3, 60 - i));

      const promoteAndHold = (db: Database) =>
        db.prisma.$transaction(async (tx) => {
          const promoted = await promoteQueuedBatches(tx, 2);
          await tx.$executeRaw`SELECT pg_sleep(0.05)`;
          return promoted;
        });
      const [a, b] = await Promise.all([promoteAndHold(t.db), promoteAndHold(t.other)]);

      expect(a.length + b.length).toBe(2);
      expect(await runningCount()).toBe(2);
      // The two of highest priority (2: q2 and q5, q2 queued first).
      expect(sorted([...a, ...b].map((batch) => batch.name))).toEqual(["q2", "q5"]);
    }
  });

  it("promotes only queued PENDING batches, never one being cancelled", async () => {
    await stageBatch(t.db, 1, { name: "staged, not started" });
    const cancelling = await queued("being cancelled", 9, 30);
    await setBatch(t.db.prisma, cancelling.id, { cancelRequested: true });
    const finished = await queued("failed", 9, 30);
    await setBatch(t.db.prisma, finished.id, { status: "FAILED" });
    const ready = await queued("ready", 0, 1);

    const promoted = await promote(t.db, 10);
    expect(promoted.map((batch) => batch.id)).toEqual([ready.id]);
    expect(await batchOf(t.db, cancelling.id)).toMatchObject({ status: "PENDING", startedAt: null });
    expect(await batchOf(t.db, finished.id)).toMatchObject({ status: "FAILED", startedAt: null });
    expect(await runningCount()).toBe(1);
  });

  it("promotes nothing while maxRunning batches (or more) run", async () => {
    for (const name of ["r1", "r2"]) {
      const running = await queued(name, 0, 100);
      await setBatch(t.db.prisma, running.id, { status: "RUNNING" });
    }
    const waiting = await Promise.all([30, 20, 10].map((secondsAgo, i) => queued(`q${i}`, 9, secondsAgo)));

    expect(await promote(t.db, 2)).toEqual([]);
    expect(await promote(t.db, 1)).toEqual([]);
    expect(await promote(t.db, 0)).toEqual([]);
    expect(await runningCount()).toBe(2);
    for (const { id } of waiting) expect(await batchOf(t.db, id)).toMatchObject({ status: "PENDING", startedAt: null });
  });

  it("keeps a batch's first start time when it runs again", async () => {
    const batch = await queued("retried", 0, 5);
    await t.db.prisma.$executeRaw`UPDATE batch SET started_at = now() - interval '1 hour' WHERE id = ${batch.id}::uuid`;
    const before = await batchOf(t.db, batch.id);
    const [promoted] = await promote(t.db, 1);
    expect(promoted!.startedAt).toEqual(before.startedAt);
  });
});

describe("listRunningBatches", () => {
  it("lists RUNNING batches not being cancelled, by priority then time in the queue", async () => {
    const a = await queued("a", 0, 30);
    const b = await queued("b", 3, 10);
    const c = await queued("c", 3, 20);
    const stopping = await queued("stopping", 9, 40);
    await queued("waiting", 9, 40);
    for (const { id } of [a, b, c, stopping]) await setBatch(t.db.prisma, id, { status: "RUNNING" });
    await setBatch(t.db.prisma, stopping.id, { cancelRequested: true });

    expect((await listRunningBatches(t.db.prisma)).map((batch) => batch.name)).toEqual(["c", "b", "a"]);
  });
});
