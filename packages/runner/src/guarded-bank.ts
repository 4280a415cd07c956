import {
  BankError,
  type BookedDeal,
  type BookingLookup,
  type BookingRequest,
  type FxGateway,
  type Quote,
  type QuoteRequest,
} from "@fxbt/bank";
import type { Logger } from "pino";
import type { BankCallKind, BankSlots } from "./bank-slots";
import type { CircuitBreaker } from "./circuit-breaker";
import { pause, RunnerStopped, retryDelay } from "./retry";

/** What one send of a booking told us, and when it left for the bank (after its waits for the circuit and a slot). */
export type BookingAnswer = (
  | { kind: "booked"; deal: BookedDeal }
  | { kind: "refused"; error: BankError }
  /** No answer, or not one the bank vouches for: the deal may or may not be booked. */
  | { kind: "unknown"; error: unknown }
) & { sentAt: Date };

/**
 * Whether a failure leaves the bank's answer open: its retryable codes, and anything that is
 * not a BankError at all (the gateway contract treats an adapter's own failure like
 * BANK_UNAVAILABLE). Only a non-retryable BankError is the bank saying no.
 */
export function isTransient(error: unknown): boolean {
  return !(error instanceof BankError) || error.retryable;
}

/** Thrown instead of calling the bank when the caller no longer wants the call once a slot is free (its batch was cancelled). */
export class CallNotWanted extends Error {
  override readonly name = "CallNotWanted";
}

export interface GuardedBankOptions {
  retry: { baseMs: number; maxMs: number };
}

/**
 * The gateway as the trade flow uses it: every call passes the circuit breaker, then waits for one
 * of the runner's slots at the bank (bookings and lookups before new quotes); transient failures
 * are counted, and their details go to the log, never into a trade.
 */
export class GuardedBank {
  constructor(
    private readonly gateway: FxGateway,
    private readonly breaker: CircuitBreaker,
    private readonly slots: BankSlots,
    private readonly log: Logger,
    private readonly options: GuardedBankOptions,
  ) {}

  /**
   * A quote, asked for until the bank answers it: transient failures are retried with backoff
   * (held while the circuit is open) for as long as the runner runs. Throws the bank's
   * refusal (a non-retryable BankError), RunnerStopped, or CallNotWanted when `wanted` says no
   * once a slot at the bank is free.
   */
  async quote(request: QuoteRequest, signal: AbortSignal, wanted: () => boolean = () => true): Promise<Quote> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.call("quote", () => this.gateway.createQuote(request), signal, wanted);
      } catch (error) {
        if (error instanceof RunnerStopped || error instanceof CallNotWanted || !isTransient(error)) throw error;
        this.log.warn({ err: error, requestId: request.requestId, attempt }, "quote not answered; asking again");
        await pause(retryDelay(attempt, this.options.retry), signal);
      }
    }
  }

  /** One send of a booking, classified. Throws only RunnerStopped (while waiting for the circuit). */
  async book(request: BookingRequest, signal: AbortSignal): Promise<BookingAnswer> {
    // Taken as the call leaves: every answer below comes after the send (only RunnerStopped can come before it).
    let sentAt = new Date();
    const send = () => {
      sentAt = new Date();
      return this.gateway.bookDeal(request);
    };
    try {
      return { kind: "booked", deal: await this.call("settle", send, signal), sentAt };
    } catch (error) {
      if (error instanceof RunnerStopped) throw error;
      if (!isTransient(error)) return { kind: "refused", error: error as BankError, sentAt };
      this.log.warn({ err: error, idempotencyKey: request.idempotencyKey }, "booking not answered; its outcome is unknown");
      return { kind: "unknown", error, sentAt };
    }
  }

  /** What the bank recorded under a key, or null when it could not say (a transient failure). Throws only RunnerStopped. */
  async lookup(idempotencyKey: string, signal: AbortSignal): Promise<BookingLookup | null> {
    try {
      return await this.call("settle", () => this.gateway.lookupBooking(idempotencyKey), signal);
    } catch (error) {
      if (error instanceof RunnerStopped) throw error;
      this.log.warn({ err: error, idempotencyKey }, "booking lookup not answered");
      return null;
    }
  }

  private async call<T>(kind: BankCallKind, send: () => Promise<T>, signal: AbortSignal, wanted = () => true): Promise<T> {
    for (;;) {
      // The breaker first: a call held while the circuit is open holds no slot.
      const probe = await this.breaker.ready(signal);
      let sending = false;
      try {
        const giveBack = await this.slots.take(kind, signal);
        try {
          // The circuit may have opened while this call waited for its slot (up to heldTrades calls
          // wait, not just the calls at the bank): it waits for the circuit again, as a call that
          // came now would, rather than go to a bank that keeps failing.
          if (this.breaker.isOpen && !probe) continue;
          // A slot may be a while coming when the runner holds many trades.
          if (!wanted()) throw new CallNotWanted();
          sending = true;
          return await this.sent(send);
        } finally {
          giveBack();
        }
      } finally {
        if (probe && !sending) probe.notSent();
      }
    }
  }

  /** Sends the call and tells the breaker how it went. */
  private async sent<T>(send: () => Promise<T>): Promise<T> {
    const sentAt = Date.now();
    try {
      const answer = await send();
      this.breaker.succeeded(sentAt);
      return answer;
    } catch (error) {
      if (isTransient(error)) this.breaker.failed();
      else this.breaker.succeeded(sentAt);
      throw error;
    }
  }
}
