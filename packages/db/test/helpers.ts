import type { TradeStatus, ValidTradeRow } from "@fxbt/domain";
import { checkBatchAction } from "@fxbt/domain";
import { expect, inject, onTestFinished } from "vitest";
import { connectDatabase, type Database } from "../src/client";
import type { Queryable } from "../src/queryable";
import type { BatchRow, TradeRow } from "../src/rows";
import { cancelBatchTrades, lockBatch } from "../src/sql/batch-lifecycle";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { claimPendingTrades } from "../src/sql/trade-claims";
import type { OutcomeMove, QuotedTrade, TradeOutcome } from "../src/sql/trade-results";
import { createDatabaseFromTemplate, type TestDatabase } from "../src/testing";

/**
 * Helpers of the db package's tests: a database of the test file's own (copied from the run's
 * migrated template, see global-setup.ts) and the little raw SQL the tests need to put trades
 * and batches where a test starts. Everything else goes through the package's own statements.
 */

export interface TestContext {
  readonly database: TestDatabase;
  readonly db: Database;
  /** Another pool on the same database: a second runner or API instance. */
  readonly other: Database;
  close(): Promise<void>;
}

/** Copies the template into a database of the test file's own and connects to it twice. */
export async function openTestDatabase(): Promise<TestContext> {
  const database = await createDatabaseFromTemplate(inject("templateDatabase"), "fxbt_db_test");
  const db = connectDatabase({ url: database.url, maxConnections: 4 });
  const other = connectDatabase({ url: database.url, maxConnections: 4 });
  return {
    database,
    db,
    other,
    async close() {
      await db.close();
      await other.close();
      await database.drop();
    },
  };
}

/** Empties the tables, for tests of statements that act on every batch (promotion, recovery). */
export async function emptyTables(db: Queryable): Promise<void> {
  await db.$executeRaw`TRUNCATE batch, trade, batch_uid_counter CASCADE`;
}

/** `count` valid rows, numbered from 1; ZAR → USD, BUY, unless `row` says otherwise. */
export function tradeRows(count: number, row: (index: number) => Partial<ValidTradeRow> = () => ({})): ValidTradeRow[] {
  return Array.from({ length: count }, (_, i) => ({
    rowNumber: i + 1,
    clientId: `C-${i + 1}`,
    clientName: `Client ${i + 1}`,
    accountNumber: "1234567890",
    sellCurrency: "ZAR",
    buyCurrency: "USD",
    direction: "BUY" as const,
    amount: `${100 + i}.25`,
    valueDate: null,
    reference: `REF-${i + 1}`,
    ...row(i + 1),
  }));
}

export function stageBatch(db: Database, count: number, options: { priority?: number; name?: string } = {}): Promise<BatchRow> {
  return insertStagedBatch(db.prisma, { name: options.name ?? null, priority: options.priority ?? 0, rows: tradeRows(count) });
}

/** The batch's trades in row order, read with Prisma (not with the statements under test). */
export function tradesOf(db: Database, batchId: string): Promise<TradeRow[]> {
  return db.prisma.trade.findMany({ where: { batchId }, orderBy: { rowNumber: "asc" } });
}

export function batchOf(db: Database, id: string): Promise<BatchRow> {
  return db.prisma.batch.findUniqueOrThrow({ where: { id } });
}

