import {
  type BatchRow,
  type Database,
  DEFAULT_ARCHIVE_CHUNK_SIZE,
  deleteOneStaleStagedBatch,
  flagExpiredBatches,
  listBatchesToMove,
  moveTradeChunk,
  releaseArchiveLock,
  tryArchiveLock,
} from "@fxbt/db";
import type { EventPublisher } from "@fxbt/events";
import type { Logger } from "pino";

/**
 * Archival and clean-up (issue 10), graphile-worker style: a job in this process on a timer, one
 * instance at a time (a PostgreSQL advisory lock, so no queue, no leader election and nothing new
 * to run), each step a short transaction of its own, so a crash or a second instance never leaves
 * anything half done (packages/db/src/sql/archive.ts says what moves and why).
 *
 * Trade-offs, measured on this project's 2-core machine (apps/api/test/archive-scale.test.ts,
 * 50,000 trades with 55,000 attempts, one run, other engineers' suites sharing the cores):
 * - Chunks of 5,000 trades (DEFAULT_ARCHIVE_CHUNK_SIZE), each one statement with its attempts:
 *   after a crash at chunk 3, the rerun moved 35,040 trades and 38,544 attempts in 13.3 s, about
 *   1.9 s a chunk: no lock is held longer than that, and the runner's writes never wait on a
 *   batch row (a chunk takes only trade rows, of a finished batch nobody writes). 5,000 is also
 *   the cancel's chunk (CANCEL_CHUNK_SIZE), a size the runner's writes are known to live beside;
 *   ARCHIVE_CHUNK_SIZE changes it. Smaller chunks were not measured here.
 * - Moving rather than partitioning: turning trade into a partitioned table would change its
 *   primary key (the partition key must be in it) and every foreign key to it, for every other
 *   feature; twin tables change nothing on the hot paths, which only gain `archived_at IS NULL`.
 * - Flag first, then move: a batch is read-only and out of the default lists from its flag's
 *   commit, and its reads take both tables, so readers never see it half archived.
 */
export interface ArchivalOptions {
  /** Finished batches completed longer ago than this are archived. Default 90. */
  retentionDays: number;
  /** Batches staged longer ago than this and never started are deleted. Default 30. */
  stagedRetentionDays: number;
  /** Trades moved per statement. Default DEFAULT_ARCHIVE_CHUNK_SIZE (5,000). */
  chunkSize: number;
  /** How often a run starts in the API process; 0: never (the admin command only). Default one hour. */
  intervalMs: number;
}

export const DEFAULT_ARCHIVAL_OPTIONS: ArchivalOptions = {
  retentionDays: 90,
  stagedRetentionDays: 30,
  chunkSize: DEFAULT_ARCHIVE_CHUNK_SIZE,
  intervalMs: 3_600_000,
};

const FIRST_RUN_AFTER_MS = 60_000;

/** Batches flagged per statement: each flag is a tiny update; the moves after it are chunked. */
const FLAG_BATCHES_PER_STATEMENT = 100;

export interface ArchivalRunOptions {
  /** Overrides the retention of finished batches for this run (the admin command's --older-than-days). */
  olderThanDays?: number;
  /** Called after each chunk is committed (tests stop a run there, as a crash would). */
  afterChunk?: (chunk: { batchId: string; trades: number; attempts: number }) => void | Promise<void>;
}

export interface ArchivalSummary {
  /** Another session held the lock: this run did nothing. */
  skipped: boolean;
  archivedBatches: number;
  movedTrades: number;
  movedAttempts: number;
  deletedStagedBatches: number;
  durationMs: number;
}

export interface ArchivalDeps {
  database: Database;
  /** Tells subscribers of the batch lists of archived and deleted batches; none in the admin command. */
  publisher?: EventPublisher | null;
  log: Logger;
  options?: Partial<ArchivalOptions>;
  now?: () => Date;
}

export class Archival {
  readonly options: ArchivalOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ArchivalSummary | null> | null = null;
  private stopped = false;

  constructor(private readonly deps: ArchivalDeps) {
    this.options = { ...DEFAULT_ARCHIVAL_OPTIONS, ...deps.options };
  }

