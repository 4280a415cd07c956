"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { useState } from "react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import {
  ApproveBatchMutation,
  ArchiveBatchMutation,
  CancelBatchMutation,
  DeleteBatchMutation,
  RetryFailedTradesMutation,
  StartBatchMutation,
} from "../../graphql/batch";
import { principalAllows } from "../../lib/access";
import { asSentence, BATCH_ACTION_HELP, type BatchAction, batchActionRefusal, offeredBatchActions } from "../../lib/batch-actions";
import { formatDateTime } from "../../lib/format";
import { type FocusTarget, useFocusTarget } from "../../lib/use-focus-target";
import { useViewer } from "../session/SessionProvider";
import { useToast } from "../toasts/ToastProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { describeError } from "../ui/QueryError";
import { ApprovalStatus } from "./ApprovalStatus";
import { RetryDialog, type RetryRequest } from "./RetryDialog";
import { StartDialog } from "./StartDialog";

const LABELS: Record<BatchAction, string> = {
  start: "Start",
  approve: "Approve",
  cancel: "Cancel batch",
  retry: "Retry failed trades",
  delete: "Delete batch",
  archive: "Archive batch",
};

interface BatchActionsProps {
  batch: BatchFieldsFragment;
  /** Called once the API has deleted the batch. */
  onDeleted: () => void;
  /** Where the focus goes after an action (default: this panel's own heading); shared with the results' retry. */
  focusTarget?: FocusTarget<HTMLHeadingElement>;
}

/**
 * The actions the batch's status allows now (the others are not shown at all), enabled for the
 * roles that may take them: the others see them disabled, with the reason.
 */
