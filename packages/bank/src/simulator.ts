import type { Database } from "@fxbt/db";
import {
  BankError,
  type BankErrorCode,
  type BookedDeal,
  type BookingLookup,
  type BookingRequest,
  type FxGateway,
  isBankErrorCode,
  isRetryableBankErrorCode,
  type Quote,
  type QuoteRequest,
} from "./gateway";
import { simulatedLatency } from "./latency";
import { Ledger, type OutcomeFields, type OutcomeRecord, type RecordedOutcome, type StoredQuote } from "./ledger";
import { priceProblem, priceQuote } from "./pricing";
import { hashUnit, randomId, randomSeed } from "./random";

/**
 * A bank that lives in the product's database: an {@link FxGateway} for development, tests
 * and benchmarks.
 *
 * Outcomes
 * - Test accounts behave the same whatever the success rate and seed:
 *   - account number ending 9999: refused at quote with INVALID_ACCOUNT;
 *   - ending 8888: quoted, refused at booking with INSUFFICIENT_FUNDS (recorded in the ledger
 *     like every refusal of a booking);
 *   - ending 7777: quoted; the FIRST booking of an idempotency key is recorded in the
 *     ledger but the call throws BANK_TIMEOUT (the response was "lost"); resending the same
 *     key returns the recorded deal, with the same transactionId.
 * - Any other account: quoting fails with QUOTE_REJECTED with probability 1 − √successRate
 *   and booking fails with BOOKING_REJECTED with the same probability, so that about
 *   successRate of the trades end booked. Each decision is hash(seed, operation, identity)
 *   — the requestId for a quote, the idempotencyKey for a booking — so a seed fixes every
 *   outcome whatever the call order, the concurrency or the instance that serves the call.
 *
 * Booking has exactly one outcome per idempotency key, also across instances, seeds and
 * processes that share the database (see {@link Ledger}): every call decides an outcome,
 * records it unless the key has one already, and answers with the outcome STORED — the first
 * outcome of a key, booked or refused, is the answer to every later send of that key. A resend
 * of a booked key returns the first deal (same transactionId), even if the quote has expired
 * since or the resend's own decision would have refused it; a resend of a refused key is
 * refused again with the first refusal's code and message, even if its own decision would
 * have booked it. A booking whose idempotency key is empty, too long or not text is refused
 * with BOOKING_REJECTED and nothing is recorded (there is no key to record it under).
 *
 * Quotes expire after `quoteTtlMs`; booking then fails with QUOTE_EXPIRED, and an unknown
 * quote id with QUOTE_NOT_FOUND. `expiredAtBooking` makes chosen bookings find their quote
 * expired whatever the clock says (recorded like any refusal). A booking whose account differs from the quote's fails with
 * BOOKING_REJECTED. The simulator does not stop one quote from being booked under several
 * idempotency keys (the ledger has no unique quote_id).
 *
 * `clientId` and `valueDate` are accepted and not checked (every value date is honoured).
 *
 * Failures of the database are reported as BANK_UNAVAILABLE, or BANK_TIMEOUT when an outcome
 * was being written (it is then unknown whether it was stored). They are not outcomes of the
 * key: nothing is recorded for them, and a resend decides afresh unless an outcome was stored.
 */
export interface BankSimulatorOptions {
  /** The database holding bank_sim_quote / bank_sim_booking. Not closed by the simulator. */
  database: Database;
  /** Share of ordinary trades that end booked, in [0, 1]. Default 0.9. */
  successRate?: number;
  /** Mean latency of every call in ms (uniform 0.5×–1.5×); 0 sets no timer. Default 150. */
  latencyMs?: number;
  /** Fixes every random decision and spread; default a random seed per simulator. */
  seed?: string;
  /** Validity of a quote in ms. Default 30 000. */
  quoteTtlMs?: number;
  /**
   * Fault injection: a booking of a known quote, for its account, for which this answers true is
   * refused with QUOTE_EXPIRED as if it had arrived after the quote's expiry. A test then decides
   * which bookings outlive their quote by the bank's answer, not by racing `quoteTtlMs` against
   * a slow call (a race the load of the machine decides). Default: none.
   */
  expiredAtBooking?: (request: BookingRequest) => boolean;
  /** How long the ledger collects concurrent writes into one statement (ms). Default 2. */
  batchWindowMs?: number;
  /** Most rows per ledger statement. Default 1000. */
  maxBatchSize?: number;
}

export interface BankSimulator extends FxGateway {
  /** The seed in use (the generated one when none was given), to reproduce a run. */
  readonly seed: string;
  readonly successRate: number;
  /** Waits for the calls in flight; later calls fail with BANK_UNAVAILABLE. */
  close(): Promise<void>;
}

export const DEFAULT_SUCCESS_RATE = 0.9;
export const DEFAULT_LATENCY_MS = 150;
export const DEFAULT_QUOTE_TTL_MS = 30_000;

