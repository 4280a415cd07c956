"use client";

import type { ErrorLike } from "@apollo/client";
import { useQuery } from "@apollo/client/react";
import { type FailureCount, isPermanentFailure, planRetry } from "@fxbt/domain/failure-codes";
import { countByCode } from "@fxbt/domain/retry-selection";
import { BatchResultsQuery } from "../../graphql/batch";
import { formatInteger } from "../../lib/format";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { describeError, QueryError } from "../ui/QueryError";

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

/** What a confirmed retry sends with the batch's id: the codes it listed, or the trades selected. */
export type RetryRequest = { errorCodes: string[] } | { tradeIds: string[] };

/** A failed trade selected on the trade table, with what the confirmation says of it. */
export interface SelectedFailure {
  id: string;
  rowNumber: number | null;
  errorCode: string | null;
}

interface RetryDialogProps {
  batch: { id: string; batchUid: string };
  /** Retry only the failed trades with this code (a breakdown row's); default: every retryable failure. */
  errorCode?: string | null;
  /** Retry exactly these trades (selected on the trade table) instead of choosing by code. */
  selected?: readonly SelectedFailure[] | null;
  busy?: boolean;
  /** Runs the retry of exactly what was listed. */
  onConfirm: (request: RetryRequest) => void;
  onCancel: () => void;
}

/** Why a retry did not run (the API refused it), shown where it was asked for; nothing without an error. */
export function RetryFailure({ error }: { error: ErrorLike | null }) {
  if (!error) return null;
  const { code, message } = describeError(error);
  return (
    <div className="alert alert-danger" role="alert">
      <strong>Retry failed.</strong> {code ? <code>{code}</code> : null} {message}
    </div>
  );
}

const trades = (count: number) => `${formatInteger(count)} ${count === 1 ? "trade" : "trades"}`;

function CodeList({ label, failures }: { label: string; failures: readonly FailureCount[] }) {
  return (
    <ul aria-label={label}>
      {failures.map((failure) => (
        <li key={failure.errorCode}>
          {formatInteger(failure.count)} <code>{failure.errorCode}</code>
        </li>
      ))}
    </ul>
  );
}

/**
 * Asks before failed trades are sent to the bank again. By code, it lists how many of each code
 * will be retried and which permanent refusals stay failed, the counts read anew when it opens:
 * what is confirmed is what runs (the codes listed are sent, and the API refuses a batch that
 * moved on). For selected trades it lists them by code and warns of those the bank refused as
 * permanent; the API refuses the whole selection if any of them is no longer failed.
 */
export function RetryDialog(props: RetryDialogProps) {
  return props.selected ? <SelectedRetryDialog {...props} selected={props.selected} /> : <CodeRetryDialog {...props} />;
}

function CodeRetryDialog({ batch, errorCode = null, busy = false, onConfirm, onCancel }: RetryDialogProps) {
  const { data, loading, error } = useQuery(BatchResultsQuery, { variables: { id: batch.id }, fetchPolicy: "network-only" });
  const errorsByCode = data?.batchResults?.errorsByCode;
  const choice = errorsByCode ? retryChoice(errorsByCode, errorCode) : null;
  const total = choice?.retried.reduce((sum, failure) => sum + failure.count, 0) ?? 0;
  const nothing = choice !== null && total === 0;

  return (
    <ConfirmDialog
      title={errorCode ? `Retry ${errorCode} trades of ${batch.batchUid}?` : `Retry failed trades of ${batch.batchUid}?`}
      confirmLabel={choice && !nothing ? `Retry ${trades(total)}` : "Retry"}
      tone="primary"
      busy={busy || loading || choice === null || nothing}
      onConfirm={() => choice && onConfirm({ errorCodes: choice.retried.map((failure) => failure.errorCode) })}
      onCancel={onCancel}
    >
      <QueryError error={error} what="the failures to retry" />
      {loading && !choice ? <p className="loading">Counting the failed trades…</p> : null}
      {choice && !nothing ? (
        <>
          <p>These failed trades will be sent to the bank again, each under a new attempt:</p>
          <CodeList label="Will be retried" failures={choice.retried} />
        </>
      ) : null}
      {nothing ? <p>{errorCode ? `No failed trade has the code ${errorCode} any more.` : "No failure can be retried."}</p> : null}
      {choice && choice.leftPermanent.length > 0 ? (
        <>
          <p>Left failed: the bank would refuse these again (retry one from its row under Results if it was fixed at the bank):</p>
          <CodeList label="Left failed" failures={choice.leftPermanent} />
        </>
      ) : null}
    </ConfirmDialog>
  );
}

/** How many row numbers the confirmation names before it says how many more. */
const NAMED_ROWS = 20;

function SelectedRetryDialog({
  batch,
  selected,
  busy = false,
  onConfirm,
  onCancel,
}: RetryDialogProps & { selected: readonly SelectedFailure[] }) {
  const byCode = countByCode(selected);
  const permanent = byCode.filter((failure) => isPermanentFailure(failure.errorCode));
  const permanentCount = permanent.reduce((sum, failure) => sum + failure.count, 0);
  const rows = selected
    .map((trade) => trade.rowNumber)
    .filter((row): row is number => row !== null)
    .sort((a, b) => a - b);
  const more = rows.length - NAMED_ROWS;
  const byHand = selected.length - rows.length;

  return (
    <ConfirmDialog
      title={`Retry ${selected.length === 1 ? "the selected trade" : `${formatInteger(selected.length)} selected trades`} of ${batch.batchUid}?`}
      confirmLabel={`Retry ${trades(selected.length)}`}
      tone="primary"
      busy={busy || selected.length === 0}
      onConfirm={() => onConfirm({ tradeIds: selected.map((trade) => trade.id) })}
      onCancel={onCancel}
    >
      <p>
        {selected.length === 1 ? "This failed trade" : `These ${trades(selected.length)}`} will be sent to the bank again, each under a new
        attempt; no other trade of the batch is touched:
      </p>
      <CodeList label="Will be retried" failures={byCode} />
      {rows.length > 0 || byHand > 0 ? (
        <p>
          {rows.length > 0 ? `${rows.length === 1 ? "Row" : "Rows"} ${rows.slice(0, NAMED_ROWS).join(", ")}` : ""}
          {more > 0 ? ` and ${formatInteger(more)} more` : ""}
          {rows.length > 0 && byHand > 0 ? "; also " : ""}
          {byHand > 0
            ? `${byHand === 1 ? (rows.length > 0 ? "one trade" : "One trade") : `${formatInteger(byHand)} trades`} entered by hand (no row)`
            : ""}
          .
        </p>
      ) : null}
      {permanentCount > 0 ? (
        <div className="alert alert-warning" role="note" aria-label="Refused before">
          <p>
            <strong>
              The bank refused{" "}
              {selected.length === 1 ? "this trade" : `${permanentCount === 1 ? "one" : formatInteger(permanentCount)} of them`} as
              permanent before
            </strong>{" "}
            ({permanent.map((failure) => failure.errorCode).join(", ")}):{" "}
            {permanentCount === 1
              ? "unless it was put right at the bank, it will be refused again."
              : "unless they were put right at the bank, they will be refused again."}
          </p>
        </div>
      ) : null}
    </ConfirmDialog>
  );
}
