import { approversDescription } from "./access";

/**
 * The one status machine of the product. The runner, the services, the API, the dashboard
 * and the SQL guards of packages/db take their rules from here; none of them repeats them.
 */

export const TRADE_STATUSES = ["PENDING", "EXECUTING", "QUOTED", "SUCCESS", "FAILED", "CANCELLED"] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export const BATCH_STATUSES = ["PENDING", "RUNNING", "SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_TRADE_STATUSES = ["SUCCESS", "FAILED", "CANCELLED"] as const satisfies readonly TradeStatus[];
export type FinalTradeStatus = (typeof FINAL_TRADE_STATUSES)[number];
export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"];

/** How an attempt to execute a trade ended; an attempt without one is running, or its booking's fate is unknown. */
export const ATTEMPT_OUTCOMES = ["BOOKED", "REFUSED", "CANCELLED", "ABANDONED"] as const;
export type AttemptOutcome = (typeof ATTEMPT_OUTCOMES)[number];

/** A named move of trades: the statuses it takes them from, the one it puts them in, and what it does to the attempt. */
export interface TradeMove {
  readonly from: readonly TradeStatus[];
  readonly to: TradeStatus;
  /** The move starts a new attempt: a new idempotency key, recorded in the trade's history. */
  readonly startsAttempt?: boolean;
  /** The move ends the attempt the trade was under, with this outcome. */
  readonly endsAttempt?: AttemptOutcome;
}

/**
 * Every way a trade changes status, and why. This table is the rule: the SQL statements
 * that move trades (packages/db) take their status guards and targets from it, and every
 * other question about transitions is derived from it.
 */
export const TRADE_MOVES = {
  /** A runner claimed the trade and asks the bank for a quote. */
  claim: { from: ["PENDING"], to: "EXECUTING", startsAttempt: true },
  /** The quote and the booking's idempotency key are saved; the booking goes out next. */
  saveQuote: { from: ["EXECUTING"], to: "QUOTED" },
  /** The runner that claimed it died before booking anything: safe to run again. */
  releaseClaim: { from: ["EXECUTING"], to: "PENDING", endsAttempt: "ABANDONED" },
  /** The bank refused to quote, or the product refused to ask (the value date has passed). */
  refuseQuote: { from: ["EXECUTING"], to: "FAILED", endsAttempt: "REFUSED" },
  /** The bank booked the deal. */
  book: { from: ["QUOTED"], to: "SUCCESS", endsAttempt: "BOOKED" },
  /** The bank refused the booking. */
  refuseBooking: { from: ["QUOTED"], to: "FAILED", endsAttempt: "REFUSED" },
  /**
   * The bank refused the booking because the quote had expired: that key's outcome is known
   * (refused, nothing booked), so the trade is quoted again under a new attempt.
   */
  requote: { from: ["QUOTED"], to: "EXECUTING", endsAttempt: "REFUSED", startsAttempt: true },
  /**
   * Cancelled before any booking was sent. QUOTED trades are never cancelled: their booking
   * may already be at the bank, so it is allowed to finish.
   */
  cancel: { from: ["PENDING", "EXECUTING"], to: "CANCELLED", endsAttempt: "CANCELLED" },
  /** retryFailedTrades runs the trade again. */
  retry: { from: ["FAILED"], to: "PENDING" },
} as const satisfies Record<string, TradeMove>;

export type TradeMoveName = keyof typeof TRADE_MOVES;

/**
 * How a cancel's PENDING trades read before their rows are written. A cancel counts every PENDING
 * trade of its batch as cancelled the moment it is requested: from that commit on none of them is
 * claimed, so none can run. Their rows change afterwards, chunk by chunk (changing 100,000 rows
 * takes seconds: each change writes an entry into every index of the trade table), and until a
 * trade's row is written it reads as `readsAs`: a trade `stored` PENDING in a batch whose cancel was
 * requested IS cancelled. Every read of trades takes its status and status filters from this rule
 * (packages/db: tradeStatusAsRead, tradeStatusReadIn); the batch counts those trades in
 * cancelledTrades and, until their rows say so, in cancelledUnmovedTrades.
 */
export const CANCELLED_BEFORE_WRITTEN = { stored: "PENDING", readsAs: "CANCELLED" } as const satisfies {
  stored: (typeof TRADE_MOVES.cancel.from)[number];
  readsAs: typeof TRADE_MOVES.cancel.to;
};

/** A named move of batches: the statuses it takes a batch from, and those it may put it in. */
export interface BatchMove {
  readonly from: readonly BatchStatus[];
  readonly to: readonly BatchStatus[];
}

/**
 * Every way a batch changes status. The SQL that moves batches takes its guards from here.
 * (cancelBatch does not move a batch itself: it cancels the trades and marks the batch, which
 * then finishes CANCELLED once its bookings in flight are done.)
 */
export const BATCH_MOVES = {
  /** The runner promoted the queued batch. */
  promote: { from: ["PENDING"], to: ["RUNNING"] },
  /** A batch that never ran is cancelled at once: all its trades were PENDING. */
  cancel: { from: ["PENDING"], to: ["CANCELLED"] },
  /** Every trade reached a final status (see finalBatchStatus); a cancel request ends it CANCELLED. */
  finish: { from: ["RUNNING"], to: ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"] },
  /** retryFailedTrades queues the failed trades again. */
  retry: { from: ["PARTIAL_SUCCESS", "FAILED"], to: ["PENDING"] },
} as const satisfies Record<string, BatchMove>;

export type BatchMoveName = keyof typeof BATCH_MOVES;

/** Trades are claimed only from batches in these statuses (and not being cancelled). */
export const CLAIMABLE_BATCH_STATUSES: readonly BatchStatus[] = ["RUNNING"];

const includes = <T>(list: readonly T[], value: T) => list.includes(value);

export function canTradeMove(from: TradeStatus, to: TradeStatus): boolean {
  return Object.values(TRADE_MOVES).some((move) => move.to === to && includes<TradeStatus>(move.from, from));
}

export function canBatchMove(from: BatchStatus, to: BatchStatus): boolean {
  return Object.values(BATCH_MOVES).some((move) => includes<BatchStatus>(move.from, from) && includes<BatchStatus>(move.to, to));
}

/** The statuses a batch may be in when it moves to `to`: the guard of the statement that moves it. */
export function batchStatusesMovableTo(to: BatchStatus): BatchStatus[] {
  return BATCH_STATUSES.filter((from) => canBatchMove(from, to));
}

export function isFinalTradeStatus(status: TradeStatus): status is FinalTradeStatus {
  return (FINAL_TRADE_STATUSES as readonly TradeStatus[]).includes(status);
}

export function isFinalBatchStatus(status: BatchStatus): boolean {
  return FINAL_BATCH_STATUSES.includes(status);
}

/**
 * What a batch's lifecycle needs to know to decide its actions and its final status.
 * Times only matter by being set or not: a database row carries Dates, a view ISO strings.
 */
export interface BatchState {
  status: BatchStatus;
  totalTrades: number;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
  queuedAt: Date | string | null;
  cancelRequestedAt: Date | string | null;
  /** Four eyes (access.ts): a batch that needs approval starts only once approved. */
  approvalRequired: boolean;
  approvedAt: Date | string | null;
  stagedBy: string | null;
  /** Set once the batch is archived: no action changes it any more. Absent counts as not archived. */
  archivedAt?: Date | string | null;
  /** Cancelled trades whose rows still say PENDING (CANCELLED_BEFORE_WRITTEN). */
  cancelledUnmovedTrades: number;
}

export type BatchAction = "start" | "approve" | "cancel" | "retry" | "delete" | "archive";

/**
 * Whether a person may take an action on a batch now, and if not, why — the message
 * the API returns with BAD_BATCH_STATE.
 */
export function checkBatchAction(batch: BatchState, action: BatchAction): { allowed: true } | { allowed: false; reason: string } {
  const refuse = (reason: string) => ({ allowed: false as const, reason });
  if (batch.archivedAt) {
    return refuse(`the batch is archived and can no longer be changed; it stays readable under the Archived filter`);
  }
  switch (action) {
    case "start":
      if (batch.status !== "PENDING") return refuse(`a ${batch.status} batch cannot be started; only a PENDING batch can`);
      if (batch.queuedAt) return refuse("the batch is already started and waiting in the queue");
      // Never true of a PENDING batch in this version (its cancel ends it CANCELLED at once), but a
      // batch whose cancel was requested is never started, whatever state an older version left.
      if (batch.cancelRequestedAt) return refuse("the batch is being cancelled");
      if (batch.approvalRequired && !batch.approvedAt) {
        return refuse(`the batch is awaiting approval: approveBatch by ${approversDescription(batch)} is needed before it can start`);
      }
      return { allowed: true };
    case "approve":
      if (!batch.approvalRequired) return refuse("the batch does not need approval");
      if (batch.approvedAt) return refuse("the batch is already approved");
      if (batch.status !== "PENDING" || batch.queuedAt)
        return refuse(`a ${batch.status} batch cannot be approved; only a PENDING batch not yet started can`);
      if (batch.cancelRequestedAt) return refuse("the batch is being cancelled");
      return { allowed: true };
    case "cancel":
      if (batch.status !== "PENDING" && batch.status !== "RUNNING") {
        return refuse(`a ${batch.status} batch cannot be cancelled; only a PENDING or RUNNING batch can`);
      }
      if (batch.cancelRequestedAt) return refuse("the batch is already being cancelled");
      return { allowed: true };
    case "retry":
      if (!canBatchMove(batch.status, "PENDING")) {
        return refuse(`failed trades of a ${batch.status} batch cannot be retried; only a PARTIAL_SUCCESS or FAILED batch's can`);
      }
      if (batch.failedTrades === 0) return refuse("the batch has no failed trades to retry");
      return { allowed: true };
    case "delete":
      if (batch.status === "RUNNING") return refuse("a RUNNING batch cannot be deleted; cancel it first");
      if (batch.succeededTrades > 0) {
        return refuse(
          `${batch.succeededTrades} of its trades were booked by the bank, and booked trades are records that are never deleted`,
        );
      }
      return { allowed: true };
    case "archive":
      if (!isFinalBatchStatus(batch.status)) {
        return refuse(`a ${batch.status} batch cannot be archived; only a finished batch (${FINAL_BATCH_STATUSES.join(", ")}) can`);
      }
      // The archive copies rows as they are: a cancel's PENDING rows would arrive there PENDING.
      if (batch.cancelledUnmovedTrades > 0) {
        return refuse(
          `the batch's ${batch.cancelledUnmovedTrades} cancelled trades are still being written; archive it once they are (seconds)`,
        );
      }
      return { allowed: true };
  }
}

/**
 * The status a batch ends with once every trade is final, or null while some trade is not.
 * A cancel request wins over the outcome of the trades that were already booked.
 */
export function finalBatchStatus(batch: Omit<BatchState, "status" | "queuedAt">): BatchStatus | null {
  const finished = batch.succeededTrades + batch.failedTrades + batch.cancelledTrades;
  if (finished < batch.totalTrades) return null;
  if (batch.cancelRequestedAt) return "CANCELLED";
  if (batch.succeededTrades === batch.totalTrades) return "SUCCESS";
  if (batch.succeededTrades === 0) return "FAILED";
  return "PARTIAL_SUCCESS";
}

export function processedTrades(batch: Pick<BatchState, "succeededTrades" | "failedTrades" | "cancelledTrades">): number {
  return batch.succeededTrades + batch.failedTrades + batch.cancelledTrades;
}

/** processedTrades / totalTrades in 0..1; an empty batch counts as done only when final. */
export function batchProgress(batch: Pick<BatchState, "totalTrades" | "succeededTrades" | "failedTrades" | "cancelledTrades">): number {
  if (batch.totalTrades === 0) return 0;
  return processedTrades(batch) / batch.totalTrades;
}

/**
 * Whether a batch snapshot is newer than one already seen. Every committed change of a batch
 * takes the next numbers of the batch's event sequence, in commit order, which timestamps cannot
 * show (now() is each transaction's start): the higher number is the newer state, and the same
 * number the same state.
 */
export function isNewerBatchSnapshot(candidate: { eventSequence: number }, seen: { eventSequence: number }): boolean {
  return candidate.eventSequence > seen.eventSequence;
}

/**
 * Whether a trade as read (or as an event carries it) is newer than one already seen. Every change
 * of a trade takes the next number of its batch's event sequence (moveTrades stamps it), so the
 * same rule holds: the higher number is the newer state, the same number the same state.
 */
export function isNewerTradeSnapshot(candidate: { sequence: number }, seen: { sequence: number }): boolean {
  return candidate.sequence > seen.sequence;
}

/**
 * Whether a trade's value date has passed on `today` (both YYYY-MM-DD, UTC): then the money
 * can no longer move on that date, so the trade is not started and never sent to the bank.
 */
export function isValueDatePassed(valueDate: string | null, today: string): boolean {
  return valueDate !== null && valueDate < today;
}

/**
 * Why a batch cannot start because of its value dates, or null when it can: every value date
 * (as counted per date, with the first row of each) must not have passed on `today`.
 */
export function pastValueDatesReason(
  dates: readonly { valueDate: string | null; trades: number; firstRow: number | null }[],
  today: string,
): string | null {
  const passed = dates.filter((date) => isValueDatePassed(date.valueDate, today));
  if (passed.length === 0) return null;
  const trades = passed.reduce((sum, date) => sum + date.trades, 0);
  const firstRows = passed
    .map((date) => date.firstRow)
    .filter((row): row is number => row !== null)
    .sort((a, b) => a - b);
  const where = firstRows.length > 0 ? ` (the first at row ${firstRows[0]})` : "";
  return `${trades} trade${trades === 1 ? " has a value date" : "s have value dates"} before today, ${today}${where}; correct them and stage the file again`;
}
