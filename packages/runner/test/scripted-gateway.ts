import { setTimeout as sleep } from "node:timers/promises";
import {
  BankError,
  type BankErrorCode,
  type BookedDeal,
  type BookingLookup,
  type BookingRequest,
  type FxGateway,
  type Quote,
  type QuoteRequest,
} from "@fxbt/bank";

/**
 * A test double of the bank whose answers each test writes down: per account number, and per
 * call of that account (the n-th quote, the n-th booking), so "BANK_TIMEOUT twice, then
 * booked" is a list. It records every call with the key it carried, and the most calls it
 * ever had in flight at once.
 */

/**
 * One answer of the bank: success, a BankError with this code, anything else thrown (a broken
 * adapter), or an outcome the bank recorded whose answer was lost on the way back.
 */
export type Answer = "ok" | BankErrorCode | { throw: unknown } | "lost-after-booking" | LostAnswer;

/**
 * The bank decided the call (booked it, or refused it with this code) and recorded that under
 * the key, but the caller gets `throw` instead (default: a plain Error "socket hang up"). A
 * later lookup of the key answers what the bank recorded. `"lost-after-booking"` is
 * `{ lost: "booked" }`.
 */
export interface LostAnswer {
  lost: "booked" | BankErrorCode;
  throw?: unknown;
}

export interface AccountScript {
  /** Answers to this account's quote requests, one per call; the last one repeats. Default: ["ok"]. */
  quote?: readonly Answer[];
  /** Answers to this account's bookings, one per call; the last one repeats. Default: ["ok"]. */
  book?: readonly Answer[];
  /** Answers to lookups of this account's booking keys; "ok" answers from the bookings answered so far. Default: ["ok"]. */
  lookup?: readonly Answer[];
  /** Milliseconds every call of this account takes before it answers. */
  delayMs?: number | (() => number);
  /** Runs before a call answers (after the delay): a gate the test opens, a side effect to race with. */
  before?: (call: GatewayCall) => Promise<void> | void;
  /** What a successful quote says (rate and amounts as decimal strings). */
  price?: { rate: string; sellAmount: string; buyAmount: string };
}

export interface GatewayCall {
  kind: "quote" | "book" | "lookup";
  accountNumber: string;
  /** The trade's idempotency key: a quote's requestId, a booking's idempotencyKey. */
  key: string;
  /** The quote a booking accepts (null for a quote request or a lookup). */
  quoteId: string | null;
  /** The n-th call of this kind for this account, from 0. */
  index: number;
  /** How many calls (this one included) were in flight when it arrived. */
  inFlightAtArrival: number;
  /**
   * What the bank answered, once it has: a quote, a deal, or the error it threw; for a lost
   * answer, the error the caller got and what the bank recorded.
   */
  result?:
    | { quote: Quote }
    | { deal: BookedDeal }
    | { lookup: BookingLookup }
    | { error: unknown }
    | { error: unknown; recorded: { deal: BookedDeal } | { refusal: BankError } };
}

export const DEFAULT_PRICE = { rate: "18.5432101", sellAmount: "18543.21", buyAmount: "1000.00" } as const;

export class ScriptedGateway implements FxGateway {
  /** Every call, in the order it arrived. */
  readonly calls: GatewayCall[] = [];
  /** The most calls that were in flight at the same time. */
  maxInFlight = 0;
  /** Called as each call arrives, before its delay: a test can note what else was true then. */
  onArrive?: (call: GatewayCall) => void;
  private inFlight = 0;
  private quoteSequence = 0;
  private readonly scripts = new Map<string, AccountScript>();

  /** `fallback` answers every account without a script of its own. */
  constructor(private fallback: AccountScript = {}) {}

  /** Scripts one account's answers (replacing any earlier script of it). */
  script(accountNumber: string, script: AccountScript): this {
    this.scripts.set(accountNumber, script);
    return this;
  }

  /** Changes the answers of every account without a script of its own. */
  scriptAll(script: AccountScript): this {
    this.fallback = script;
    return this;
  }

  quotes(accountNumber?: string): GatewayCall[] {
    return this.calls.filter((call) => call.kind === "quote" && (accountNumber === undefined || call.accountNumber === accountNumber));
  }

  bookings(accountNumber?: string): GatewayCall[] {
    return this.calls.filter((call) => call.kind === "book" && (accountNumber === undefined || call.accountNumber === accountNumber));
  }

