import {
  type BatchRow,
  claimPendingTrades,
  connectDatabase,
  type Database,
  findBatch,
  findTrade,
  findTradeAttempts,
  insertStagedBatch,
  lockBatch,
  Prisma,
  pageBatchTrades,
  promoteQueuedBatches,
  queueBatch,
  requestCancel,
  type TradeAttemptRow,
  type TradeRow,
  tradeStatusAsRead,
} from "@fxbt/db";
import { createDatabaseFromTemplate } from "@fxbt/db/testing";
import { isFinalBatchStatus, type TradeStatus, type ValidTradeRow } from "@fxbt/domain";
import {
  type BatchProgressMessage,
  channels,
  createInProcessEventBus,
  type EventBus,
  EventPublisher,
  type TradeStatusMessage,
} from "@fxbt/events";
import { type Logger, pino } from "pino";
import { expect, inject, onTestFinished } from "vitest";
import { BankSlots } from "../src/bank-slots";
import { CircuitBreaker } from "../src/circuit-breaker";
import { GuardedBank } from "../src/guarded-bank";
import { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from "../src/options";
import { ResultWriter } from "../src/result-writer";
import { BatchRunner } from "../src/runner";
import type { TradeFlowDeps } from "../src/trade-flow";
import { ScriptedGateway } from "./scripted-gateway";

/** Options for runner tests: nothing happens on a timer unless a test asks for it. */
export const TEST_RUNNER_OPTIONS: RunnerOptions = {
  ...DEFAULT_RUNNER_OPTIONS,
  retryBaseMs: 5,
  retryMaxMs: 50,
  breakerCooldownMs: 200,
  concurrency: 16,
  heldTrades: 16,
  claimSize: 16,
  maxRunningBatches: 4,
  leaseMs: 60_000,
  pollIntervalMs: 600_000,
  writeWindowMs: 5,
  bookingAttempts: 3,
};

export interface PublishedEvent {
  channel: string;
  message: unknown;
}

/**
 * One test's world: a database of its own (a copy of the run's migrated template), a
 * publisher over an in-process bus that records every event, and the runners the test
 * made, all stopped and dropped when the test finishes.
 */
export interface TestEnv {
  database: Database;
  publisher: EventPublisher;
  /** Every event published, in order. */
  events: PublishedEvent[];
  /** A runner over this database; stopped when the test ends. */
  runner(gateway: ScriptedGateway, options?: Partial<RunnerOptions>, log?: Logger): BatchRunner;
  /** What the trade flow needs, with a result writer of its own. */
  flow(gateway: ScriptedGateway, options?: Partial<RunnerOptions> & { log?: Logger }): TradeFlowDeps;
  tradeEvents(batchId: string): TradeStatusMessage[];
  batchEvents(batchId: string): BatchProgressMessage["batch"][];
}

export async function openTestEnv(): Promise<TestEnv> {
  const db = await createDatabaseFromTemplate(inject("templateDatabase"), "fxbt_runner_test");
  const database = connectDatabase({ url: db.url });
  const cleanups: (() => Promise<void>)[] = [() => db.drop(), () => database.close()];
  onTestFinished(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const events: PublishedEvent[] = [];
  const inner = createInProcessEventBus();
  const bus: EventBus = {
    publish(channel, message, onHanded, options) {
      events.push({ channel, message });
      inner.publish(channel, message, onHanded, options);
    },
    subscribe: (channel, signal) => inner.subscribe(channel, signal),
    close: () => inner.close(),
  };
  const publisher = new EventPublisher({ bus, progressIntervalMs: 20 });
  cleanups.push(() => bus.close());
  const silent = pino({ level: "silent" });
  return {
    database,
    publisher,
    events,
    runner(gateway, options = {}, log = silent) {
      // A test that sets the calls at the bank holds as many trades unless it says otherwise, as every runner did before heldTrades.
      const held = { heldTrades: options.heldTrades ?? options.concurrency ?? TEST_RUNNER_OPTIONS.heldTrades };
      const runner = new BatchRunner({ database, gateway, publisher, log, options: { ...TEST_RUNNER_OPTIONS, ...options, ...held } });
      cleanups.push(() => runner.stop());
      return runner;
    },
    flow(gateway, { log = silent, ...overrides } = {}) {
      const options = { ...TEST_RUNNER_OPTIONS, bookingAttempts: 3, writeWindowMs: 2, ...overrides };
      const breaker = new CircuitBreaker({ threshold: options.breakerThreshold, cooldownMs: options.breakerCooldownMs });
      const stopping = new AbortController();
      cleanups.push(async () => stopping.abort());
      return {
        bank: new GuardedBank(gateway, breaker, new BankSlots(options.concurrency), log, {
          retry: { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs },
        }),
        writer: new ResultWriter(database, publisher, options.writeWindowMs),
        log,
        options,
        signal: stopping.signal,
        quoting: stopping.signal,
        held: new Map(),
        cancelled: new Set(),
        today: () => new Date().toISOString().slice(0, 10),
      };
    },
    // The trade events alone: not the numbers announced as carrying none.
    tradeEvents: (batchId) =>
      events
        .filter(({ channel, message }) => channel === channels.tradeStatus(batchId) && "trade" in (message as object))
        .map(({ message }) => message as TradeStatusMessage),
    batchEvents: (batchId) =>
      events
        .filter(({ channel }) => channel === channels.batchProgress(batchId))
        .map(({ message }) => (message as BatchProgressMessage).batch),
  };
}

/** A pino logger whose lines the test can read (parsed JSON, `level` 40 is warn, 50 error). */
export function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

export const WARN = 40;
export const ERROR = 50;

/** A staged batch with one trade per account number, in that row order; `valueDates` gives some accounts a value date. */
export function seedBatch(
  database: Database,
  accounts: readonly string[],
  { priority = 0, name = null as string | null, valueDates = {} as Readonly<Record<string, string>> } = {},
) {
  const rows: ValidTradeRow[] = accounts.map((accountNumber, index) => ({
    rowNumber: index + 1,
    clientId: `C-${index + 1}`,
    clientName: `Client ${index + 1}`,
    accountNumber,
    sellCurrency: "ZAR",
    buyCurrency: "USD",
    direction: "BUY",
    amount: "1000.00",
    valueDate: valueDates[accountNumber] ?? null,
    reference: `REF-${index + 1}`,
  }));
  return insertStagedBatch(database.prisma, { name, priority, rows });
}

/** `count` account numbers: "ACC-0001", "ACC-0002", … */
export const accounts = (count: number, prefix = "ACC") =>
  Array.from({ length: count }, (_, index) => `${prefix}-${String(index + 1).padStart(4, "0")}`);

/** What the API's startBatch does: puts the batch in the runner's queue. */
export function queue(database: Database, batchId: string): Promise<BatchRow> {
  return database.prisma.$transaction((tx) => queueBatch(tx, batchId));
}

/** Queues the batch and promotes it to RUNNING, as a runner would before claiming. */
export async function queueAndPromote(database: Database, batchId: string): Promise<void> {
  await queue(database, batchId);
  await database.prisma.$transaction((tx) => promoteQueuedBatches(tx, 100));
}

/** Phase 1 of the API's cancelBatch: lock, mark, commit. */
export const requestAsTheApi = (database: Database, batchId: string) =>
  database.prisma.$transaction(async (tx) => {
    await lockBatch(tx, batchId);
    return (await requestCancel(tx, batchId)).batch;
  });

/** A running batch whose trades are all claimed (EXECUTING, each under its first key), in row order. */
export async function claimedTrades(
  database: Database,
  accountNumbers: readonly string[],
): Promise<{ batch: BatchRow; trades: TradeRow[] }> {
  const batch = await seedBatch(database, accountNumbers);
  await queueAndPromote(database, batch.id);
  const claimed = await claimPendingTrades(database.prisma, batch.id, accountNumbers.length);
  const trades = claimed.map(({ trade }) => trade).sort((a, b) => (a.rowNumber ?? 0) - (b.rowNumber ?? 0));
  return { batch: (await findBatch(database.prisma, batch.id))!, trades };
}

/** The UTC date `days` from today (negative: in the past), YYYY-MM-DD: what the runner compares value dates with. */
export function utcDate(days = 0): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A trade's attempts, oldest first. */
export function attemptsOf(database: Database, tradeId: string): Promise<TradeAttemptRow[]> {
  return findTradeAttempts(database.prisma, [tradeId]);
}

export async function tradesOf(database: Database, batchId: string): Promise<TradeRow[]> {
  return pageBatchTrades(database.prisma, batchId, { limit: 100_000 });
}

export async function tradeById(database: Database, id: string): Promise<TradeRow> {
  return (await findTrade(database.prisma, id))!;
}

export async function batchById(database: Database, id: string): Promise<BatchRow> {
  return (await findBatch(database.prisma, id))!;
}

/** How many of the batch's trades are in each status (statuses with none are absent). */
export async function statusCounts(database: Database, batchId: string): Promise<Partial<Record<TradeStatus, number>>> {
  const rows = await database.prisma.$queryRaw<{ status: TradeStatus; count: number }[]>`
    SELECT (${Prisma.raw(tradeStatusAsRead("trade"))})::text AS status, count(*)::int AS count FROM trade
    WHERE batch_id = ${batchId}::uuid GROUP BY 1`;
  return Object.fromEntries(rows.map(({ status, count }) => [status, count]));
}

/** The same per status the rows hold: a cancel's PENDING trades stay PENDING until its chunks write them. */
export async function storedStatusCounts(database: Database, batchId: string): Promise<Partial<Record<TradeStatus, number>>> {
  const rows = await database.prisma.$queryRaw<{ status: TradeStatus; count: number }[]>`
    SELECT status::text AS status, count(*)::int AS count FROM trade WHERE batch_id = ${batchId}::uuid GROUP BY status`;
  return Object.fromEntries(rows.map(({ status, count }) => [status, count]));
}

/** The batch's counters are what its trades' statuses say as read, and its count of cancelled rows not yet written what they hold. */
export async function expectCountersMatchTrades(database: Database, batchId: string): Promise<void> {
  const [counts, stored, batch] = await Promise.all([
    statusCounts(database, batchId),
    storedStatusCounts(database, batchId),
    batchById(database, batchId),
  ]);
  const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
  expect({
    totalTrades: batch.totalTrades,
    succeededTrades: batch.succeededTrades,
    failedTrades: batch.failedTrades,
    cancelledTrades: batch.cancelledTrades,
    cancelledUnmovedTrades: batch.cancelledUnmovedTrades,
  }).toEqual({
    totalTrades: total,
    succeededTrades: counts.SUCCESS ?? 0,
    failedTrades: counts.FAILED ?? 0,
    cancelledTrades: counts.CANCELLED ?? 0,
    cancelledUnmovedTrades: batch.cancelRequestedAt ? (stored.PENDING ?? 0) : 0,
  });
}

/** Sets the claim of these trades an hour back, as if the runner holding them had died long ago. */
export async function expireLeases(database: Database, tradeIds: readonly string[]): Promise<void> {
  await database.prisma.$executeRaw`
    UPDATE trade SET locked_at = now() - interval '1 hour' WHERE id = ANY(${[...tradeIds]}::uuid[])`;
}

/** Waits until `probe` returns something truthy. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Waits for the batch to reach a final status and returns it. */
export function finished(database: Database, batchId: string, timeoutMs?: number): Promise<BatchRow> {
  return eventually(async () => {
    const batch = await batchById(database, batchId);
    return isFinalBatchStatus(batch.status) && batch;
  }, timeoutMs);
}

/** A promise the test resolves when it chooses: a scripted bank's answers can wait on it. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * A runner that holds `trades` trades of one RUNNING batch with one call at the bank: the first
 * quote waits at the bank until `bank.open()`, the other trades wait for its slot. Resolves once
 * that quote is at the bank.
 */
export async function heldBehindOneSlot(env: TestEnv, trades = 12) {
  const bank = gate();
  const gateway = new ScriptedGateway({ before: () => bank.opened });
  const batch = await seedBatch(env.database, accounts(trades));
  await queueAndPromote(env.database, batch.id);
  const runner = env.runner(gateway, { concurrency: 1, heldTrades: trades, claimSize: trades });
  runner.start();
  await eventually(() => gateway.quotes().length === 1 && runner.tradesInFlight === trades);
  return { bank, gateway, batch, runner };
}
