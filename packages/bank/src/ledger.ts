import type { Database } from "@fxbt/db";
import DataLoader from "dataloader";

/**
 * The simulated bank's ledger: tables bank_sim_quote and bank_sim_booking.
 *
 * Throughput comes from group commit: concurrent calls are collected by a DataLoader
 * (no cache) for a short window and written with ONE multi-row statement per batch,
 * `INSERT … SELECT … FROM unnest($1::text[], …)`, whatever the number of rows.
 *
 * bank_sim_booking holds the OUTCOME of each idempotency key: a booked deal (transaction_id
 * set) or a refusal (error_code and error_message set, no transaction_id; a CHECK constraint
 * allows nothing else). Exactly-once outcomes rest on its primary key alone:
 * `ON CONFLICT (idempotency_key) DO NOTHING` records a key at most once — across batches,
 * simulator instances and processes — and the rows it did not insert are then read back,
 * so every caller of one key gets the outcome stored first, booked or refused.
 */

export interface QuoteRecord {
  id: string;
  accountNumber: string;
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amount: string;
  rate: string;
  expiresAt: Date;
  /** The QuoteRequest.requestId, to trace the quote back to its trade. */
  requestId: string | null;
}

/** What booking needs to know about a quote. */
export interface StoredQuote {
  id: string;
  accountNumber: string;
  expiresAt: Date;
}

/** The outcome of a key: booked (transactionId set) or refused (errorCode set). */
export type OutcomeFields =
  | { transactionId: string; errorCode: null; errorMessage: null }
  | { transactionId: null; errorCode: string; errorMessage: string | null };

export type NewOutcome = OutcomeFields & {
  idempotencyKey: string;
  quoteId: string;
};

/** A row of bank_sim_booking. */
export type OutcomeRecord = NewOutcome & {
  /** When the outcome was recorded (for a deal: when it was booked). */
  recordedAt: Date;
};

export interface RecordedOutcome {
  /** The outcome stored for the key: this call's, or the one recorded before it. */
  record: OutcomeRecord;
  /** True for the one call whose row was inserted; false when the key had an outcome already. */
  inserted: boolean;
}

/** How SQL reaches the database: the pg pool directly, or Prisma's raw queries over it. */
export type SqlDriver = "pool" | "prisma";

type Row = Record<string, unknown>;
type Sql = (text: string, params: unknown[]) => Promise<Row[]>;

function sqlFor(database: Database, driver: SqlDriver): Sql {
  if (driver === "pool") return async (text, params) => (await database.pool.query(text, params)).rows as Row[];
  return (text, params) => database.prisma.$queryRawUnsafe<Row[]>(text, ...params);
}

export interface LedgerOptions {
  database: Database;
  driver: SqlDriver;
  /** How long a batch collects calls before it is written (ms). */
  batchWindowMs: number;
  maxBatchSize: number;
}

const INSERT_QUOTES = `
INSERT INTO bank_sim_quote (id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at, request_id)
SELECT t.id, t.account_number, t.sell_currency, t.buy_currency, t.direction::"TradeDirection",
       t.amount::numeric, t.rate::numeric, t.expires_at, t.request_id
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[], $9::text[])
  AS t(id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at, request_id)`;

const SELECT_QUOTES = `
SELECT id, account_number, expires_at FROM bank_sim_quote WHERE id = ANY($1::text[])`;

const OUTCOME_COLUMNS = "idempotency_key, transaction_id, quote_id, error_code, error_message, created_at";

const INSERT_OUTCOMES = `
INSERT INTO bank_sim_booking (idempotency_key, transaction_id, quote_id, error_code, error_message)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING ${OUTCOME_COLUMNS}`;

const SELECT_OUTCOMES = `
SELECT ${OUTCOME_COLUMNS} FROM bank_sim_booking WHERE idempotency_key = ANY($1::text[])`;

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function outcomeFromRow(row: Row): OutcomeRecord {
  const base = { idempotencyKey: String(row.idempotency_key), quoteId: String(row.quote_id), recordedAt: toDate(row.created_at) };
  const transactionId = textOrNull(row.transaction_id);
  if (transactionId !== null) return { ...base, transactionId, errorCode: null, errorMessage: null };
  // The CHECK constraint guarantees error_code here; "" stands in should it ever be missing.
  return { ...base, transactionId: null, errorCode: textOrNull(row.error_code) ?? "", errorMessage: textOrNull(row.error_message) };
}

