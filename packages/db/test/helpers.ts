import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TradeStatus, ValidTradeRow } from "@fxbt/domain";
import { checkBatchAction } from "@fxbt/domain";
import { applyMigrations } from "@fxbt/schema-engine";
import { expect, inject, onTestFinished } from "vitest";
import { connectDatabase, type Database } from "../src/client";
import { Prisma } from "../src/generated/prisma/client";
import { MIGRATIONS_DIR } from "../src/open";
import type { Queryable } from "../src/queryable";
import { type BatchRow, type TradeRow, tradeStatusAsRead } from "../src/rows";
import { type CancelledChunk, cancelBatchTrades, cancelPendingChunk, requestCancel } from "../src/sql/batch-cancel";
import { lockBatch } from "../src/sql/batch-lifecycle";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { claimPendingTrades } from "../src/sql/trade-claims";
import type { OutcomeMove, QuotedTrade, TradeOutcome } from "../src/sql/trade-results";
import { answerCountDisagreements, createDatabaseFromTemplate, createEmptyDatabase, type TestDatabase } from "../src/testing";

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

/**
 * A new database with only the migrations before `migration` (its folder name) applied: a test puts
 * rows there as the product had them, then applies every migration (`migrateFully`) and checks them.
 */
export async function databaseMigratedBefore(migration: string): Promise<TestDatabase> {
  const database = await createEmptyDatabase("fxbt_db_migration");
  const before = mkdtempSync(join(tmpdir(), "migrations-before-"));
  try {
    cpSync(join(MIGRATIONS_DIR, "migration_lock.toml"), join(before, "migration_lock.toml"));
    const names = readdirSync(MIGRATIONS_DIR).filter((name) => /^\d+_/.test(name) && name < migration);
    for (const name of names) cpSync(join(MIGRATIONS_DIR, name), join(before, name), { recursive: true });
    await applyMigrations({ databaseUrl: database.url, migrationsDir: before });
    return database;
  } catch (error) {
    await database.drop();
    throw error;
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}

/** Applies the migrations not applied yet; returns their names. */
export async function migrateFully(database: TestDatabase): Promise<string[]> {
  return (await applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS_DIR })).appliedMigrationNames;
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
/** A batch's trades counted per status as every read shows it (a cancel's unwritten PENDING rows are CANCELLED: tradeStatusAsRead). */
export async function statusCounts(db: Queryable, batchId: string): Promise<StatusCounts> {
  const rows = await db.$queryRaw<{ status: TradeStatus; count: number }[]>`
    SELECT (${Prisma.raw(tradeStatusAsRead("trade"))})::text AS status, count(*)::int AS count FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY 1`;
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/** The same per status its rows hold. */
export async function storedStatusCounts(db: Queryable, batchId: string): Promise<StatusCounts> {
  const rows = await db.$queryRaw<{ status: TradeStatus; count: number }[]>`
    SELECT status::text AS status, count(*)::int AS count FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY status`;
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

/**
 * The batch's counters equal its trades' final statuses as read, its total its number of trades, and
 * its count of cancelled trades not yet written the PENDING rows of its cancel (none without one).
 */
export async function expectCountersMatchTrades(db: Database, batchId: string): Promise<BatchRow> {
  const [batch, counts, stored] = await Promise.all([
    batchOf(db, batchId),
    statusCounts(db.prisma, batchId),
    storedStatusCounts(db.prisma, batchId),
  ]);
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  expect({
    total: batch.totalTrades,
    succeeded: batch.succeededTrades,
    failed: batch.failedTrades,
    cancelled: batch.cancelledTrades,
    unwritten: batch.cancelledUnmovedTrades,
  }).toEqual({
    total,
    succeeded: counts.SUCCESS ?? 0,
    failed: counts.FAILED ?? 0,
    cancelled: counts.CANCELLED ?? 0,
    unwritten: batch.cancelRequestedAt ? (stored.PENDING ?? 0) : 0,
  });
  return batch;
}

/**
 * trade_answer_count, the run charts' rollup, holds exactly what the answered attempts say, second by
 * second; returns its totals per batch, each also checked against a plain count(*) of the batch's
 * answered attempts (hot and archived).
 */
export async function expectRollupMatchesAttempts(db: Database): Promise<Map<string, { succeeded: number; failed: number }>> {
  expect(await answerCountDisagreements(db.pool)).toEqual([]);
  const { rows: rollup } = await db.pool.query<{ batch_id: string; succeeded: number; failed: number }>(
    "SELECT batch_id, sum(succeeded)::int AS succeeded, sum(failed)::int AS failed FROM trade_answer_count GROUP BY 1 ORDER BY 1",
  );
  const { rows: attempts } = await db.pool.query<{ batch_id: string; succeeded: number; failed: number }>(
    `SELECT t.batch_id, count(*) FILTER (WHERE a.outcome = 'BOOKED')::int AS succeeded, count(*) FILTER (WHERE a.outcome = 'REFUSED')::int AS failed
     FROM (SELECT * FROM trade_attempt UNION ALL SELECT * FROM trade_attempt_archive) a
     JOIN (SELECT id, batch_id FROM trade UNION ALL SELECT id, batch_id FROM trade_archive) t ON t.id = a.trade_id
     WHERE a.outcome IN ('BOOKED', 'REFUSED') AND a.finished_at IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  expect(rollup).toEqual(attempts);
  return new Map(rollup.map((row) => [row.batch_id, { succeeded: row.succeeded, failed: row.failed }]));
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

/** Phase 1 of cancelBatch as the API runs it: lock the batch, request the cancel, commit; the batch as it left it. */
export const requestCancelAsTheApi = (db: Database, batchId: string): Promise<BatchRow> =>
  db.prisma.$transaction(async (tx) => {
    await lockBatch(tx, batchId);
    return (await requestCancel(tx, batchId)).batch;
  });

/** Phase 2 as the runner's pass makes it: chunks of `limit` rows, each in its own transaction, until one says there is no more. */
export async function cancelInChunks(db: Database, batchId: string, limit: number): Promise<CancelledChunk[]> {
  const chunks: CancelledChunk[] = [];
  let afterRow: number | null = null;
  for (;;) {
    const result = await db.prisma.$transaction((tx) => cancelPendingChunk(tx, batchId, { limit, afterRow }));
    if (result === null || result === "busy") throw new Error(`chunk answered ${result}`);
    chunks.push(result);
    if (!result.more) return chunks;
    afterRow = result.throughRow;
  }
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