  /** The keys looked up, in order. */
  lookups(): string[] {
    return this.calls.filter((call) => call.kind === "lookup").map((call) => call.key);
  }

  /** The calls that carried this idempotency key. */
  callsWithKey(key: string): GatewayCall[] {
    return this.calls.filter((call) => call.key === key);
  }

  createQuote(request: QuoteRequest): Promise<Quote> {
    return this.answer("quote", request.accountNumber, request.requestId, null, () => {
      const price = this.scriptOf(request.accountNumber).price ?? DEFAULT_PRICE;
      this.quoteSequence++;
      return { quoteId: `Q-${this.quoteSequence}`, ...price, expiresAt: new Date(Date.now() + 30_000) };
    });
  }

  bookDeal(request: BookingRequest): Promise<BookedDeal> {
    // One deal per key, as a bank's idempotency promises: every booked send of a key names the same transaction.
    return this.answer("book", request.accountNumber, request.idempotencyKey, request.quoteId, () => ({
      transactionId: `T-${request.idempotencyKey}`,
      quoteId: request.quoteId,
      bookedAt: new Date(),
    }));
  }

  /**
   * What the bank recorded under the key: the first booking it answered with a deal or a final
   * refusal; UNKNOWN when every send so far was lost (or none was made).
   */
  lookupBooking(idempotencyKey: string): Promise<BookingLookup> {
    const sends = this.calls.filter((call) => call.kind === "book" && call.key === idempotencyKey);
    const accountNumber = sends[0]?.accountNumber ?? "";
    return this.answer("lookup", accountNumber, idempotencyKey, null, (): BookingLookup => {
      for (const { result } of sends) {
        if (result && "recorded" in result) {
          const { recorded } = result;
          if ("deal" in recorded) return { status: "BOOKED", deal: recorded.deal };
          return { status: "REFUSED", code: recorded.refusal.code, message: recorded.refusal.message };
        }
        if (result && "deal" in result) return { status: "BOOKED", deal: result.deal };
        if (result && "error" in result && result.error instanceof BankError && !result.error.retryable) {
          return { status: "REFUSED", code: result.error.code, message: result.error.message };
        }
      }
      return { status: "UNKNOWN" };
    });
  }

  private scriptOf(accountNumber: string): AccountScript {
    return this.scripts.get(accountNumber) ?? this.fallback;
  }

  private async answer<T extends Quote | BookedDeal | BookingLookup>(
    kind: GatewayCall["kind"],
    accountNumber: string,
    key: string,
    quoteId: string | null,
    succeed: () => T,
  ): Promise<T> {
    const script = this.scriptOf(accountNumber);
    const index = this.calls.filter((call) => call.kind === kind && call.accountNumber === accountNumber).length;
    this.inFlight++;
    const call: GatewayCall = { kind, accountNumber, key, quoteId, index, inFlightAtArrival: this.inFlight };
    this.calls.push(call);
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.onArrive?.(call);
    try {
      const delay = typeof script.delayMs === "function" ? script.delayMs() : (script.delayMs ?? 0);
      if (delay > 0) await sleep(delay);
      await script.before?.(call);
      const answers = script[kind] ?? ["ok"];
      const answer = answers[Math.min(index, answers.length - 1)] ?? "ok";
      if (answer === "ok") {
        const value = succeed();
        call.result = resultOf(kind, value);
        return value;
      }
      if (answer === "lost-after-booking" || (typeof answer === "object" && "lost" in answer)) {
        const lost: LostAnswer = answer === "lost-after-booking" ? { lost: "booked" } : answer;
        const error = lost.throw ?? new Error("socket hang up");
        const recorded =
          lost.lost === "booked" ? { deal: succeed() as BookedDeal } : { refusal: new BankError(lost.lost, `scripted ${lost.lost}`) };
        call.result = { error, recorded };
        throw error;
      }
      const error = typeof answer === "string" ? new BankError(answer, `scripted ${answer}`) : answer.throw;
      call.result = { error };
      throw error;
    } finally {
      this.inFlight--;
    }
  }
}

function resultOf(kind: GatewayCall["kind"], value: Quote | BookedDeal | BookingLookup): GatewayCall["result"] {
  switch (kind) {
    case "quote":
      return { quote: value as Quote };
    case "book":
      return { deal: value as BookedDeal };
    case "lookup":
      return { lookup: value as BookingLookup };
  }
}
