import type { BankError, BookingLookup, QuoteRequest } from "@fxbt/bank";
import { type TradeOutcome, type TradeRow, toTradeView } from "@fxbt/db";
import { isValueDatePassed } from "@fxbt/domain";
import type { Logger } from "pino";
import { CallNotWanted, type GuardedBank } from "./guarded-bank";
import type { RunnerOptions } from "./options";
import type { ResultWriter } from "./result-writer";
import { pause, RunnerStopped, retryDelay } from "./retry";

/**
 * What the bank said, and what the trade becomes (docs/architecture.md has this table):
 *
 * | the bank said                                   | the trade becomes                                   |
 * | a quote                                         | QUOTED under its key; the booking is sent           |
 * | no to the quote (INVALID_ACCOUNT, …)            | FAILED with that code                               |
 * | nothing clear to the quote (timeout, down, …)   | asked again with backoff; EXECUTING meanwhile       |
 * | booked                                          | SUCCESS with the transaction id                     |
 * | no to the booking (INSUFFICIENT_FUNDS, …)       | FAILED with that code                               |
 * | QUOTE_EXPIRED                                   | quoted again under a new key (bounded), then FAILED |
 * | nothing clear to the booking (timeout, any error)| asked by key, resent under the same key; QUOTED    |
 *
 * A failed database write is not an answer from the bank: the write is tried again, and if it
 * still fails the trade stays where it is, under its key, for recovery to finish (but for a
 * requote's new attempt, which has sent nothing: its claim is given back, startNextAttempt).
 */
export interface TradeFlowDeps {
  bank: GuardedBank;
  writer: ResultWriter;
  log: Logger;
  options: Pick<RunnerOptions, "bookingAttempts" | "requoteLimit" | "writeAttempts" | "retryBaseMs" | "retryMaxMs">;
  /** Aborts when the runner stops: waits end, and the work is left for recovery. */
  signal: AbortSignal;
  /**
   * Aborts as soon as the runner begins to stop, before `signal`: a trade not yet quoted is given
   * back (PENDING, for any instance) rather than quoted in stop()'s grace period, which is for the
   * calls already made (a quote at the bank is saved and booked). Without it, the trades held that
   * wait for a slot at the bank (up to heldTrades - concurrency) would all be quoted while stopping.
   */
  quoting: AbortSignal;
  /** The trades this runner holds, under the key of their current attempt (their leases are renewed). */
  held: Map<string, string>;
  /** Batches of held trades whose cancel this runner has seen requested: their trades are not quoted any more. */
  cancelled: ReadonlySet<string>;
  /** Today's date in UTC, YYYY-MM-DD. */
  today: () => string;
}

/** The booking's result, for the flow to act on, and when it was first sent under its key (null when it never was by this flow). */
interface Settled {
  result: "done" | "expired" | "unknown";
  bookingSentAt: Date | null;
}

/**
 * Drives one claimed (EXECUTING) trade through the bank: quote, save the quote, book, save
 * the result. The quote is saved before the booking is sent, so a crash at any point leaves
 * a trade that recovery can finish without booking it twice.
 */
export async function runClaimedTrade(claimed: TradeRow, deps: TradeFlowDeps): Promise<void> {
  let trade: TradeRow | null = claimed;
  deps.held.set(claimed.id, claimed.idempotencyKey!);
  try {
    for (let requotes = 0; trade; requotes++) {
      const quoted = await quoteTrade(trade, deps);
      if (!quoted) return;
      trade = quoted;
      const settled = await settleBooking(quoted, deps, { askFirst: false });
      if (settled.result !== "expired") return;
      if (requotes >= deps.options.requoteLimit) {
        await finish(deps, outcome(quoted, "refuseBooking", { errorCode: "QUOTE_EXPIRED", errorMessage: expiredMessage(requotes) }));
        return;
      }
      trade = await startNextAttempt(quoted, settled, deps);
    }
  } catch (error) {
    if (!(error instanceof RunnerStopped)) throw error;
    // Stopping: a trade not yet quoted under this claim is given back at once; a quoted one keeps its key for recovery.
    if (trade?.status === "EXECUTING") await deps.writer.release([{ id: trade.id, idempotencyKey: trade.idempotencyKey! }]).catch(() => {});
  } finally {
    deps.held.delete(claimed.id);
  }
}

/**
 * Finishes a trade whose booking may have been sent by a runner that stopped: asks the bank
 * what it recorded under the key first, and sends the booking (same key) only if it has none.
 */
