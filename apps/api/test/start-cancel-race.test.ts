import { tradeStatusAsRead } from "@fxbt/db";
import type { TestDatabase } from "@fxbt/db/testing";
import { FINAL_BATCH_STATUSES } from "@fxbt/domain";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BatchFields,
  CANCEL,
  eventually,
  finishedBatch,
  type GraphQLResponse,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";

/** The domain's final statuses, as strings the API returns. */
const FINAL: readonly string[] = FINAL_BATCH_STATUSES;
const ROUNDS = 42;

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, {
    RUNNER_MAX_RUNNING_BATCHES: "1",
    RUNNER_POLL_INTERVAL_MS: "20",
    BANK_SIM_LATENCY_MS: "10",
    BANK_SIM_SUCCESS_RATE: "0.8",
    BANK_SIM_SEED: "start-cancel-race",
  });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

const finished = (id: string, timeoutMs = 15_000) => finishedBatch(app, id, timeoutMs);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every answer is a batch or BAD_BATCH_STATE, nothing else (no INTERNAL_SERVER_ERROR, no deadlock). */
function outcomeOf(response: GraphQLResponse<unknown>): "ok" | "BAD_BATCH_STATE" {
  if (!response.errors) return "ok";
  expect(response.errors.map((error) => error.extensions?.code)).toEqual(["BAD_BATCH_STATE"]);
  return "BAD_BATCH_STATE";
}

/** A trade's status as every read shows it: a cancel's PENDING rows not yet written are CANCELLED. */
const status = tradeStatusAsRead("t");

/**
 * Batches whose counters differ from their trades' statuses as read (and their count of cancelled
 * rows not yet written from those rows), or whose processed trades don't add up when final.
 */
async function counterMismatches(ids: string[]) {
  const { rows } = await sql.query(
    `SELECT b.id, b.batch_uid, b.status::text, b.total_trades, b.succeeded_trades, b.failed_trades, b.cancelled_trades,
            count(t.id) FILTER (WHERE ${status} = 'SUCCESS')::int AS success_rows, count(t.id) FILTER (WHERE ${status} = 'FAILED')::int AS failed_rows,
            count(t.id) FILTER (WHERE ${status} = 'CANCELLED')::int AS cancelled_rows, count(t.id)::int AS trade_rows,
            b.cancelled_unmoved_trades = count(t.id) FILTER (WHERE t.status = 'PENDING' AND b.cancel_requested_at IS NOT NULL) AS unwritten_counted
     FROM batch b LEFT JOIN trade t ON t.batch_id = b.id WHERE b.id = ANY($1::uuid[]) GROUP BY b.id`,
    [ids],
  );
  expect(rows).toHaveLength(ids.length);
  return rows.filter(
    (row) =>
      row.succeeded_trades !== row.success_rows ||
      row.failed_trades !== row.failed_rows ||
      row.cancelled_trades !== row.cancelled_rows ||
      row.trade_rows !== row.total_trades ||
      !row.unwritten_counted ||
      (FINAL.includes(row.status) && row.success_rows + row.failed_rows + row.cancelled_rows !== row.total_trades),
  );
}

