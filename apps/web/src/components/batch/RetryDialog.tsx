"use client";

import { useQuery } from "@apollo/client/react";
import { type FailureCount, planRetry } from "@fxbt/domain/failure-codes";
import { BatchResultsQuery } from "../../graphql/batch";
import { formatInteger } from "../../lib/format";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { QueryError } from "../ui/QueryError";

/** What a retry would take, as the confirmation lists it (the domain's rule, the one the API applies). */
export interface RetryChoice {
  retried: FailureCount[];
  /** Permanent refusals a retry of every retryable failure leaves FAILED. */
  leftPermanent: FailureCount[];
}

/** The failures a retry of `errorCode` (null: every retryable failure) takes; none when no failed trade has that code. */
export function retryChoice(errorsByCode: readonly FailureCount[], errorCode: string | null = null): RetryChoice {
  const planned = planRetry(errorsByCode, errorCode === null ? null : [errorCode]);
  return planned.ok ? planned.plan : { retried: [], leftPermanent: [] };
}

interface RetryDialogProps {
  batch: { id: string; batchUid: string };
  /** Retry only the failed trades with this code (a breakdown row's); default: every retryable failure. */
  errorCode?: string | null;
  busy?: boolean;
  /** Runs the retry of exactly the codes listed. */
  onConfirm: (errorCodes: string[]) => void;
  onCancel: () => void;
}

/**
 * Asks before failed trades are sent to the bank again, listing how many of each code will be
 * retried and which permanent refusals stay failed. The counts are read anew when it opens: what
 * is confirmed is what runs (the codes listed are sent, and the API refuses a batch that moved on).
 */
export function RetryDialog({ batch, errorCode = null, busy = false, onConfirm, onCancel }: RetryDialogProps) {
  const { data, loading, error } = useQuery(BatchResultsQuery, { variables: { id: batch.id }, fetchPolicy: "network-only" });
  const errorsByCode = data?.batchResults?.errorsByCode;
  const choice = errorsByCode ? retryChoice(errorsByCode, errorCode) : null;
  const total = choice?.retried.reduce((sum, failure) => sum + failure.count, 0) ?? 0;
  const nothing = choice !== null && total === 0;

  return (
    <ConfirmDialog
      title={errorCode ? `Retry ${errorCode} trades of ${batch.batchUid}?` : `Retry failed trades of ${batch.batchUid}?`}
      confirmLabel={choice && !nothing ? `Retry ${formatInteger(total)} ${total === 1 ? "trade" : "trades"}` : "Retry"}
      tone="primary"
      busy={busy || loading || choice === null || nothing}
      onConfirm={() => choice && onConfirm(choice.retried.map((failure) => failure.errorCode))}
      onCancel={onCancel}
    >
      <QueryError error={error} what="the failures to retry" />
      {loading && !choice ? <p className="loading">Counting the failed trades…</p> : null}
      {choice && !nothing ? (
        <>
          <p>These failed trades will be sent to the bank again, each under a new attempt:</p>
          <ul aria-label="Will be retried">
            {choice.retried.map((failure) => (
              <li key={failure.errorCode}>
                {formatInteger(failure.count)} <code>{failure.errorCode}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {nothing ? <p>{errorCode ? `No failed trade has the code ${errorCode} any more.` : "No failure can be retried."}</p> : null}
      {choice && choice.leftPermanent.length > 0 ? (
        <>
          <p>Left failed: the bank would refuse these again (retry one from its row under Results if it was fixed at the bank):</p>
          <ul aria-label="Left failed">
            {choice.leftPermanent.map((failure) => (
              <li key={failure.errorCode}>
                {formatInteger(failure.count)} <code>{failure.errorCode}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </ConfirmDialog>
  );
}