export class Ledger {
  private readonly sql: Sql;
  private readonly quoteWriter: DataLoader<QuoteRecord, true>;
  private readonly quoteReader: DataLoader<string, StoredQuote | null>;
  private readonly outcomeWriter: DataLoader<NewOutcome, RecordedOutcome>;

  constructor(options: LedgerOptions) {
    this.sql = sqlFor(options.database, options.driver);
    const windowMs = options.batchWindowMs;
    const loaderOptions = {
      cache: false,
      maxBatchSize: options.maxBatchSize,
      batchScheduleFn: windowMs > 0 ? (run: () => void) => void setTimeout(run, windowMs) : (run: () => void) => void setImmediate(run),
    } as const;
    this.quoteWriter = new DataLoader((quotes) => this.writeQuotes(quotes), loaderOptions);
    this.quoteReader = new DataLoader((ids) => this.readQuotes(ids), loaderOptions);
    this.outcomeWriter = new DataLoader((outcomes) => this.writeOutcomes(outcomes), loaderOptions);
  }

  /** Stores a quote; resolves once its batch is committed. */
  async insertQuote(quote: QuoteRecord): Promise<void> {
    await this.quoteWriter.load(quote);
  }

  findQuote(id: string): Promise<StoredQuote | null> {
    return this.quoteReader.load(id);
  }

  /**
   * Records the outcome of a key unless the key has one already; either way resolves to the
   * outcome stored (once its batch is committed).
   */
  recordOutcome(outcome: NewOutcome): Promise<RecordedOutcome> {
    return this.outcomeWriter.load(outcome);
  }

  private async writeQuotes(quotes: readonly QuoteRecord[]): Promise<true[]> {
    await this.sql(INSERT_QUOTES, [
      quotes.map((q) => q.id),
      quotes.map((q) => q.accountNumber),
      quotes.map((q) => q.sellCurrency),
      quotes.map((q) => q.buyCurrency),
      quotes.map((q) => q.direction),
      quotes.map((q) => q.amount),
      quotes.map((q) => q.rate),
      quotes.map((q) => q.expiresAt.toISOString()),
      quotes.map((q) => q.requestId),
    ]);
    return quotes.map(() => true);
  }

  private async readQuotes(ids: readonly string[]): Promise<(StoredQuote | null)[]> {
    const rows = await this.sql(SELECT_QUOTES, [[...new Set(ids)]]);
    const byId = new Map<string, StoredQuote>();
    for (const row of rows) {
      const id = String(row.id);
      byId.set(id, { id, accountNumber: String(row.account_number), expiresAt: toDate(row.expires_at) });
    }
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async writeOutcomes(outcomes: readonly NewOutcome[]): Promise<(RecordedOutcome | Error)[]> {
    // One row per key: the first call of a key in the batch competes for it, the others
    // (concurrent resends) receive whatever ends up stored.
    const first = new Map<string, NewOutcome>();
    for (const outcome of outcomes) if (!first.has(outcome.idempotencyKey)) first.set(outcome.idempotencyKey, outcome);
    const unique = [...first.values()];
    const inserted = await this.sql(INSERT_OUTCOMES, [
      unique.map((o) => o.idempotencyKey),
      unique.map((o) => o.transactionId),
      unique.map((o) => o.quoteId),
      unique.map((o) => o.errorCode),
      unique.map((o) => o.errorMessage),
    ]);
    const stored = new Map<string, OutcomeRecord>();
    for (const row of inserted) {
      const record = outcomeFromRow(row);
      stored.set(record.idempotencyKey, record);
    }
    const insertedKeys = new Set(stored.keys());
    const existing = unique.filter((o) => !insertedKeys.has(o.idempotencyKey)).map((o) => o.idempotencyKey);
    if (existing.length > 0) {
      // Recorded before this statement (or by a concurrent one that committed meanwhile):
      // a new statement sees every committed row.
      for (const row of await this.sql(SELECT_OUTCOMES, [existing])) {
        const record = outcomeFromRow(row);
        stored.set(record.idempotencyKey, record);
      }
    }
    return outcomes.map((outcome) => {
      const record = stored.get(outcome.idempotencyKey);
      if (record === undefined) return new Error(`outcome of ${outcome.idempotencyKey} neither inserted nor found`);
      const won = insertedKeys.has(outcome.idempotencyKey) && first.get(outcome.idempotencyKey) === outcome;
      return { record, inserted: won };
    });
  }
}