describe("startBatch and cancelBatch racing", () => {
  it("never leaves a batch running, a cancelled batch with live trades, counters off, or the running slot held", async () => {
    const ids: string[] = [];
    const answers = { start: { ok: 0, BAD_BATCH_STATE: 0 }, cancel: { ok: 0, BAD_BATCH_STATE: 0 } };
    const race = async (round: number) => {
      const batch = await stage(app, tradesCsv(5 + (round % 4) * 5), { name: `race ${round}` });
      ids.push(batch.id);
      // Together, the cancel a moment after the start, or the start a moment after the cancel.
      const lag = [0, 1, 5, 25, 80, -1, -5][round % 7]!;
      const later = <T>(ms: number, call: () => Promise<T>) => (ms > 0 ? pause(ms).then(call) : call());
      const [started, cancelled] = await Promise.all([
        later(-lag, () => app.request(START, { id: batch.id })),
        later(lag, () => app.request(CANCEL, { id: batch.id })),
      ]);
      answers.start[outcomeOf(started)]++;
      answers.cancel[outcomeOf(cancelled)]++;
    };
    for (let round = 0; round < ROUNDS; round++) await race(round);
    // Then rounds four at a time, so promotion also picks between batches being started and cancelled.
    for (let group = 0; group < 4; group++) await Promise.all([0, 1, 2, 3].map((i) => race(ROUNDS + group * 4 + i)));
    expect(answers.cancel.ok).toBeGreaterThan(0);

    // Every batch reaches a final status within a few seconds.
    const unfinished = async () =>
      (
        await sql.query(
          `SELECT batch_uid, status::text, queued_at, cancel_requested_at FROM batch
           WHERE id = ANY($1::uuid[]) AND status NOT IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED')`,
          [ids],
        )
      ).rows;
    await eventually(async () => (await unfinished()).length === 0, 10_000).catch(() => {});
    const stuck = await unfinished();
    expect(stuck).toEqual([]);
    // …finished by the moves themselves: the sweeper (for lost writes) had no batch to finish.
    expect(app.app.runner.stats.sweptBatches).toBe(0);

    // No live trade in a cancelled batch; no unfinished trade in any final batch: as read at once,
    // and in the rows themselves once the runner has written the cancelled ones.
    const live = async (read: string) =>
      (
        await sql.query(
          `SELECT b.batch_uid, b.status::text AS batch_status, t.row_number, (${read})::text AS status
           FROM trade t JOIN batch b ON b.id = t.batch_id
           WHERE b.id = ANY($1::uuid[]) AND (${read}) IN ('PENDING', 'EXECUTING', 'QUOTED')`,
          [ids],
        )
      ).rows;
    expect(await live(status)).toEqual([]);
    await eventually(async () => (await live("t.status")).length === 0, 10_000).catch(() => {});
    expect(await live("t.status")).toEqual([]);
    expect(await counterMismatches(ids)).toEqual([]);
    // A cancelled batch never booked a trade it cancelled, and no batch left the queue fields behind.
    const { rows: leftovers } = await sql.query(
      `SELECT batch_uid, status::text, queued_at FROM batch WHERE id = ANY($1::uuid[]) AND (queued_at IS NOT NULL OR completed_at IS NULL)`,
      [ids],
    );
    expect(leftovers).toEqual([]);
    const {
      rows: [booked],
    } = await sql.query(
      `SELECT count(*)::int AS n FROM trade t JOIN bank_sim_booking k ON split_part(k.idempotency_key, ':', 1) = t.id::text
       WHERE t.batch_id = ANY($1::uuid[]) AND k.transaction_id IS NOT NULL AND t.status <> 'SUCCESS'`,
      [ids],
    );
    expect(booked.n).toBe(0);

    // The one running slot is free: a fresh batch starts and finishes.
    const fresh = await stage(app, tradesCsv(20), { name: "after the race" });
    const started = (await app.query<{ startBatch: BatchFields }>(START, { id: fresh.id })).startBatch;
    expect(started.status).toBe("RUNNING");
    const final = await finished(fresh.id);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(final.status);
    expect(final.processedTrades).toBe(20);
    expect(await counterMismatches([fresh.id])).toEqual([]);
    const {
      rows: [shapes],
    } = await sql.query(
      `SELECT count(*) FILTER (WHERE status = 'CANCELLED' AND started_at IS NULL)::int AS cancelled_queued,
              count(*) FILTER (WHERE status = 'CANCELLED' AND started_at IS NOT NULL)::int AS cancelled_running,
              count(*) FILTER (WHERE status = 'CANCELLED' AND succeeded_trades + failed_trades > 0)::int AS cancelled_after_some_ran,
              count(*) FILTER (WHERE status <> 'CANCELLED')::int AS ran_to_the_end
       FROM batch WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    console.log(`start/cancel race: ${ids.length} rounds, answers ${JSON.stringify(answers)}, batches ${JSON.stringify(shapes)}`);
  }, 90_000);
});

describe("startBatch called many times at once", () => {
  it("starts the batch once: one call succeeds, nine answer BAD_BATCH_STATE, every trade runs once", async () => {
    const batch = await stage(app, tradesCsv(40), { name: "double start" });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.request<{ startBatch: BatchFields }>(START, { id: batch.id })),
    );
    const outcomes = responses.map(outcomeOf);
    expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === "BAD_BATCH_STATE")).toHaveLength(9);

    const final = await finished(batch.id);
    expect(final.processedTrades).toBe(40);
    const {
      rows: [runs],
    } = await sql.query(
      `SELECT count(*)::int AS trades, count(*) FILTER (WHERE t.attempts = 1)::int AS once,
              (SELECT count(*)::int FROM trade_attempt a JOIN trade u ON u.id = a.trade_id WHERE u.batch_id = $1) AS attempts,
              (SELECT count(*)::int FROM bank_sim_quote q JOIN trade u ON q.request_id LIKE u.id::text || ':%'
               WHERE u.batch_id = $1 AND q.request_id <> u.id::text || ':1') AS later_quotes
       FROM trade t WHERE t.batch_id = $1`,
      [batch.id],
    );
    expect(runs).toEqual({ trades: 40, once: 40, attempts: 40, later_quotes: 0 });
    expect(await counterMismatches([batch.id])).toEqual([]);
    const again = await app.request(START, { id: batch.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
  });
});