/** Makes the batch RUNNING, as the runner's promotion would. */
export async function setRunning(db: Queryable, batchId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE batch SET status = 'RUNNING', queued_at = now(), started_at = now(), updated_at = now() WHERE id = ${batchId}::uuid`;
}

/** Stages a batch of `count` trades and makes it RUNNING. */
export async function runningBatch(db: Database, count: number): Promise<{ batch: BatchRow; trades: TradeRow[] }> {
  const batch = await stageBatch(db, count);
  await setRunning(db.prisma, batch.id);
  return { batch, trades: await tradesOf(db, batch.id) };
}

/** Stages a RUNNING batch and claims all its trades: `count` EXECUTING trades, in row order. */
export async function claimedBatch(db: Database, count: number): Promise<{ batch: BatchRow; trades: TradeRow[] }> {
  const { batch } = await runningBatch(db, count);
  const claims = await claimPendingTrades(db.prisma, batch.id, count);
  expect(claims).toHaveLength(count);
  return { batch, trades: await tradesOf(db, batch.id) };
}

/** Puts trades in a status directly (nothing else changes): for tests that need a trade where no statement here leaves it. */
export async function setTradeStatus(db: Queryable, ids: readonly string[], status: TradeStatus): Promise<void> {
  await db.$executeRaw`UPDATE trade SET status = ${status}::"TradeStatus" WHERE id = ANY(${[...ids]}::uuid[])`;
}

/** Moves the trades' lease `seconds` into the past, as if their runner had stopped then. */
export async function ageLocks(db: Queryable, ids: readonly string[], seconds: number): Promise<void> {
  await db.$executeRaw`
    UPDATE trade SET locked_at = now() - make_interval(secs => ${seconds}::float8) WHERE id = ANY(${[...ids]}::uuid[])`;
}

/** Sets batch columns a test starts from (queue position, a cancel request, a status). */
export async function setBatch(
  db: Queryable,
  id: string,
  fields: { status?: BatchRow["status"]; queuedSecondsAgo?: number | null; cancelRequested?: boolean },
): Promise<void> {
  if (fields.status !== undefined) await db.$executeRaw`UPDATE batch SET status = ${fields.status}::"BatchStatus" WHERE id = ${id}::uuid`;
  if (fields.queuedSecondsAgo === null) await db.$executeRaw`UPDATE batch SET queued_at = NULL WHERE id = ${id}::uuid`;
  else if (fields.queuedSecondsAgo !== undefined) {
    await db.$executeRaw`
      UPDATE batch SET queued_at = now() - make_interval(secs => ${fields.queuedSecondsAgo}::float8) WHERE id = ${id}::uuid`;
  }
  if (fields.cancelRequested) await db.$executeRaw`UPDATE batch SET cancel_requested_at = now() WHERE id = ${id}::uuid`;
}

export type StatusCounts = Partial<Record<TradeStatus, number>>;

/** How many of the batch's trades are in each status, counted by the database. */
export async function statusCounts(db: Queryable, batchId: string): Promise<StatusCounts> {
  const rows = await db.$queryRaw<{ status: TradeStatus; count: number }[]>`
    SELECT status::text AS status, count(*)::int AS count FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY status`;
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/** The batch's counters equal its trades' final statuses, and its total its number of trades. */
export async function expectCountersMatchTrades(db: Database, batchId: string): Promise<BatchRow> {
  const [batch, counts] = await Promise.all([batchOf(db, batchId), statusCounts(db.prisma, batchId)]);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  expect({
    total: batch.totalTrades,
    succeeded: batch.succeededTrades,
    failed: batch.failedTrades,
    cancelled: batch.cancelledTrades,
  }).toEqual({ total, succeeded: counts.SUCCESS ?? 0, failed: counts.FAILED ?? 0, cancelled: counts.CANCELLED ?? 0 });
  return batch;
}

/** A quote for a claimed trade, under the claim's key unless told otherwise; it expires in a minute. */
export function quoteOf(trade: TradeRow, idempotencyKey = trade.idempotencyKey!): QuotedTrade {
  const quote = {
    id: trade.id,
    idempotencyKey,
    quoteId: `Q-${trade.rowNumber}`,
    rate: "18.1234567891",
    sellAmount: `${1000 + (trade.rowNumber ?? 0)}.5`,
    buyAmount: trade.amount.toFixed(),
    expiresAt: new Date(Date.now() + 60_000),
  };
  return quote;
}

/** The bank's answer for a trade, as the runner reports it. */
export function outcomeOf(trade: TradeRow, move: OutcomeMove, idempotencyKey = trade.idempotencyKey!): TradeOutcome {
  return move === "book"
    ? { id: trade.id, idempotencyKey, move, transactionId: `T-${trade.rowNumber}`, errorCode: null, errorMessage: null }
    : {
        id: trade.id,
        idempotencyKey,
        move,
        transactionId: null,
        errorCode: move === "refuseQuote" ? "QUOTE_REFUSED" : "BOOKING_REJECTED",
        errorMessage: `refused row ${trade.rowNumber}`,
      };
}

/**
 * cancelBatch as the API runs it: lock the batch, check the action is allowed, cancel its trades.
 * `locked` is called once the batch is locked, just before the trades are cancelled.
 */
export function cancelAsTheApi(db: Database, batchId: string, locked: () => void = () => {}) {
  return db.prisma.$transaction(async (tx) => {
    const batch = await lockBatch(tx, batchId);
    locked();
    if (!batch || !checkBatchAction(batch, "cancel").allowed) return null;
    return cancelBatchTrades(tx, batchId);
  });
}

/** Sorted copy, for comparing sets of ids. */
export const sorted = <T>(values: readonly T[]): T[] => [...values].sort();

/** Runs `work` in a transaction that stays open (holding its locks) until the returned release is called. */
export async function holdInTransaction(db: Database, work: (tx: Queryable) => Promise<unknown>): Promise<() => Promise<void>> {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let started!: () => void;
  const ready = new Promise<void>((resolve) => {
    started = resolve;
  });
  const done = db.prisma.$transaction(
    async (tx) => {
      await work(tx);
      started();
      await gate;
    },
    { timeout: 60_000 },
  );
  await Promise.race([ready, done]);
  const finish = async () => {
    release();
    await done;
  };
  onTestFinished(finish);
  return finish;
}

/** Deterministic shuffle (so a failing round can be replayed). */
export function shuffled<T>(values: readonly T[], seed: number): T[] {
  const result = [...values];
  let state = seed;
  for (let i = result.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
