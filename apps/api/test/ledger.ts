import { tradeStatusAsRead } from "@fxbt/db";
import { answerCountDisagreements } from "@fxbt/db/testing";
import pg from "pg";
import { expect } from "vitest";

/** The bank's refusals (and the product's own, before sending): the only codes a FAILED trade may carry. */
const REFUSAL_CODES = [
  "INVALID_ACCOUNT",
  "INSUFFICIENT_FUNDS",
  "QUOTE_REJECTED",
  "BOOKING_REJECTED",
  "QUOTE_EXPIRED",
  "QUOTE_NOT_FOUND",
  "VALUE_DATE_PASSED",
];

/** A trade's status as the product reads it: a cancel's PENDING rows not yet written are CANCELLED. */
const readStatus = tradeStatusAsRead("t");

/** Internal text that must never reach a trade: database, driver and adapter errors. */
const INTERNAL_TEXT = /Code: `|57P0|Prisma|prisma|ECONN|socket|stack|Invalid `|at .*\.ts:/;

export interface LedgerCheck {
  trades: number;
  booked: number;
  violations: string[];
}

/**
 * Checks every trade of a batch against the simulated bank's ledger, the source of truth of
 * what was booked: a trade the bank booked is SUCCESS with that deal (never FAILED, never
 * anything else once the batch is final), no trade was booked under two keys, FAILED trades
 * carry only refusal codes and no internal text, and the batch's counters equal its trades.
 */
export async function checkAgainstLedger(databaseUrl: string, batchId: string): Promise<LedgerCheck> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{
      id: string;
      row_number: number;
      status: string;
      transaction_id: string | null;
      error_code: string | null;
      error_message: string | null;
      booked_keys: number;
      booked_transaction: string | null;
    }>(
      `SELECT t.id, t.row_number, (${readStatus})::text AS status, t.transaction_id, t.error_code, t.error_message,
              count(b.transaction_id)::int AS booked_keys, min(b.transaction_id) AS booked_transaction
       FROM trade t LEFT JOIN bank_sim_booking b ON split_part(b.idempotency_key, ':', 1) = t.id::text
       WHERE t.batch_id = $1 GROUP BY t.id`,
      [batchId],
    );
    const violations: string[] = [];
    for (const trade of rows) {
      const at = `row ${trade.row_number}`;
      if (trade.booked_keys > 1) violations.push(`${at}: booked under ${trade.booked_keys} keys`);
      if (trade.booked_keys === 1 && (trade.status !== "SUCCESS" || trade.transaction_id !== trade.booked_transaction)) {
        violations.push(
          `${at}: booked by the bank (${trade.booked_transaction}) but recorded ${trade.status} ${trade.transaction_id ?? ""}`,
        );
      }
      if (trade.status === "SUCCESS" && trade.booked_keys === 0) violations.push(`${at}: SUCCESS without a booking at the bank`);
      if (trade.status === "FAILED" && !REFUSAL_CODES.includes(trade.error_code ?? "")) {
        violations.push(`${at}: FAILED with ${trade.error_code}, not a refusal`);
      }
      if (INTERNAL_TEXT.test(`${trade.error_code ?? ""} ${trade.error_message ?? ""}`))
        violations.push(`${at}: internal text stored: ${trade.error_message}`);
    }
    const {
      rows: [batch],
    } = await client.query(
      `SELECT b.succeeded_trades = count(*) FILTER (WHERE ${readStatus} = 'SUCCESS')
          AND b.failed_trades = count(*) FILTER (WHERE ${readStatus} = 'FAILED')
          AND b.cancelled_trades = count(*) FILTER (WHERE ${readStatus} = 'CANCELLED')
          AND b.cancelled_unmoved_trades = count(*) FILTER (WHERE t.status = 'PENDING' AND b.cancel_requested_at IS NOT NULL) AS counters_match
       FROM batch b JOIN trade t ON t.batch_id = b.id WHERE b.id = $1 GROUP BY b.id`,
      [batchId],
    );
    if (!batch?.counters_match) violations.push("the batch's counters differ from its trades' statuses (as read: tradeStatusAsRead)");
    return { trades: rows.length, booked: rows.filter((trade) => trade.booked_keys > 0).length, violations };
  } finally {
    await client.end();
  }
}

/** The check above, asserted: no violation at all. */
export async function expectLedgerAgrees(databaseUrl: string, batchId: string): Promise<LedgerCheck> {
  const check = await checkAgainstLedger(databaseUrl, batchId);
  expect(check.violations).toEqual([]);
  return check;
}

/**
 * The run charts' rollup (trade_answer_count) holds exactly what the answered attempts say, second by
 * second, for every batch of the database; returns the batch's answers in it, booked and refused.
 */
export async function expectRollupMatchesAttempts(databaseUrl: string, batchId: string): Promise<{ succeeded: number; failed: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    expect(await answerCountDisagreements(client)).toEqual([]);
    const { rows } = await client.query<{ succeeded: number; failed: number }>(
      "SELECT coalesce(sum(succeeded), 0)::int AS succeeded, coalesce(sum(failed), 0)::int AS failed FROM trade_answer_count WHERE batch_id = $1",
      [batchId],
    );
    return rows[0]!;
  } finally {
    await client.end();
  }
}

/** A batch's status and how many of its trades are in each status as read, read directly (works while the API cannot). */
export async function batchState(databaseUrl: string, batchId: string): Promise<{ status: string; trades: Record<string, number> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ batch_status: string; status: string; n: number }>(
      `SELECT b.status::text AS batch_status, (${readStatus})::text AS status, count(*)::int AS n
       FROM batch b JOIN trade t ON t.batch_id = b.id WHERE b.id = $1 GROUP BY 1, 2`,
      [batchId],
    );
    return { status: rows[0]?.batch_status ?? "UNKNOWN", trades: Object.fromEntries(rows.map((row) => [row.status, row.n])) };
  } finally {
    await client.end();
  }
}