const MAX_ACCOUNT_LENGTH = 20;
const MAX_KEY_LENGTH = 200;

function isUsableText(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= maxLength && !value.includes("\u0000");
}

/** Text PostgreSQL can store: NUL, which it refuses in text (and which would fail the whole
 * batch of the statement), becomes U+FFFD. */
function storable(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

function isTestAccount(account: string): boolean {
  return account.endsWith("9999") || account.endsWith("8888") || account.endsWith("7777");
}

function checkOptions(options: BankSimulatorOptions): void {
  const { successRate, latencyMs, quoteTtlMs, batchWindowMs, maxBatchSize } = options;
  if (successRate !== undefined && !(successRate >= 0 && successRate <= 1))
    throw new RangeError(`successRate must be in [0, 1], got ${successRate}`);
  if (latencyMs !== undefined && !(latencyMs >= 0 && Number.isFinite(latencyMs)))
    throw new RangeError(`latencyMs must be ≥ 0, got ${latencyMs}`);
  if (quoteTtlMs !== undefined && !(quoteTtlMs > 0 && Number.isFinite(quoteTtlMs)))
    throw new RangeError(`quoteTtlMs must be > 0, got ${quoteTtlMs}`);
  if (batchWindowMs !== undefined && !(batchWindowMs >= 0 && Number.isFinite(batchWindowMs)))
    throw new RangeError(`batchWindowMs must be ≥ 0, got ${batchWindowMs}`);
  if (maxBatchSize !== undefined && !(Number.isInteger(maxBatchSize) && maxBatchSize >= 1))
    throw new RangeError(`maxBatchSize must be a whole number ≥ 1, got ${maxBatchSize}`);
}

export function createBankSimulator(options: BankSimulatorOptions): BankSimulator {
  checkOptions(options);
  const successRate = options.successRate ?? DEFAULT_SUCCESS_RATE;
  const latencyMs = options.latencyMs ?? DEFAULT_LATENCY_MS;
  const quoteTtlMs = options.quoteTtlMs ?? DEFAULT_QUOTE_TTL_MS;
  const seed = options.seed ?? randomSeed();
  // Each step succeeds with √successRate, so that quote-and-book succeeds with successRate.
  const stepSuccess = Math.sqrt(successRate);
  const ledger = new Ledger({
    database: options.database,
    batchWindowMs: options.batchWindowMs ?? 2,
    maxBatchSize: options.maxBatchSize ?? 1000,
  });

  // Quotes issued or looked up by this instance, kept until they expire; the database stays
  // the source of truth (other instances, restarts). Insertion order ≈ expiry order, so
  // pruning from the front is amortised O(1).
  const quotes = new Map<string, StoredQuote>();
  function remember(quote: StoredQuote): void {
    const now = Date.now();
    for (const [id, cached] of quotes) {
      if (cached.expiresAt.getTime() > now) break;
      quotes.delete(id);
    }
    if (quote.expiresAt.getTime() > now) quotes.set(quote.id, quote);
  }

  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  function track<T>(work: () => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new BankError("BANK_UNAVAILABLE", "the bank simulator is closed"));
    const promise = work();
    inFlight.add(promise);
    const forget = () => void inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async function createQuote(request: QuoteRequest): Promise<Quote> {
    await simulatedLatency(latencyMs);
    const account = request.accountNumber;
    if (!isUsableText(account, MAX_ACCOUNT_LENGTH))
      throw new BankError("INVALID_ACCOUNT", `account "${String(account)}" is not a valid account number`);
    if (account.endsWith("9999")) throw new BankError("INVALID_ACCOUNT", `account ${account} is unknown to the bank`);
    const problem = priceProblem(request);
    if (problem !== null) throw new BankError("QUOTE_REJECTED", problem);
    const requestId = String(request.requestId);
    if (!isTestAccount(account) && hashUnit(seed, "quote", requestId) >= stepSuccess) {
      throw new BankError("QUOTE_REJECTED", "the bank declined to quote (simulated)");
    }
    const price = priceQuote(request, seed, requestId);
    if (price === null) throw new BankError("QUOTE_REJECTED", "the amount is too small or too large for this pair");
    const id = randomId("Q-");
    const expiresAt = new Date(Date.now() + quoteTtlMs);
    try {
      await ledger.insertQuote({
        id,
        accountNumber: account,
        sellCurrency: request.sellCurrency,
        buyCurrency: request.buyCurrency,
        direction: request.direction,
        amount: price.amount,
        rate: price.rate,
        expiresAt,
        requestId: storable(requestId),
      });
    } catch (error) {
      throw new BankError("BANK_UNAVAILABLE", "the bank could not store the quote", { cause: error });
    }
    remember({ id, accountNumber: account, expiresAt });
    return { quoteId: id, rate: price.rate, sellAmount: price.sellAmount, buyAmount: price.buyAmount, expiresAt };
  }

  async function findQuote(quoteId: string): Promise<StoredQuote | null> {
    const cached = quotes.get(quoteId);
    if (cached !== undefined) return cached;
    let stored: StoredQuote | null;
    try {
      stored = await ledger.findQuote(quoteId);
    } catch (error) {
      throw new BankError("BANK_UNAVAILABLE", "the bank could not read the quote", { cause: error });
    }
    if (stored !== null) remember(stored);
    return stored;
  }

  /** Why this booking is refused, or null to book it. */
  async function refusal(request: BookingRequest): Promise<BankError | null> {
    const { quoteId, accountNumber: account, idempotencyKey } = request;
    if (!isUsableText(quoteId, MAX_KEY_LENGTH)) return new BankError("QUOTE_NOT_FOUND", `quote "${String(quoteId)}" is unknown`);
    const quote = await findQuote(quoteId);
    if (quote === null) return new BankError("QUOTE_NOT_FOUND", `quote ${quoteId} is unknown`);
    if (quote.accountNumber !== account) return new BankError("BOOKING_REJECTED", `quote ${quoteId} was issued for another account`);
    if (Date.now() >= quote.expiresAt.getTime())
      return new BankError("QUOTE_EXPIRED", `quote ${quoteId} expired at ${quote.expiresAt.toISOString()}`);
    if (options.expiredAtBooking?.(request))
      return new BankError("QUOTE_EXPIRED", `quote ${quoteId} expired before this booking arrived (simulated)`);
    if (account.endsWith("8888")) return new BankError("INSUFFICIENT_FUNDS", `account ${account} cannot cover the deal`);
    if (!isTestAccount(account) && hashUnit(seed, "book", idempotencyKey) >= stepSuccess) {
      return new BankError("BOOKING_REJECTED", "the bank declined to book (simulated)");
    }
    return null;
  }

  function deal(record: OutcomeRecord & { transactionId: string }): BookedDeal {
    return { transactionId: record.transactionId, quoteId: record.quoteId, bookedAt: record.recordedAt };
  }

  /** The error a stored refusal answers with: its code and message, whoever recorded it. */
  function storedRefusal(record: OutcomeRecord & { transactionId: null }): BankError {
    // Only final codes are ever recorded; anything else (a foreign row) reads as a refusal.
    const code: BankErrorCode =
      isBankErrorCode(record.errorCode) && !isRetryableBankErrorCode(record.errorCode) ? record.errorCode : "BOOKING_REJECTED";
    return new BankError(code, record.errorMessage ?? code);
  }

  async function bookDeal(request: BookingRequest): Promise<BookedDeal> {
    await simulatedLatency(latencyMs);
    const key = request.idempotencyKey;
    if (!isUsableText(key, MAX_KEY_LENGTH))
      throw new BankError("BOOKING_REJECTED", `idempotency key "${String(key)}" is empty, too long or not text`);
    // This call's own decision (a failure to read the quote throws BANK_UNAVAILABLE: no outcome).
    const refused = await refusal(request);
    const decided: OutcomeFields =
      refused === null
        ? { transactionId: randomId("T-"), errorCode: null, errorMessage: null }
        : { transactionId: null, errorCode: refused.code, errorMessage: storable(refused.message) };
    // Recorded unless the key has an outcome already; the answer is the outcome stored, which
    // may be another call's (an earlier send, a concurrent one, another instance or seed).
    let recorded: RecordedOutcome;
    try {
      recorded = await ledger.recordOutcome({ idempotencyKey: key, quoteId: storable(String(request.quoteId)), ...decided });
    } catch (error) {
      throw new BankError("BANK_TIMEOUT", "the booking's outcome is unknown; resend the same idempotency key", { cause: error });
    }
    const { record, inserted } = recorded;
    if (record.transactionId === null) throw storedRefusal(record);
    if (inserted && request.accountNumber.endsWith("7777")) {
      throw new BankError("BANK_TIMEOUT", "no response from the bank (simulated lost response); resend the same idempotency key");
    }
    return deal(record);
  }

  async function lookupBooking(idempotencyKey: string): Promise<BookingLookup> {
    await simulatedLatency(latencyMs);
    let record: OutcomeRecord | null;
    try {
      record = await ledger.findOutcome(idempotencyKey);
    } catch (error) {
      throw new BankError("BANK_UNAVAILABLE", "the bank could not look the booking up", { cause: error });
    }
    if (record === null) return { status: "UNKNOWN" };
    if (record.transactionId === null) {
      const { code, message } = storedRefusal(record);
      return { status: "REFUSED", code, message };
    }
    return { status: "BOOKED", deal: deal(record) };
  }

  return {
    seed,
    successRate,
    createQuote: (request) => track(() => createQuote(request)),
    bookDeal: (request) => track(() => bookDeal(request)),
    lookupBooking: (key) => track(() => lookupBooking(key)),
    async close() {
      closed = true;
      await Promise.allSettled([...inFlight]);
    },
  };
}
