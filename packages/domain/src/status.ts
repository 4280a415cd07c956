/**
 * The one status machine of the product. The runner, the services and the API ask
 * these functions; none of them repeats the rules.
 */

export const TRADE_STATUSES = ["PENDING", "EXECUTING", "QUOTED", "SUCCESS", "FAILED", "CANCELLED"] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];

export const BATCH_STATUSES = ["PENDING", "RUNNING", "SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export const FINAL_TRADE_STATUSES: readonly TradeStatus[] = ["SUCCESS", "FAILED", "CANCELLED"];
export const FINAL_BATCH_STATUSES: readonly BatchStatus[] = ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"];

/**
 * Every trade transition the product makes, and why.
 * - PENDING → EXECUTING: a runner claimed the trade and asks the bank for a quote.
 * - EXECUTING → QUOTED: the quote and the booking's idempotency key are saved; the booking goes out next.
 * - EXECUTING → PENDING: the runner that claimed it died before booking anything; it is safe to run again.
 * - QUOTED → SUCCESS | FAILED: the bank booked or refused the deal.
 * - PENDING | EXECUTING → CANCELLED: cancelled before any booking was sent. QUOTED trades are
 *   never cancelled: their booking may already be at the bank, so it is allowed to finish.
 * - FAILED → PENDING: retryFailedTrades runs the trade again.
 */
const TRADE_TRANSITIONS: Readonly<Record<TradeStatus, readonly TradeStatus[]>> = {
  PENDING: ["EXECUTING", "CANCELLED"],
  EXECUTING: ["QUOTED", "FAILED", "CANCELLED", "PENDING"],
  QUOTED: ["SUCCESS", "FAILED"],
  SUCCESS: [],
  FAILED: ["PENDING"],
  CANCELLED: [],
};

/**
 * Every batch transition.
 * - PENDING → RUNNING: the runner promoted the queued batch.
 * - PENDING | RUNNING → CANCELLED: cancelBatch (a RUNNING batch gets there once its bookings in flight finish).
 * - RUNNING → SUCCESS | PARTIAL_SUCCESS | FAILED: every trade reached a final status.
 * - PARTIAL_SUCCESS | FAILED → PENDING: retryFailedTrades queues the failed trades again.
 */
const BATCH_TRANSITIONS: Readonly<Record<BatchStatus, readonly BatchStatus[]>> = {
  PENDING: ["RUNNING", "CANCELLED"],
  RUNNING: ["SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"],
  SUCCESS: [],
  PARTIAL_SUCCESS: ["PENDING"],
  FAILED: ["PENDING"],
  CANCELLED: [],
};

export function canTradeMove(from: TradeStatus, to: TradeStatus): boolean {
  return TRADE_TRANSITIONS[from].includes(to);
}

export function canBatchMove(from: BatchStatus, to: BatchStatus): boolean {
  return BATCH_TRANSITIONS[from].includes(to);
}

/** The statuses a trade may be in when it moves to `to`: the guard of every bulk UPDATE. */
export function tradeStatusesMovableTo(to: TradeStatus): TradeStatus[] {
  return TRADE_STATUSES.filter((from) => canTradeMove(from, to));
}

export function isFinalTradeStatus(status: TradeStatus): boolean {
  return FINAL_TRADE_STATUSES.includes(status);
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
}

export type BatchAction = "start" | "cancel" | "retry" | "delete";

/**
 * Whether a person may take an action on a batch now, and if not, why — the message
 * the API returns with BAD_BATCH_STATE.
 */
export function checkBatchAction(batch: BatchState, action: BatchAction): { allowed: true } | { allowed: false; reason: string } {
  const refuse = (reason: string) => ({ allowed: false as const, reason });
  switch (action) {
    case "start":
      if (batch.status !== "PENDING") return refuse(`a ${batch.status} batch cannot be started; only a PENDING batch can`);
      if (batch.queuedAt) return refuse("the batch is already started and waiting in the queue");
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
 * Whether a batch snapshot is older than one already seen. Transactions on one batch
 * commit in an order their timestamps cannot show (now() is each transaction's start);
 * within one status the processed count only grows, and across statuses only the status
 * machine's moves go forward, so anything else is a late, older snapshot.
 */
export function isOlderBatchSnapshot(
  candidate: Pick<BatchState, "status" | "succeededTrades" | "failedTrades" | "cancelledTrades">,
  latest: Pick<BatchState, "status" | "succeededTrades" | "failedTrades" | "cancelledTrades">,
): boolean {
  if (candidate.status === latest.status) return processedTrades(candidate) < processedTrades(latest);
  return !canBatchMove(latest.status, candidate.status);
}