export async function recoverBooking(trade: TradeRow, deps: TradeFlowDeps): Promise<void> {
  deps.held.set(trade.id, trade.idempotencyKey!);
  try {
    const settled = await settleBooking(trade, deps, { askFirst: true });
    // An expired quote found in recovery starts the trade's next attempt like any other.
    if (settled.result === "expired") {
      const next = await startNextAttempt(trade, settled, deps);
      if (next) {
        deps.held.delete(trade.id);
        await runClaimedTrade(next, deps);
      }
    }
  } catch (error) {
    if (!(error instanceof RunnerStopped)) throw error;
  } finally {
    deps.held.delete(trade.id);
  }
}

/**
 * Starts the trade's next attempt after the bank refused its booking with QUOTE_EXPIRED, under a
 * new key, and returns it when it may ask the bank for a quote: null when the trade is no longer
 * this claim's, when its batch's cancel was requested (the new attempt is cancelled at once), and
 * when that could not be checked (the claim is given back).
 */
async function startNextAttempt(quoted: TradeRow, settled: Settled, deps: TradeFlowDeps): Promise<TradeRow | null> {
  const requoted = await write(deps, () =>
    deps.writer.requote({
      id: quoted.id,
      idempotencyKey: quoted.idempotencyKey!,
      errorMessage: "the quote expired before the booking arrived; quoting again",
      bookingSentAt: settled.bookingSentAt,
    }),
  );
  if (!requoted) return null;
  deps.held.set(requoted.id, requoted.idempotencyKey!);
  const claim = { id: requoted.id, idempotencyKey: requoted.idempotencyKey! };
  try {
    const mayQuote = await write(deps, () => deps.writer.mayAskForQuote(claim));
    if (mayQuote !== null) return mayQuote ? requoted : null;
    // The check kept failing. Going on is not safe: a cancel requested before the requote
    // committed did not see this attempt (it was QUOTED then), so nothing else stops it asking
    // the bank for a quote after the cancel (a quote markTradesQuoted would then refuse to save).
    // Nor is waiting a lease needed: the attempt has sent nothing, so its claim is given back
    // like any claim not yet quoted. Back to PENDING, it is claimed again by the next claim of its
    // batch (at the latest the next poll); in a batch being cancelled the release leaves it
    // EXECUTING (releaseClaims) for the cancel's pass, which the next poll runs; should the
    // release fail too, lease recovery does either.
    await write(deps, () => deps.writer.release([claim]));
    return null;
  } catch (error) {
    // Stopping while checking: given back too (the caller's own release knows only the old attempt).
    if (error instanceof RunnerStopped) await deps.writer.release([claim]).catch(() => {});
    throw error;
  }
}

/** Asks for a quote and saves it; null when the trade is finished or no longer this claim's. */
async function quoteTrade(trade: TradeRow, deps: TradeFlowDeps): Promise<TradeRow | null> {
  const instruction = toTradeView(trade);
  if (isValueDatePassed(instruction.valueDate, deps.today())) {
    await finish(
      deps,
      outcome(trade, "refuseQuote", {
        errorCode: "VALUE_DATE_PASSED",
        errorMessage: `the value date ${instruction.valueDate} has passed; the trade was not sent to the bank`,
      }),
    );
    return null;
  }
  const request: QuoteRequest = {
    requestId: trade.idempotencyKey!,
    clientId: instruction.clientId,
    accountNumber: instruction.accountNumber,
    sellCurrency: instruction.sellCurrency,
    buyCurrency: instruction.buyCurrency,
    direction: instruction.direction,
    amount: instruction.amount,
    valueDate: instruction.valueDate,
  };
  let quote: Awaited<ReturnType<GuardedBank["quote"]>>;
  try {
    quote = await deps.bank.quote(request, deps.quoting, () => !deps.cancelled.has(trade.batchId));
  } catch (error) {
    if (error instanceof RunnerStopped) throw error;
    // Nothing to write: the cancel request cancelled this claim (EXECUTING, nothing sent); a claim
    // it could not see (a requote since) is taken by the cancel's pass.
    if (error instanceof CallNotWanted) return null;
    await finish(deps, outcome(trade, "refuseQuote", refusalOf(error as BankError)));
    return null;
  }
  return write(deps, () =>
    deps.writer.saveQuote({
      id: trade.id,
      idempotencyKey: trade.idempotencyKey!,
      quoteId: quote.quoteId,
      rate: quote.rate,
      sellAmount: quote.sellAmount,
      buyAmount: quote.buyAmount,
      expiresAt: quote.expiresAt,
    }),
  );
}

