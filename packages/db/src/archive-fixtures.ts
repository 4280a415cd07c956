import { randomInt, randomUUID } from "node:crypto";
import type pg from "pg";
import { recountAnswers } from "./answer-count-fixtures";

/**
 * SQL fixtures for tests of archival: a finished batch with many trades written in a few
 * statements (generate_series), not by running the bank — 50,000 trades in seconds. Every
 * trade has a full record: a booked one its quote, amounts, transaction and a BOOKED attempt
 * (every tenth also an earlier ABANDONED attempt), a failed one a REFUSED attempt with its code;
 * the batch has its counters, its run charts' rollup (trade_answer_count), an audit record, and the
 * completion time asked for.
 */
export interface FinishedBatchFixture {
  trades: number;
  /** How long ago the batch finished (and was staged: an hour before). */
  completedDaysAgo: number;
  /** Every seventh trade fails with INSUFFICIENT_FUNDS, the rest are booked, unless `allFailed`. */
  allFailed?: boolean;
  partner?: string | null;
  name?: string | null;
}

/** Inserts a finished batch as described; returns its id and batchUid. */
export async function insertFinishedBatch(
  db: pg.ClientBase | pg.Pool,
  fixture: FinishedBatchFixture,
): Promise<{ id: string; batchUid: string }> {
  const id = randomUUID();
  const completedAt = new Date(Date.now() - fixture.completedDaysAgo * 86_400_000);
  const createdAt = new Date(completedAt.getTime() - 3_600_000);
  const day = createdAt.toISOString().slice(0, 10).replaceAll("-", "");
  // Fixture batches are numbered from 5 digits up, apart from the 4-digit ones staging hands out.
  const batchUid = `B-${day}-${randomInt(10_000, 99_999_999)}`;
  const failsEvery = fixture.allFailed ? 1 : 7;
  const failed = fixture.allFailed ? fixture.trades : Math.floor(fixture.trades / 7);
  const succeeded = fixture.trades - failed;
  const status = succeeded === 0 ? "FAILED" : failed === 0 ? "SUCCESS" : "PARTIAL_SUCCESS";
  await db.query(
    `INSERT INTO batch (id, batch_uid, name, status, total_trades, succeeded_trades, failed_trades, created_at, updated_at,
                        queued_at, started_at, completed_at, partner, staged_by, event_sequence)
     VALUES ($1::uuid, $2, $3, $4::"BatchStatus", $5::int, $6::int, $7::int, $8, $9, $8, $8, $9, $10, 'fixture', $5::int * 2)`,
    [id, batchUid, fixture.name ?? null, status, fixture.trades, succeeded, failed, createdAt, completedAt, fixture.partner ?? null],
  );
  // Trade n fails when n % failsEvery = 0 (with failsEvery 1: all of them).
  await db.query(
    `INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency, direction,
                        amount, reference, status, quote_id, rate, sell_amount, buy_amount, idempotency_key, transaction_id,
                        error_code, error_message, attempts, created_at, updated_at, sequence)
     SELECT gen_random_uuid(), $1::uuid, n, 'C-' || n, 'Client ' || n, lpad((n % 100000)::text, 10, '1'),
            CASE WHEN n % 2 = 0 THEN 'ZAR' ELSE 'EUR' END, 'USD', 'BUY',
            ((100 + n) || '.25')::numeric, 'REF-' || n, (CASE WHEN failed THEN 'FAILED' ELSE 'SUCCESS' END)::"TradeStatus",
            'Q-' || $1 || '-' || n, 0.0541234567, round((100 + n) * 18.4567, 4), ((100 + n) || '.25')::numeric,
            NULL,
            CASE WHEN failed THEN NULL ELSE 'TX-' || $1 || '-' || n END,
            CASE WHEN failed THEN 'INSUFFICIENT_FUNDS' END, CASE WHEN failed THEN 'Insufficient funds' END,
            1 + (n % 10 = 0)::int, $2, $3, 2 * n
     FROM generate_series(1, $4::int) AS n, LATERAL (SELECT n % $5::int = 0 AS failed) AS f`,
    [id, createdAt, completedAt, fixture.trades, failsEvery],
  );
  await db.query(
    `INSERT INTO trade_attempt (trade_id, number, idempotency_key, quote_id, rate, sell_amount, buy_amount, quote_expires_at,
                                booking_sent_at, outcome, transaction_id, error_code, error_message, started_at, finished_at)
     SELECT t.id, a.number, t.id || ':' || a.number, t.quote_id, t.rate, t.sell_amount, t.buy_amount, $2::timestamptz + interval '30 s',
            CASE WHEN a.last THEN $2::timestamptz END,
            (CASE WHEN NOT a.last THEN 'ABANDONED' WHEN t.status = 'FAILED' THEN 'REFUSED' ELSE 'BOOKED' END)::"AttemptOutcome",
            CASE WHEN a.last THEN t.transaction_id END, CASE WHEN a.last THEN t.error_code END,
            CASE WHEN a.last THEN t.error_message END, $2, $3
     FROM trade t, LATERAL (SELECT number, number = t.attempts AS last FROM generate_series(1, t.attempts) AS number) AS a
     WHERE t.batch_id = $1::uuid`,
    [id, createdAt, completedAt],
  );
  // The run charts' rollup, which the product writes as it ends each attempt.
  await recountAnswers(db, [id]);
  await db.query(
    `INSERT INTO audit_event (at, actor, action, outcome, batch_id, detail)
     VALUES ($2, 'fixture', 'STAGE_BATCH', 'SUCCEEDED', $1::uuid, $3), ($2, 'fixture', 'START_BATCH', 'SUCCEEDED', $1::uuid, $3)`,
    [id, createdAt, batchUid],
  );
  return { id, batchUid };
}
