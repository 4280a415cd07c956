import type { TradeMoveName } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import type { PrismaClient } from "../generated/prisma/client";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import type { BatchRow } from "../rows";
import { closeFinishedBatches, closingStatus, lockBatch } from "./batch-lifecycle";
import { batchesOfTrades, notBeingCancelled } from "./fragments";
import { moveTrades, moveTradesOfBatches } from "./move-trades";

export interface QuotedTrade {
  id: string;
  /** The claim's key: a trade claimed again since (its runner was thought dead) is not this claim's to write. */
  idempotencyKey: string;
  quoteId: string;
  rate: string;
  /** The quote's amounts, in the sell and the buy currency. */
  sellAmount: string;
  buyAmount: string;
  /** Until when the bank honours the quote. */
  expiresAt: Date;
}

/** The one claim a write belongs to: the trade, under the idempotency key its runner holds. */
const sameClaim = Prisma.sql`trade.idempotency_key = q.idempotency_key`;

/**
 * Saves the quotes of claimed trades. Only trades still under the same claim move: one
 * cancelled in the meantime stays CANCELLED and its booking is never sent. Nor does a trade of a
 * batch whose cancel was requested (notBeingCancelled): a claim the request found EXECUTING was
 * cancelled by it, and the runner cancels one quoted again since (its booking refused
 * QUOTE_EXPIRED) right after its requote (cancelClaimsOfCancellingBatches); should one be left all
 * the same, it stays EXECUTING for the cancel's pass rather than be booked after the cancel.
 */
export function markTradesQuoted(db: Queryable, quoted: readonly QuotedTrade[]): Promise<TradeChange[]> {
  if (quoted.length === 0) return Promise.resolve([]);
  return moveTrades(db, "saveQuote", {
    batches: Prisma.sql`${batchesOfTrades(quoted.map((q) => q.id))} AND ${notBeingCancelled}`,
    byId: Prisma.sql`unnest(${quoted.map((q) => q.id)}::uuid[], ${quoted.map((q) => q.idempotencyKey)}::text[],
                                 ${quoted.map((q) => q.quoteId)}::text[], ${quoted.map((q) => q.rate)}::numeric[],
                                 ${quoted.map((q) => q.sellAmount)}::numeric[], ${quoted.map((q) => q.buyAmount)}::numeric[],
                                 ${quoted.map((q) => q.expiresAt)}::timestamptz[])
                          AS q(id, idempotency_key, quote_id, rate, sell_amount, buy_amount, expires_at)`,
    where: sameClaim,
    carry: [Prisma.sql`q.quote_id, q.rate, q.sell_amount, q.buy_amount, q.expires_at`],
    set: [
      Prisma.sql`quote_id = picked.quote_id, rate = picked.rate, sell_amount = picked.sell_amount, buy_amount = picked.buy_amount`,
      Prisma.sql`locked_at = now()`,
    ],
    history: [
      Prisma.sql`UPDATE trade_attempt a SET quote_id = moved.quote_id, rate = moved.rate, sell_amount = moved.sell_amount,
                   buy_amount = moved.buy_amount, quote_expires_at = (moved.picked).expires_at
                 FROM moved WHERE a.idempotency_key = moved.idempotency_key`,
    ],
  });
}

/** The moves that end a trade with the bank's answer. */
export type OutcomeMove = Extract<TradeMoveName, "book" | "refuseQuote" | "refuseBooking">;

/** A trade's final result from the bank, as the domain move it makes. */
export interface TradeOutcome {
  id: string;
  /** The key of the attempt this result belongs to. */
  idempotencyKey: string;
  move: OutcomeMove;
  transactionId: string | null;
  /** The code of a refusal: the bank's, or the product's (VALUE_DATE_PASSED). */
  errorCode: string | null;
  /** A message for people; never internal error text (database, stack, adapter). */
  errorMessage: string | null;
  /** When the booking was first sent under this key; absent when none was (a refused quote). */
  bookingSentAt?: Date | null;
}

const OUTCOME_MOVES: readonly OutcomeMove[] = ["book", "refuseQuote", "refuseBooking"];

/**
 * Writes final results for many trades and their batches' counters, so the counters always equal
 * the trades' statuses, and closes each batch whose trades are now all final. A result for a trade
 * that is no longer where its move starts (cancelled, or finished by another runner) is dropped.
 *
 * The batch row numbers events and so is taken by every move of its trades, from the statement to
 * its commit (moveTrades): how long it is held bounds a batch's throughput. With one result per
 * trade (the runner's case) the write is one statement committed on its own, so the row is free
 * as soon as the statement ends, not a round trip through this process later (BEGIN … COMMIT held
 * it while the answer reached Node and the COMMIT came back). A batch the statement finished is
 * closed right after, in its own transaction (closeFinishedAfter); should that fail or this
 * process stop in between, the sweeper closes it (finishSettledBatches). Several results for one
 * trade are written round by round in one transaction, the batches closed in it.
 */
export async function recordTradeOutcomes(
  prisma: PrismaClient,
  outcomes: readonly TradeOutcome[],
  /** Runs the one statement of a single round (the runner passes Database.raw); rounds in a transaction go through `prisma`. */
  statements: Queryable = prisma,
): Promise<{ trades: TradeChange[]; batches: BatchRow[] }> {
  if (outcomes.length === 0) return { trades: [], batches: [] };
  const rounds = oneOutcomePerTrade(outcomes);
  if (rounds.length === 1) {
    const moved = await writeOutcomes(statements, rounds[0]!);
    const finishing = moved.batches.filter((batch) => closingStatus(batch) !== null).map((batch) => batch.id);
    if (finishing.length === 0) return moved;
    const closed = new Map((await closeFinishedAfter(prisma, finishing)).map((batch) => [batch.id, batch]));
    return { trades: moved.trades, batches: moved.batches.map((batch) => closed.get(batch.id) ?? batch) };
  }
  return prisma.$transaction(async (tx) => {
    const trades: TradeChange[] = [];
    const batches = new Map<string, BatchRow>();
    for (const round of rounds) {
      const moved = await writeOutcomes(tx, round);
      trades.push(...moved.trades);
      for (const batch of moved.batches) batches.set(batch.id, batch);
    }
    return { trades, batches: await closeFinishedBatches(tx, [...batches.values()]) };
  });
}

