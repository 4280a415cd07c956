import { type BatchAction, type BatchState, checkBatchAction } from "@fxbt/domain/status";

export type { BatchAction };

/** The batch fields the status machine needs to say which actions are allowed (all of them: none is guessed). */
export type BatchActionState = BatchState;

/** Asks the domain's status machine (the one the API enforces) whether an action is allowed now. */
export function isBatchActionAllowed(batch: BatchActionState, action: BatchAction): boolean {
  return checkBatchAction(batch, action).allowed;
}

/** Why an action is not allowed now (the reason the API would give with BAD_BATCH_STATE), or null when it is. */
export function batchActionRefusal(batch: BatchActionState, action: BatchAction): string | null {
  const check = checkBatchAction(batch, action);
  return check.allowed ? null : check.reason;
}

export const BATCH_ACTION_HELP: Record<BatchAction, string> = {
  start: "Queue the batch to run; it starts as soon as the runner has room, higher priority first.",
  approve: "Four eyes: confirm that this batch may run. Someone other than its stager must approve it before it can start.",
  cancel: "Stop the batch: trades not yet booked are cancelled; bookings already sent to the bank finish.",
  retry: "Run the failed trades of this batch again; booked trades are not touched.",
  delete: "Remove the batch and all its trades from the system. This cannot be undone.",
};