/**
 * Gets the booking's outcome under the trade's key and saves it: sends it, and after an
 * unclear answer asks the bank by key before sending the same key again. After
 * `bookingAttempts` unclear rounds the trade is left QUOTED, for recovery to ask again.
 */
async function settleBooking(trade: TradeRow, deps: TradeFlowDeps, { askFirst }: { askFirst: boolean }): Promise<Settled> {
  const key = trade.idempotencyKey!;
  let ask = askFirst;
  let firstSent: Date | null = null;
  const settled = (result: Settled["result"]): Settled => ({ result, bookingSentAt: firstSent });
  for (let round = 1; round <= deps.options.bookingAttempts; round++) {
    if (ask) {
      const known = await deps.bank.lookup(key, deps.signal);
      const found = known && (await settleFromLookup(trade, known, deps, firstSent));
      if (found) return settled(found);
      if (!known) {
        await pause(retryDelay(round, retryOptions(deps)), deps.signal);
        continue;
      }
    }
    const answer = await deps.bank.book({ quoteId: trade.quoteId!, idempotencyKey: key, accountNumber: trade.accountNumber }, deps.signal);
    // When it left for the bank, not when it began to wait for the circuit or a slot at the bank.
    firstSent ??= answer.sentAt;
    if (answer.kind === "booked") {
      await finish(deps, outcome(trade, "book", { transactionId: answer.deal.transactionId, bookingSentAt: firstSent }));
      return settled("done");
    }
    if (answer.kind === "refused") {
      if (answer.error.code === "QUOTE_EXPIRED") return settled("expired");
      await finish(deps, outcome(trade, "refuseBooking", { ...refusalOf(answer.error), bookingSentAt: firstSent }));
      return settled("done");
    }
    ask = true;
    if (round < deps.options.bookingAttempts) await pause(retryDelay(round, retryOptions(deps)), deps.signal);
  }
  deps.log.warn(
    { tradeId: trade.id, idempotencyKey: key },
    "booking outcome still unknown; the trade stays QUOTED for recovery to ask the bank",
  );
  return settled("unknown");
}

/** Acts on what the bank recorded under the key; null when it has no record (then the booking is sent). */
async function settleFromLookup(
  trade: TradeRow,
  known: BookingLookup,
  deps: TradeFlowDeps,
  bookingSentAt: Date | null,
): Promise<Settled["result"] | null> {
  switch (known.status) {
    case "BOOKED":
      await finish(deps, outcome(trade, "book", { transactionId: known.deal.transactionId, bookingSentAt }));
      return "done";
    case "REFUSED":
      if (known.code === "QUOTE_EXPIRED") return "expired";
      await finish(deps, outcome(trade, "refuseBooking", { errorCode: known.code, errorMessage: known.message, bookingSentAt }));
      return "done";
    case "UNKNOWN":
      return null;
  }
}

/** Saves a final result, trying again while the database fails; if it never succeeds the trade stays for recovery. */
async function finish(deps: TradeFlowDeps, result: TradeOutcome): Promise<void> {
  await write(deps, () => deps.writer.saveOutcome(result));
}

/**
 * A write the flow depends on, tried `writeAttempts` times with backoff. A write that keeps
 * failing is logged and given up: what it would have recorded is not lost, because the trade
 * keeps its status and key, and recovery asks the bank again once its lease runs out.
 */
async function write<T>(deps: TradeFlowDeps, save: () => Promise<T>): Promise<T | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await save();
    } catch (error) {
      if (attempt >= deps.options.writeAttempts) {
        deps.log.error({ err: error, attempts: attempt }, "could not write a trade's result; leaving the trade for recovery");
        return null;
      }
      deps.log.warn({ err: error, attempt }, "writing a trade's result failed; trying again");
      await pause(retryDelay(attempt, retryOptions(deps)), deps.signal);
    }
  }
}

const retryOptions = (deps: TradeFlowDeps) => ({ baseMs: deps.options.retryBaseMs, maxMs: deps.options.retryMaxMs });

function outcome(trade: TradeRow, move: TradeOutcome["move"], fields: Partial<TradeOutcome>): TradeOutcome {
  return {
    id: trade.id,
    idempotencyKey: trade.idempotencyKey!,
    move,
    transactionId: null,
    errorCode: null,
    errorMessage: null,
    bookingSentAt: null,
    ...fields,
  };
}

/** A refusal as the trade records it: the bank's code and its message for people. */
function refusalOf(error: BankError): { errorCode: string; errorMessage: string } {
  return { errorCode: error.code, errorMessage: error.message };
}

function expiredMessage(requotes: number): string {
  return `the quote expired before the booking arrived, ${requotes + 1} times; the trade was not booked`;
}