  /**
   * Runs every intervalMs (never when it is 0), one run at a time in this process; the first a
   * minute after the start at most, so a process that restarts often still runs it, and a fresh
   * one first serves.
   */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    const tick = () => {
      this.wake();
      if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs).unref();
    };
    this.timer = setTimeout(tick, Math.min(this.options.intervalMs, FIRST_RUN_AFTER_MS)).unref();
  }

  /** Starts a run unless one is under way in this process (it would do the same work). */
  wake(): void {
    if (this.stopped || this.running !== null) return;
    this.running = this.run()
      .catch((error: unknown) => {
        this.deps.log.error({ err: error }, "archival run failed; the next run continues where it stopped");
        return null;
      })
      .finally(() => {
        this.running = null;
      });
  }

  /** Stops the timer and waits for a run under way to finish its chunk and stop. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One run: delete stale staged batches, flag expired finished ones, then move the trades of
   * every flagged batch that still has some in the hot tables (those of earlier, interrupted runs
   * and of archiveBatch included). Skipped, doing nothing, when another session holds the lock.
   */
  async run(runOptions: ArchivalRunOptions = {}): Promise<ArchivalSummary> {
    const started = Date.now();
    const { log } = this.deps;
    const summary: ArchivalSummary = {
      skipped: false,
      archivedBatches: 0,
      movedTrades: 0,
      movedAttempts: 0,
      deletedStagedBatches: 0,
      durationMs: 0,
    };
    const client = await this.deps.database.pool.connect();
    try {
      if (!(await tryArchiveLock(client))) {
        log.info("archival skipped: another instance is running it");
        return { ...summary, skipped: true };
      }
      try {
        const now = this.deps.now?.() ?? new Date();
        const retentionDays = runOptions.olderThanDays ?? this.options.retentionDays;
        const stagedBefore = daysBefore(now, this.options.stagedRetentionDays);
        const completedBefore = daysBefore(now, retentionDays);
        log.info({ retentionDays, stagedRetentionDays: this.options.stagedRetentionDays }, "archival started");
        for (;;) {
          const deleted = await deleteOneStaleStagedBatch(client, stagedBefore);
          if (!deleted) break;
          summary.deletedStagedBatches++;
          this.deps.publisher?.publish({ deletedBatches: [deleted] });
          log.info({ batchUid: deleted.batchUid, trades: deleted.totalTrades }, "deleted a staged batch never started");
        }
        for (;;) {
          const flagged = await flagExpiredBatches(client, completedBefore, FLAG_BATCHES_PER_STATEMENT);
          summary.archivedBatches += flagged.length;
          this.publishChanged(flagged);
          if (flagged.length < FLAG_BATCHES_PER_STATEMENT) break;
        }
        for (const batch of await listBatchesToMove(client)) {
          const moved = await this.moveBatch(client, batch, runOptions);
          summary.movedTrades += moved.trades;
          summary.movedAttempts += moved.attempts;
          if (this.stopped) break;
        }
      } finally {
        await releaseArchiveLock(client);
      }
    } finally {
      client.release();
    }
    summary.durationMs = Date.now() - started;
    log.info(summary, "archival finished");
    return summary;
  }

  /**
   * Moves the first chunk of one batch's trades now (archiveBatch answers once a batch of up to a
   * chunk is wholly moved), and wakes a run for the rest. Moving beside a run is safe: two movers
   * never take the same trade (moveTradeChunk).
   */
  async moveFirstChunk(batchId: string): Promise<void> {
    const client = await this.deps.database.pool.connect();
    let chunk: { trades: number };
    try {
      chunk = await moveTradeChunk(client, batchId, this.options.chunkSize);
    } finally {
      client.release();
    }
    if (chunk.trades === this.options.chunkSize) this.wake();
  }

  private async moveBatch(
    client: import("pg").PoolClient,
    batch: { id: string; batchUid: string },
    runOptions: ArchivalRunOptions,
  ): Promise<{ trades: number; attempts: number }> {
    const total = { trades: 0, attempts: 0 };
    for (;;) {
      const started = Date.now();
      const chunk = await moveTradeChunk(client, batch.id, this.options.chunkSize);
      if (chunk.trades === 0) break;
      total.trades += chunk.trades;
      total.attempts += chunk.attempts;
      this.deps.log.info({ batchUid: batch.batchUid, ...chunk, ms: Date.now() - started, movedSoFar: total.trades }, "archived a chunk");
      await runOptions.afterChunk?.({ batchId: batch.id, ...chunk });
      if (this.stopped) break;
    }
    return total;
  }

  private publishChanged(batches: readonly BatchRow[]): void {
    if (batches.length === 0) return;
    for (const batch of batches) this.deps.log.info({ batchUid: batch.batchUid }, "archived a batch");
    this.deps.publisher?.publish({ batches: [...batches] });
  }
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);