/**
 * Closes batches an outcome write finished, once it has committed: each batch is locked (in id
 * order, as every statement that waits for batch rows) and read again, and the domain decides on
 * it as it now stands, so a batch reopened meanwhile (failed trades retried) is not closed. Returns
 * the batches it closed; their change takes the next event number (trigger `batch_event_sequence`).
 */
async function closeFinishedAfter(prisma: PrismaClient, ids: readonly string[]): Promise<BatchRow[]> {
  return prisma.$transaction(async (tx) => {
    const locked: BatchRow[] = [];
    // uuid's order is its lowercase text's: byte by byte.
    for (const id of [...ids].sort()) {
      const batch = await lockBatch(tx, id);
      if (batch) locked.push(batch);
    }
    const now = await closeFinishedBatches(tx, locked);
    return now.filter((batch, i) => batch.status !== locked[i]!.status);
  });
}

/**
 * Rounds of outcomes with one per trade, tried in OUTCOME_MOVES order: of two results for one
 * trade, the first whose move starts from the trade's status wins, and the other is dropped by
 * the next round's guard. Of two with the same move, the first given wins (the sort is stable).
 */
function oneOutcomePerTrade(outcomes: readonly TradeOutcome[]): TradeOutcome[][] {
  const ranked = [...outcomes].sort((a, b) => OUTCOME_MOVES.indexOf(a.move) - OUTCOME_MOVES.indexOf(b.move));
  const rounds: TradeOutcome[][] = [];
  const roundOf = new Map<string, number>();
  for (const outcome of ranked) {
    const round = roundOf.get(outcome.id) ?? 0;
    roundOf.set(outcome.id, round + 1);
    if (round === rounds.length) rounds.push([]);
    rounds[round]!.push(outcome);
  }
  return rounds;
}

function writeOutcomes(db: Queryable, outcomes: readonly TradeOutcome[]): Promise<{ trades: TradeChange[]; batches: BatchRow[] }> {
  return moveTradesOfBatches(db, OUTCOME_MOVES, {
    batches: batchesOfTrades(outcomes.map((o) => o.id)),
    byId: Prisma.sql`unnest(${outcomes.map((o) => o.id)}::uuid[], ${outcomes.map((o) => o.idempotencyKey)}::text[],
                                 ${outcomes.map((o) => o.move)}::text[],
                                 ${outcomes.map((o) => o.transactionId)}::text[], ${outcomes.map((o) => o.errorCode)}::text[],
                                 ${outcomes.map((o) => o.errorMessage)}::text[], ${outcomes.map((o) => o.bookingSentAt ?? null)}::timestamptz[])
                          AS q(id, idempotency_key, move, transaction_id, error_code, error_message, booking_sent_at)`,
    moveOf: Prisma.sql`q.move`,
    where: sameClaim,
    carry: [Prisma.sql`q.transaction_id, q.error_code, q.error_message, q.booking_sent_at`],
    carriesAnswer: true,
    countsFinal: true,
    set: [
      Prisma.sql`transaction_id = picked.transaction_id, error_code = picked.error_code, error_message = picked.error_message`,
      Prisma.sql`locked_at = NULL`,
    ],
  });
}

/** A booking the bank refused because its quote had expired: the trade is quoted again under a new attempt. */
export interface ExpiredQuote {
  id: string;
  /** The key of the attempt the bank refused. */
  idempotencyKey: string;
  errorMessage: string;
  /** When the refused booking was first sent; null when the refusal was learned by asking the bank. */
  bookingSentAt: Date | null;
}

/**
 * Starts a new attempt for trades whose quote expired before the booking arrived: the old
 * attempt ends refused with QUOTE_EXPIRED, the trade goes back to EXECUTING under a new key,
 * and the runner asks for a new quote. Returns the trades under their new keys. (In a batch whose
 * cancel was requested the runner then cancels the new attempt at once: cancelClaimsOfCancellingBatches.)
 */
export function requoteTrades(db: Queryable, expired: readonly ExpiredQuote[]): Promise<TradeChange[]> {
  if (expired.length === 0) return Promise.resolve([]);
  return moveTrades(db, "requote", {
    batches: batchesOfTrades(expired.map((e) => e.id)),
    byId: Prisma.sql`unnest(${expired.map((e) => e.id)}::uuid[], ${expired.map((e) => e.idempotencyKey)}::text[],
                                 ${expired.map((e) => e.errorMessage)}::text[], ${expired.map((e) => e.bookingSentAt)}::timestamptz[])
                          AS q(id, idempotency_key, error_message, booking_sent_at)`,
    where: sameClaim,
    carry: [Prisma.sql`NULL::text AS transaction_id, 'QUOTE_EXPIRED' AS error_code, q.error_message, q.booking_sent_at`],
    carriesAnswer: true,
    set: [
      Prisma.sql`attempts = t.attempts + 1, idempotency_key = t.id::text || ':' || (t.attempts + 1), locked_at = now()`,
      Prisma.sql`quote_id = NULL, rate = NULL, sell_amount = NULL, buy_amount = NULL`,
    ],
  });
}
