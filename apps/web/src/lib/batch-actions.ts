import { type BatchAction, type BatchState, checkBatchAction } from "@fxbt/domain/status";
import { approverProblem, approversDescription, roleRefusal, type ViewerAccess } from "./access";
import { asSentence } from "./format";

export type { BatchAction };
export { asSentence };

/** The batch fields the status machine needs to say which actions are allowed (all of them: none is guessed). */
export type BatchActionState = BatchState & { stagedById: string | null };

/** Asks the domain's status machine (the one the API enforces) whether an action is allowed now. */
export function isBatchActionAllowed(batch: BatchActionState, action: BatchAction): boolean {
  return checkBatchAction(batch, action).allowed;
}

/** Why an action is not allowed now (the reason the API would give with BAD_BATCH_STATE), or null when it is. */
export function batchActionRefusal(batch: BatchActionState, action: BatchAction): string | null {
  const check = checkBatchAction(batch, action);
  return check.allowed ? null : check.reason;
}

/** Four eyes: the batch needs an approval it does not have yet, and can still get one. */
export function isAwaitingApproval(batch: BatchActionState): boolean {
  return isBatchActionAllowed(batch, "approve");
}

/** "Awaiting approval: …" in words for people, naming who may approve (the domain's description). */
export function awaitingApprovalReason(batch: Pick<BatchActionState, "stagedBy">): string {
  return `Awaiting approval: ${approversDescription(batch)} must approve it before it can start`;
}

/** An action shown on a batch's page; `refusal` says why this viewer cannot take it (the button is then disabled). */
export interface OfferedAction {
  action: BatchAction;
  refusal: string | null;
}

const ACTION_ORDER: readonly BatchAction[] = ["approve", "start", "cancel", "retry", "delete", "archive"];

/**
 * The actions to show for a batch and a viewer. The status machine decides which are offered
 * at all; the viewer's role (and, for approval, the four-eyes rule) whether they are enabled,
 * so a person sees what could be done and why not by them. Start waiting for an approval is
 * shown disabled with the reason, since that is the one a stager looks for; so is Archive while a
 * cancel's rows are still being written, which lasts seconds.
 */
export function offeredBatchActions(batch: BatchActionState, viewer: ViewerAccess | null): OfferedAction[] {
  const offered: OfferedAction[] = [];
  for (const action of ACTION_ORDER) {
    if (isBatchActionAllowed(batch, action)) {
      const refusal = roleRefusal(viewer, action) ?? (action === "approve" && viewer ? approverProblem(batch, viewer) : null) ?? null;
      offered.push({ action, refusal });
    } else if (action === "start" && isAwaitingApproval(batch) && isBatchActionAllowed({ ...batch, approvalRequired: false }, "start")) {
      offered.push({ action, refusal: awaitingApprovalReason(batch) });
    } else if (action === "archive" && isBatchActionAllowed({ ...batch, cancelledUnmovedTrades: 0 }, "archive")) {
      // Seconds after a large cancel: shown with why it must wait, and enabled by the event that writes the last rows.
      offered.push({ action, refusal: roleRefusal(viewer, action) ?? asSentence(batchActionRefusal(batch, action) ?? "") });
    }
  }
  return offered;
}

export const BATCH_ACTION_HELP: Record<BatchAction, string> = {
  start: "Queue the batch to run; it starts as soon as the runner has room, higher priority first.",
  approve: "Four eyes: confirm that this batch may run. Someone other than its stager must approve it before it can start.",
  cancel: "Stop the batch: trades not yet booked are cancelled; bookings already sent to the bank finish.",
  retry:
    "Run the batch's retryable failed trades again (you confirm a list first); permanent refusals such as INVALID_ACCOUNT stay failed; booked trades are not touched.",
  delete: "Remove the batch and all its trades from the system. This cannot be undone.",
  archive:
    "Move the finished batch out of the lists into the archive: nothing is deleted, its page, trades and exports stay readable (the Archived filter lists it), and it can no longer be changed.",
};
