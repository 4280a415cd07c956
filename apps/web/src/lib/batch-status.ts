import { isFinalBatchStatus } from "@fxbt/domain/status";
import type { ProgressPart } from "../components/ui/ProgressBar";
import type { BatchFieldsFragment, BatchStatus, TradeAttemptOutcome, TradeStatus } from "../gql/graphql";

/** How a status reads to a person: a word, a sentence that explains it, and a colour tone. */
export interface StatusInfo {
  label: string;
  description: string;
  tone: "neutral" | "info" | "progress" | "success" | "warning" | "danger" | "muted";
}

export { BATCH_STATUSES, isFinalBatchStatus, TRADE_STATUSES } from "@fxbt/domain/status";

export const BATCH_STATUS_INFO: Record<BatchStatus, StatusInfo> = {
  PENDING: {
    label: "Pending",
    description: "Staged and not running: waiting to be started, or started and queued behind other batches.",
    tone: "neutral",
  },
  RUNNING: { label: "Running", description: "Trades are being quoted and booked with the bank now.", tone: "progress" },
  SUCCESS: { label: "Succeeded", description: "Every trade was booked.", tone: "success" },
  PARTIAL_SUCCESS: {
    label: "Partially succeeded",
    description: "Some trades were booked and some failed; failed trades can be retried.",
    tone: "warning",
  },
  FAILED: { label: "Failed", description: "No trade was booked; failed trades can be retried.", tone: "danger" },
  CANCELLED: {
    label: "Cancelled",
    description: "Stopped on request: trades not yet booked were cancelled; booked trades stay booked.",
    tone: "muted",
  },
};

export const TRADE_STATUS_INFO: Record<TradeStatus, StatusInfo> = {
  PENDING: { label: "Pending", description: "Waiting for a runner to pick it up.", tone: "neutral" },
  EXECUTING: { label: "Executing", description: "Asking the bank for a quote.", tone: "info" },
  QUOTED: { label: "Quoted", description: "Quote received; the booking is on its way to the bank.", tone: "progress" },
  SUCCESS: { label: "Succeeded", description: "The bank booked the deal.", tone: "success" },
  FAILED: { label: "Failed", description: "The bank refused the quote or the booking; see the error.", tone: "danger" },
  CANCELLED: { label: "Cancelled", description: "Cancelled with its batch before any booking was sent.", tone: "muted" },
};

export const ATTEMPT_OUTCOME_INFO: Record<TradeAttemptOutcome, StatusInfo> = {
  BOOKED: { label: "Booked", description: "The bank booked the deal under this attempt's key.", tone: "success" },
  REFUSED: {
    label: "Refused",
    description: "The bank said no (the error says why), or the product did not send it (VALUE_DATE_PASSED).",
    tone: "danger",
  },
  CANCELLED: { label: "Cancelled", description: "Cancelled before any booking was sent.", tone: "muted" },
  ABANDONED: {
    label: "Abandoned",
    description: "Its runner stopped before any booking was sent; the trade ran again under a new attempt.",
    tone: "neutral",
  },
};

/**
 * An attempt without an outcome: while its trade is QUOTED the booking may be at the bank and
 * its fate is not known yet (it is asked by key, never guessed); otherwise it is still running.
 */
export function openAttemptInfo(tradeStatus: TradeStatus): StatusInfo {
  return tradeStatus === "QUOTED"
    ? {
        label: "Unknown — the bank is being asked",
        description: "The booking may have reached the bank; its outcome is asked for under the same key before anything is sent again.",
        tone: "warning",
      }
    : { label: "Running", description: "The attempt is under way: quoting or booking.", tone: "info" };
}

/** "B-20261121-0003 finished: Succeeded (6 of 6)" — the words of the finish toast and notification. */
export function batchFinishedMessage(batch: {
  batchUid: string;
  status: BatchStatus;
  succeededTrades: number;
  totalTrades: number;
}): string {
  return `${batch.batchUid} finished: ${BATCH_STATUS_INFO[batch.status].label} (${batch.succeededTrades} of ${batch.totalTrades})`;
}

/**
 * How a finished batch's trades ended, for its progress bar: booked, failed, cancelled. A running
 * batch's bar keeps its one animated fill (its counters beside it say the same): undefined then.
 */
export function progressParts(
  batch: Pick<BatchFieldsFragment, "status" | "succeededTrades" | "failedTrades" | "cancelledTrades" | "totalTrades">,
): { items: ProgressPart[]; total: number } | undefined {
  if (!isFinalBatchStatus(batch.status)) return undefined;
  return {
    total: batch.totalTrades,
    items: [
      { label: "booked", count: batch.succeededTrades, tone: "success" },
      { label: "failed", count: batch.failedTrades, tone: "danger" },
      { label: "cancelled", count: batch.cancelledTrades, tone: "muted" },
    ],
  };
}
