import type { Database } from "../client";

/**
 * The simulated bank's ledger: tables bank_sim_quote (the quotes it issued) and
 * bank_sim_booking (the outcome of each idempotency key, booked or refused).
 *
 * The bank simulator calls these from its group commit (many concurrent calls, one statement),
 * so every statement takes whole arrays and passes them as a fixed number of array parameters
 * through `unnest(…)` or `= ANY(…)`: one statement and one round trip whatever the number of
 * rows, and one prepared text, so PostgreSQL plans it once.
 *
 * They go through the pg pool directly rather than Prisma's raw queries: on this path the pool
 * was measured faster (bench/bank-simulator.ts), and the pool is the one Prisma uses anyway.
 * Columns come back under camelCase aliases, typed; timestamps as Dates (pg's own parsing).
 */

/** A quote as the bank issues it: a row of bank_sim_quote (without created_at, set by the database). */
export interface NewBankQuote {
  id: string;
  accountNumber: string;
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  /** The fixed side of the deal, a plain decimal string (column DECIMAL(22, 4)). */
  amount: string;
  /** The quoted rate, a plain decimal string. */
  rate: string;
  expiresAt: Date;
  /** The QuoteRequest.requestId, to trace the quote back to its trade. */
  requestId: string | null;
}

/** What booking needs to know about a stored quote. */
export interface BankQuoteRef {
  id: string;
  accountNumber: string;
  expiresAt: Date;
}

/** The outcome of an idempotency key: booked (transactionId set) or refused (errorCode set). */
export type BankOutcomeFields =
  | { transactionId: string; errorCode: null; errorMessage: null }
  | { transactionId: null; errorCode: string; errorMessage: string | null };

/** An outcome to record for a key. */
export type NewBankOutcome = BankOutcomeFields & {
  idempotencyKey: string;
  quoteId: string;
};

/** A row of bank_sim_booking. */
export type BankOutcome = NewBankOutcome & {
  /** When the outcome was recorded (for a deal: when it was booked). */
  recordedAt: Date;
};

/**
 * The columns of a bank_sim_booking row as a {@link BankOutcome}. The CHECK constraint
 * bank_sim_booking_outcome_check guarantees the union's shape: either transaction_id is set and
 * both error columns are null, or transaction_id is null and error_code is set.
 */
const OUTCOME_COLUMNS = `idempotency_key AS "idempotencyKey", transaction_id AS "transactionId", quote_id AS "quoteId",
       error_code AS "errorCode", error_message AS "errorMessage", created_at AS "recordedAt"`;

/**
 * Stores quotes, all with one multi-row statement. Quote ids are the bank's own fresh ids; a
 * repeated id fails the whole statement (primary key), so nothing is stored twice.
 */
export async function insertBankQuotes(database: Pick<Database, "pool">, quotes: readonly NewBankQuote[]): Promise<void> {
  if (quotes.length === 0) return;
  await database.pool.query(
    `INSERT INTO bank_sim_quote (id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at, request_id)
     SELECT t.id, t.account_number, t.sell_currency, t.buy_currency, t.direction::"TradeDirection",
            t.amount::numeric, t.rate::numeric, t.expires_at, t.request_id
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[])
       AS t(id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at, request_id)`,
    [
      quotes.map((q) => q.id),
      quotes.map((q) => q.accountNumber),
      quotes.map((q) => q.sellCurrency),
      quotes.map((q) => q.buyCurrency),
      quotes.map((q) => q.direction),
      quotes.map((q) => q.amount),
      quotes.map((q) => q.rate),
      quotes.map((q) => q.expiresAt.toISOString()),
      quotes.map((q) => q.requestId),
    ],
  );
}

/**
 * The stored quotes among `ids`, in no particular order; an unknown id simply has no row (and a
 * repeated id yields one row).
 */
export async function findBankQuotes(database: Pick<Database, "pool">, ids: readonly string[]): Promise<BankQuoteRef[]> {
  if (ids.length === 0) return [];
  const { rows } = await database.pool.query<BankQuoteRef>(
    `SELECT id, account_number AS "accountNumber", expires_at AS "expiresAt" FROM bank_sim_quote WHERE id = ANY($1::text[])`,
    [ids],
  );
  return rows;
}

/**
 * Records the outcome of each key that has none yet, with one statement, and returns the rows
 * it inserted (with their recordedAt); a key missing from the result already had an outcome,
 * which {@link findBankOutcomes} reads.
 *
 * Exactly one outcome per key, whatever the concurrency: `ON CONFLICT (idempotency_key) DO
 * NOTHING` lets the primary key decide, across statements, simulator instances and processes,
 * so a key's first stored outcome is never overwritten. Pass distinct keys: which of two rows
 * of one key in the same call would win is not specified.
 */
export async function insertBankOutcomes(database: Pick<Database, "pool">, outcomes: readonly NewBankOutcome[]): Promise<BankOutcome[]> {
  if (outcomes.length === 0) return [];
  const { rows } = await database.pool.query<BankOutcome>(
    `INSERT INTO bank_sim_booking (idempotency_key, transaction_id, quote_id, error_code, error_message)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING ${OUTCOME_COLUMNS}`,
    [
      outcomes.map((o) => o.idempotencyKey),
      outcomes.map((o) => o.transactionId),
      outcomes.map((o) => o.quoteId),
      outcomes.map((o) => o.errorCode),
      outcomes.map((o) => o.errorMessage),
    ],
  );
  return rows;
}

/**
 * The recorded outcomes of `keys`, in no particular order; a key without an outcome has no row.
 * Run as a new statement, it sees every outcome committed before it started, including those
 * of concurrent {@link insertBankOutcomes} calls that made a key conflict.
 */
export async function findBankOutcomes(database: Pick<Database, "pool">, keys: readonly string[]): Promise<BankOutcome[]> {
  if (keys.length === 0) return [];
  const { rows } = await database.pool.query<BankOutcome>(
    `SELECT ${OUTCOME_COLUMNS} FROM bank_sim_booking WHERE idempotency_key = ANY($1::text[])`,
    [keys],
  );
  return rows;
}
