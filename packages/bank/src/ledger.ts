import DataLoader from "dataloader";
import type { Database } from "@fxbt/db";

/**
 * The simulated bank's ledger: tables bank_sim_quote and bank_sim_booking.
 *
 * Throughput comes from group commit: concurrent calls are collected by a DataLoader
 * (no cache) for a short window and written with ONE multi-row statement per batch,
 * `INSERT … SELECT … FROM unnest($1::text[], …)`, whatever the number of rows.
 *
 * Exactly-once booking rests on the primary key of bank_sim_booking alone:
 * `ON CONFLICT (idempotency_key) DO NOTHING` inserts a key at most once — across batches,
 * simulator instances and processes — and the rows it did not insert are then read back,
 * so every caller of one key gets the deal stored first.
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
}

/** What booking needs to know about a quote. */
export interface StoredQuote {
  id: string;
  accountNumber: string;
  expiresAt: Date;
}

export interface BookingRecord {
  idempotencyKey: string;
  transactionId: string;
  quoteId: string;
  bookedAt: Date;
}

export interface NewBooking {
  idempotencyKey: string;
  transactionId: string;
  quoteId: string;
}

export interface BookingOutcome {
  booking: BookingRecord;
  /** True for the one call whose row was inserted; false when the key was booked before. */
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
INSERT INTO bank_sim_quote (id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at)
SELECT t.id, t.account_number, t.sell_currency, t.buy_currency, t.direction::"TradeDirection",
       t.amount::numeric, t.rate::numeric, t.expires_at
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
  AS t(id, account_number, sell_currency, buy_currency, direction, amount, rate, expires_at)`;

const SELECT_QUOTES = `
SELECT id, account_number, expires_at FROM bank_sim_quote WHERE id = ANY($1::text[])`;

const INSERT_BOOKINGS = `
INSERT INTO bank_sim_booking (idempotency_key, transaction_id, quote_id)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
ON CONFLICT (idempotency_key) DO NOTHING
RETURNING idempotency_key, transaction_id, quote_id, created_at`;

const SELECT_BOOKINGS = `
SELECT idempotency_key, transaction_id, quote_id, created_at FROM bank_sim_booking WHERE idempotency_key = ANY($1::text[])`;

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function bookingFromRow(row: Row): BookingRecord {
  return {
    idempotencyKey: String(row.idempotency_key),
    transactionId: String(row.transaction_id),
    quoteId: String(row.quote_id),
    bookedAt: toDate(row.created_at),
  };
}

export class Ledger {
  private readonly sql: Sql;
  private readonly quoteWriter: DataLoader<QuoteRecord, true>;
  private readonly quoteReader: DataLoader<string, StoredQuote | null>;
  private readonly bookingWriter: DataLoader<NewBooking, BookingOutcome>;
  private readonly bookingReader: DataLoader<string, BookingRecord | null>;

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
    this.bookingWriter = new DataLoader((bookings) => this.writeBookings(bookings), loaderOptions);
    this.bookingReader = new DataLoader((keys) => this.readBookings(keys), loaderOptions);
  }

  /** Stores a quote; resolves once its batch is committed. */
  async insertQuote(quote: QuoteRecord): Promise<void> {
    await this.quoteWriter.load(quote);
  }

  findQuote(id: string): Promise<StoredQuote | null> {
    return this.quoteReader.load(id);
  }

  /** Books a key unless it is booked already; either way resolves to the stored deal. */
  insertBooking(booking: NewBooking): Promise<BookingOutcome> {
    return this.bookingWriter.load(booking);
  }

  findBooking(idempotencyKey: string): Promise<BookingRecord | null> {
    return this.bookingReader.load(idempotencyKey);
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

  private async writeBookings(bookings: readonly NewBooking[]): Promise<(BookingOutcome | Error)[]> {
    // One row per key: the first call of a key in the batch competes for it, the others
    // (concurrent resends) receive whatever ends up stored.
    const first = new Map<string, NewBooking>();
    for (const booking of bookings) if (!first.has(booking.idempotencyKey)) first.set(booking.idempotencyKey, booking);
    const unique = [...first.values()];
    const inserted = await this.sql(INSERT_BOOKINGS, [
      unique.map((b) => b.idempotencyKey),
      unique.map((b) => b.transactionId),
      unique.map((b) => b.quoteId),
    ]);
    const stored = new Map<string, BookingRecord>();
    for (const row of inserted) {
      const booking = bookingFromRow(row);
      stored.set(booking.idempotencyKey, booking);
    }
    const insertedKeys = new Set(stored.keys());
    const existing = unique.filter((b) => !insertedKeys.has(b.idempotencyKey)).map((b) => b.idempotencyKey);
    if (existing.length > 0) {
      // Booked before this statement (or by a concurrent one that committed meanwhile):
      // a new statement sees every committed row.
      for (const row of await this.sql(SELECT_BOOKINGS, [existing])) {
        const booking = bookingFromRow(row);
        stored.set(booking.idempotencyKey, booking);
      }
    }
    return bookings.map((booking) => {
      const record = stored.get(booking.idempotencyKey);
      if (record === undefined) return new Error(`booking ${booking.idempotencyKey} neither inserted nor found`);
      const won = insertedKeys.has(booking.idempotencyKey) && first.get(booking.idempotencyKey) === booking;
      return { booking: record, inserted: won };
    });
  }

  private async readBookings(keys: readonly string[]): Promise<(BookingRecord | null)[]> {
    const rows = await this.sql(SELECT_BOOKINGS, [[...new Set(keys)]]);
    const byKey = new Map<string, BookingRecord>();
    for (const row of rows) {
      const booking = bookingFromRow(row);
      byKey.set(booking.idempotencyKey, booking);
    }
    return keys.map((key) => byKey.get(key) ?? null);
  }
}