export function BatchActions({ batch, onDeleted, focusTarget }: BatchActionsProps) {
  const showToast = useToast();
  const viewer = useViewer();
  const [confirming, setConfirming] = useState<"start" | "cancel" | "delete" | "retry" | "archive" | null>(null);
  const [failure, setFailure] = useState<{ action: BatchAction; error: ErrorLike } | null>(null);
  const [startBatch, start] = useMutation(StartBatchMutation);
  const [approveBatch, approve] = useMutation(ApproveBatchMutation);
  const [cancelBatch, cancel] = useMutation(CancelBatchMutation);
  const [retryFailedTrades, retry] = useMutation(RetryFailedTradesMutation);
  const [deleteBatch, remove] = useMutation(DeleteBatchMutation);
  const [archiveBatch, archive] = useMutation(ArchiveBatchMutation);
  // The button pressed is gone or disabled once its action has changed the batch: the focus goes to this panel's heading.
  const ownHeading = useFocusTarget<HTMLHeadingElement>();
  const heading = focusTarget ?? ownHeading;
  const busy = start.loading || approve.loading || cancel.loading || retry.loading || remove.loading || archive.loading;

  /** `retried`: for a retry, what its confirmation listed. */
  async function run(action: BatchAction, retried?: RetryRequest) {
    setFailure(null);
    const variables = { id: batch.id };
    try {
      // The mutations answer with the batch, which lands in its cache entry: the page updates itself.
      if (action === "start") await startBatch({ variables });
      if (action === "approve") {
        await approveBatch({ variables });
        showToast(`${batch.batchUid} approved: it can be started now`, "success");
      }
      if (action === "retry") await retryFailedTrades({ variables: { ...variables, ...retried } });
      if (action === "cancel") await cancelBatch({ variables });
      if (action === "archive") {
        await archiveBatch({ variables });
        showToast(`${batch.batchUid} archived: find it under the Archived filter`, "success");
      }
      if (action === "delete") {
        await deleteBatch({ variables });
        showToast(`${batch.batchUid} deleted`, "info");
        onDeleted();
        return;
      }
      heading.focusSoon();
    } catch (error) {
      setFailure({ action, error: error as ErrorLike });
    } finally {
      setConfirming(null);
    }
  }

  const offered = offeredBatchActions(batch, viewer);
  // Deleting is what an admin looks for on a finished batch: say why it is not offered. (A running
  // batch is cancelled first; that needs no sentence.)
  const mayDelete = viewer ? principalAllows(viewer, "delete") : false;
  const deleteRefusal = batch.status === "RUNNING" || !mayDelete || batch.archivedAt ? null : batchActionRefusal(batch, "delete");
  const mayArchive = offered.some((offer) => offer.action === "archive");
  const problem = failure ? describeError(failure.error) : null;

  return (
    <section className="panel" aria-labelledby="actions-title">
      <h2 id="actions-title" ref={heading.ref} tabIndex={-1}>
        Actions
      </h2>
      <ApprovalStatus batch={batch} />
      {batch.archivedAt ? (
        <p className="alert alert-note" id="batch-archived" role="status">
          <strong>Archived</strong> on {formatDateTime(batch.archivedAt)}: this batch is read-only. Its trades, results and exports stay
          readable here; the batches list shows it under its Archived filter.
        </p>
      ) : null}
      {offered.length === 0 && !deleteRefusal && !batch.archivedAt ? (
        <p className="muted">
          {batch.status === "RUNNING" && batch.cancelRequestedAt
            ? "Cancelling: bookings already sent to the bank are finishing."
            : "Nothing can be done to this batch in its current status."}
        </p>
      ) : null}
      {offered.length > 0 ? (
        <ul className="actions">
          {offered.map(({ action, refusal }) => (
            <li key={action}>
              <button
                type="button"
                className={`button ${action === "delete" || action === "cancel" ? "button-danger-outline" : action === "archive" ? "button" : "button-primary"}`}
                title={refusal ? asSentence(refusal) : BATCH_ACTION_HELP[action]}
                aria-describedby={`action-help-${action}`}
                disabled={busy || refusal !== null}
                onClick={() => (action === "approve" ? void run(action) : setConfirming(action))}
              >
                {LABELS[action]}
              </button>
              <p id={`action-help-${action}`} className={refusal ? "hint action-refused" : "hint"}>
                {refusal ? asSentence(refusal) : BATCH_ACTION_HELP[action]}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
      {deleteRefusal ? (
        <p className="hint" id="action-delete-refused">
          <strong>Cannot be deleted:</strong> {deleteRefusal}.
          {mayArchive ? " Archive it instead: it leaves the lists and stays readable, with every trade." : null}
        </p>
      ) : null}
      {problem && failure ? (
        <div className="alert alert-danger" role="alert">
          <strong>{LABELS[failure.action]} failed.</strong> {problem.code ? <code>{problem.code}</code> : null} {problem.message}
          <button type="button" className="button button-small alert-dismiss" onClick={() => setFailure(null)}>
            Dismiss
          </button>
        </div>
      ) : null}
      {confirming === "start" ? (
        <StartDialog batch={batch} busy={start.loading} onConfirm={() => void run("start")} onCancel={() => setConfirming(null)} />
      ) : null}
      {confirming === "cancel" ? (
        <ConfirmDialog
          title={`Cancel ${batch.batchUid}?`}
          busy={cancel.loading}
          onConfirm={() => void run("cancel")}
          onCancel={() => setConfirming(null)}
        >
          <p>Trades not yet booked will be cancelled. Trades already booked, or whose booking is on its way to the bank, stay booked.</p>
        </ConfirmDialog>
      ) : null}
      {confirming === "retry" ? (
        <RetryDialog
          batch={batch}
          busy={retry.loading}
          onConfirm={(retried) => void run("retry", retried)}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
      {confirming === "archive" ? (
        <ConfirmDialog
          title={`Archive ${batch.batchUid}?`}
          confirmLabel="Archive batch"
          tone="primary"
          busy={archive.loading}
          onConfirm={() => void run("archive")}
          onCancel={() => setConfirming(null)}
        >
          <p>
            The batch and its {batch.totalTrades} trades move to the archive: nothing is deleted, and this page, its trades and its exports
            stay readable. It can no longer be started, retried or deleted, and the lists show it only under their Archived filter.
          </p>
        </ConfirmDialog>
      ) : null}
      {confirming === "delete" ? (
        <ConfirmDialog
          title={`Delete ${batch.batchUid}?`}
          busy={remove.loading}
          onConfirm={() => void run("delete")}
          onCancel={() => setConfirming(null)}
        >
          <p>The batch and its {batch.totalTrades} trades will be removed for good. Export the results first if you need them.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
