import type { TradeInstruction } from "@fxbt/domain";

/**
 * The contract between the product and a bank's FX dealing API.
 *
 * A trade is executed in two calls: {@link FxGateway.createQuote} asks the bank for a firm
 * price, {@link FxGateway.bookDeal} accepts that price and books the deal. A real bank adapter
 * (REST, FIX, …) implements this interface; `createBankSimulator` is the in-process
 * implementation used for development, tests and benchmarks.
 *
 * Conventions shared by every implementation:
 * - Money and rates travel as decimal strings ("1234.50", "0.9213456712"), never as JS
 *   numbers, so that no amount is ever rounded by binary floating point.
 * - Currencies are ISO 4217 alphabetic codes in upper case ("EUR", "JPY").
 * - Every failure is reported by throwing a {@link BankError}; anything else thrown is a bug
 *   in the adapter and should be treated like `BANK_UNAVAILABLE`.
 */

/**
 * A request for a firm, time-limited price: the trade's instruction as the bank needs it
 * (field meanings on TradeInstruction in @fxbt/domain), and an id to trace it by.
 */
export interface QuoteRequest
  extends Pick<TradeInstruction, "clientId" | "accountNumber" | "sellCurrency" | "buyCurrency" | "direction" | "amount" | "valueDate"> {
  /** Stable id of the request, e.g. the trade's idempotency key, so outcomes can be traced. */
  requestId: string;
}

/** A firm price the bank honours until {@link Quote.expiresAt}. */
export interface Quote {
  /** The bank's id of the quote; pass it to {@link FxGateway.bookDeal}. */
  quoteId: string;
  /** Decimal string: units of the buy currency per 1 unit of the sell currency. */
  rate: string;
  /** Decimal string, in the sell currency, rounded to its minor units. */
  sellAmount: string;
  /** Decimal string, in the buy currency, rounded to its minor units. */
  buyAmount: string;
  /** After this instant booking the quote fails with `QUOTE_EXPIRED`. */
  expiresAt: Date;
}

/** Acceptance of a quote. */
export interface BookingRequest {
  quoteId: string;
  /**
   * The caller's key of this booking attempt. The bank decides one outcome per key: the first
   * outcome of a key, booked or refused, is the answer to every later send of that key (after
   * a timeout, a crash, a retry, or from another caller that took the work over). A resend of
   * a booked key returns the deal booked the first time, with the same transactionId, and
   * never books a second deal; a resend of a refused key is refused again with the same code,
   * and never books. Only the retryable BANK_TIMEOUT / BANK_UNAVAILABLE are not outcomes.
   */
  idempotencyKey: string;
  /** Must be the account the quote was issued for. */
  accountNumber: string;
}

/** A booked deal: the bank has committed to settle it. */
export interface BookedDeal {
  /** The bank's reference of the deal. Equal for every resend of one idempotency key. */
  transactionId: string;
  quoteId: string;
  /** When the deal was booked the first time (a resend reports the original instant). */
  bookedAt: Date;
}

/**
 * What the bank knows of a booking key ({@link FxGateway.lookupBooking}): booked (the deal),
 * refused (the final code), or unknown to the bank — no outcome was ever recorded under the
 * key, so sending the booking under the same key can book it at most once.
 */
export type BookingLookup =
  | { status: "BOOKED"; deal: BookedDeal }
  | { status: "REFUSED"; code: BankErrorCode; message: string }
  | { status: "UNKNOWN" };

/** A bank's FX dealing API. */
export interface FxGateway {
  /**
   * Asks for a firm price. Throws {@link BankError} with `INVALID_ACCOUNT`,
   * `QUOTE_REJECTED` (the bank declines to price the trade), `BANK_TIMEOUT` or
   * `BANK_UNAVAILABLE`. Quoting has no lasting effect, so it can always be repeated; a
   * repeat yields a new quote.
   */
  createQuote(request: QuoteRequest): Promise<Quote>;
  /**
   * Books the deal of a quote. Idempotent per `idempotencyKey`: the first outcome of a key,
   * booked or refused, is the answer to every later send of that key (see
   * {@link BookingRequest}). Throws {@link BankError} with `INSUFFICIENT_FUNDS`,
   * `BOOKING_REJECTED`, `QUOTE_EXPIRED`, `QUOTE_NOT_FOUND` (final refusals of the key), or the
   * retryable `BANK_TIMEOUT` / `BANK_UNAVAILABLE`: after those the deal may or may not have
   * been booked, and the caller must resend the SAME idempotency key (with the same quote) to
   * learn the outcome — never a new key, which could book the trade twice.
   */
  bookDeal(request: BookingRequest): Promise<BookedDeal>;
  /**
   * Looks a booking up by its idempotency key, as real FX and payment APIs offer (lookup by
   * request id): the way to learn an outcome that was lost (a timeout, a crash, a database
   * error after the booking was sent) without sending anything. Has no effect at the bank.
   * Throws {@link BankError} with `BANK_TIMEOUT` / `BANK_UNAVAILABLE` when it cannot answer.
   */
  lookupBooking(idempotencyKey: string): Promise<BookingLookup>;
  /** Releases connections and timers. Calls made after close fail with `BANK_UNAVAILABLE`. */
  close?(): Promise<void>;
}

/** Every reason a bank call can fail. */
export const BANK_ERROR_CODES = [
  /** The account does not exist or may not trade (refused at quote). */
  "INVALID_ACCOUNT",
  /** The account cannot cover the deal (refused at booking). */
  "INSUFFICIENT_FUNDS",
  /** The bank declines to price the request (pair, amount, limits, market conditions). */
  "QUOTE_REJECTED",
  /** The bank declines to book the quote (limits, compliance, account mismatch). */
  "BOOKING_REJECTED",
  /** The quote's validity ended before the booking arrived; ask for a new quote. */
  "QUOTE_EXPIRED",
  /** The bank does not know the quote id. */
  "QUOTE_NOT_FOUND",
  /** No answer in time: the outcome is unknown, resend the same idempotency key. */
  "BANK_TIMEOUT",
  /** The bank cannot be reached or is down: try again later with the same idempotency key. */
  "BANK_UNAVAILABLE",
] as const;

export type BankErrorCode = (typeof BANK_ERROR_CODES)[number];

const RETRYABLE: ReadonlySet<BankErrorCode> = new Set<BankErrorCode>(["BANK_TIMEOUT", "BANK_UNAVAILABLE"]);

/**
 * Whether a failure with this code may be retried. A retryable failure leaves the outcome
 * unknown (BANK_TIMEOUT) or did not reach the bank (BANK_UNAVAILABLE); any other code is a
 * final answer for that quote / idempotency key.
 */
export function isRetryableBankErrorCode(code: BankErrorCode): boolean {
  return RETRYABLE.has(code);
}

export function isBankErrorCode(value: unknown): value is BankErrorCode {
  return typeof value === "string" && (BANK_ERROR_CODES as readonly string[]).includes(value);
}

/** The one error type a gateway throws. */
export class BankError extends Error {
  override readonly name = "BankError";
  readonly code: BankErrorCode;
  /** True for BANK_TIMEOUT and BANK_UNAVAILABLE: resend the same request (same idempotency key). */
  readonly retryable: boolean;

  constructor(code: BankErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? code, options);
    this.code = code;
    this.retryable = isRetryableBankErrorCode(code);
  }
}

export function isBankError(error: unknown): error is BankError {
  return error instanceof BankError;
}
