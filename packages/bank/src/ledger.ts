import {
  type BankOutcome,
  type BankOutcomeFields,
  type BankQuoteRef,
  type Database,
  findBankOutcomes,
  findBankQuotes,
  insertBankOutcomes,
  insertBankQuotes,
  type NewBankOutcome,
  type NewBankQuote,
} from "@fxbt/db";
import DataLoader from "dataloader";

/**
 * The simulated bank's ledger: tables bank_sim_quote and bank_sim_booking, written and read
 * through @fxbt/db's bank-ledger statements (see there for the SQL and what it guarantees).
 *
 * Throughput comes from group commit: concurrent calls are collected by a DataLoader
 * (no cache) for a short window and written with ONE multi-row statement per batch,
 * whatever the number of rows.
 *
 * bank_sim_booking holds the OUTCOME of each idempotency key: a booked deal (transaction_id
 * set) or a refusal (error_code and error_message set, no transaction_id; a CHECK constraint
 * allows nothing else). Exactly-once outcomes rest on its primary key alone:
 * `ON CONFLICT (idempotency_key) DO NOTHING` records a key at most once — across batches,
 * simulator instances and processes — and the rows it did not insert are then read back,
 * so every caller of one key gets the outcome stored first, booked or refused.
 */

export type QuoteRecord = NewBankQuote;

/** What booking needs to know about a quote. */
export type StoredQuote = BankQuoteRef;

/** The outcome of a key: booked (transactionId set) or refused (errorCode set). */
export type OutcomeFields = BankOutcomeFields;

export type NewOutcome = NewBankOutcome;

/** A row of bank_sim_booking. */
export type OutcomeRecord = BankOutcome;

export interface RecordedOutcome {
  /** The outcome stored for the key: this call's, or the one recorded before it. */
  record: OutcomeRecord;
  /** True for the one call whose row was inserted; false when the key had an outcome already. */
  inserted: boolean;
}

export interface LedgerOptions {
  database: Database;
  /** How long a batch collects calls before it is written (ms). */
  batchWindowMs: number;
  maxBatchSize: number;
}

export class Ledger {
  private readonly database: Database;
  private readonly quoteWriter: DataLoader<QuoteRecord, true>;
  private readonly quoteReader: DataLoader<string, StoredQuote | null>;
  private readonly outcomeWriter: DataLoader<NewOutcome, RecordedOutcome>;

  constructor(options: LedgerOptions) {
    this.database = options.database;
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

  /** The outcome recorded under a key, if any (read now, not batched: lookups are rare). */
  async findOutcome(idempotencyKey: string): Promise<OutcomeRecord | null> {
    const [record] = await findBankOutcomes(this.database, [idempotencyKey]);
    return record ?? null;
  }

  private async writeQuotes(quotes: readonly QuoteRecord[]): Promise<true[]> {
    await insertBankQuotes(this.database, quotes);
    return quotes.map(() => true);
  }

  private async readQuotes(ids: readonly string[]): Promise<(StoredQuote | null)[]> {
    const byId = new Map<string, StoredQuote>();
    for (const quote of await findBankQuotes(this.database, [...new Set(ids)])) byId.set(quote.id, quote);
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async writeOutcomes(outcomes: readonly NewOutcome[]): Promise<(RecordedOutcome | Error)[]> {
    // One row per key: the first call of a key in the batch competes for it, the others
    // (concurrent resends) receive whatever ends up stored.
    const first = new Map<string, NewOutcome>();
    for (const outcome of outcomes) if (!first.has(outcome.idempotencyKey)) first.set(outcome.idempotencyKey, outcome);
    const unique = [...first.values()];
    const stored = new Map<string, OutcomeRecord>();
    for (const record of await insertBankOutcomes(this.database, unique)) stored.set(record.idempotencyKey, record);
    const insertedKeys = new Set(stored.keys());
    const existing = unique.filter((o) => !insertedKeys.has(o.idempotencyKey)).map((o) => o.idempotencyKey);
    if (existing.length > 0) {
      // Recorded before this statement (or by a concurrent one that committed meanwhile):
      // a new statement sees every committed row.
      for (const record of await findBankOutcomes(this.database, existing)) stored.set(record.idempotencyKey, record);
    }
    return outcomes.map((outcome) => {
      const record = stored.get(outcome.idempotencyKey);
      if (record === undefined) return new Error(`outcome of ${outcome.idempotencyKey} neither inserted nor found`);
      const won = insertedKeys.has(outcome.idempotencyKey) && first.get(outcome.idempotencyKey) === outcome;
      return { record, inserted: won };
    });
  }
}
