"use client";

import { useId, useState } from "react";
import { formatInteger } from "../../lib/format";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { QueryError } from "../ui/QueryError";
import { type BatchPreview, CurrencyTotalsTable, PairTotalsTable, useBatchPreview, WARNING_TITLES } from "./BatchReview";

interface StartDialogProps {
  batch: { id: string; batchUid: string; totalTrades: number };
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Whether the typed text confirms this batch: its batchUid, ignoring surrounding spaces and letter case. */
export function typedConfirms(typed: string, batchUid: string): boolean {
  return typed.trim().toUpperCase() === batchUid.toUpperCase();
}

/** The confirmation's body, from a preview already read. */
export function StartConfirmation({
  batch,
  preview,
  typed,
  onType,
}: {
  batch: StartDialogProps["batch"];
  preview: BatchPreview;
  typed: string;
  onType: (typed: string) => void;
}) {
  const inputId = useId();
  const warnings = preview.warnings;
  return (
    <>
      <p>
        {formatInteger(batch.totalTrades)} {batch.totalTrades === 1 ? "trade" : "trades"} will be quoted and booked at the bank:
      </p>
      <PairTotalsTable totals={preview.totals} />
      <CurrencyTotalsTable totals={preview.currencyTotals} />
      {warnings.length > 0 ? (
        <div className="alert alert-warning">
          <p>
            <strong>
              {warnings.length} {warnings.length === 1 ? "warning" : "warnings"}
            </strong>{" "}
            (see Review before start):
          </p>
          <ul aria-label="Warnings to check">
            {warnings.map((warning) => (
              <li key={`${warning.code} ${warning.message}`}>
                {WARNING_TITLES[warning.code]}: {formatInteger(warning.tradeCount)} {warning.tradeCount === 1 ? "trade" : "trades"}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {preview.confirmationRequired ? (
        <div className="field">
          <p>
            This is {preview.confirmationReason}. To start it, type its batch id, <code>{batch.batchUid}</code>.
          </p>
          <label htmlFor={inputId} className="field-label">
            Batch id
          </label>
          <input
            id={inputId}
            type="text"
            autoComplete="off"
            spellCheck={false}
            value={typed}
            placeholder={batch.batchUid}
            onChange={(event) => onType(event.target.value)}
          />
        </div>
      ) : null}
    </>
  );
}

/**
 * Asks before a batch is started, showing what it will trade and its warnings, read anew when
 * it opens. For a large batch (Batch.preview.confirmationRequired) the confirm button stays
 * disabled until the batchUid is typed: a second look, on top of four-eyes approval.
 */
export function StartDialog({ batch, busy = false, onConfirm, onCancel }: StartDialogProps) {
  const { preview, loading, error } = useBatchPreview(batch.id, "network-only");
  const [typed, setTyped] = useState("");
  const confirmed = preview !== null && (!preview.confirmationRequired || typedConfirms(typed, batch.batchUid));
  return (
    <ConfirmDialog
      title={`Start ${batch.batchUid}?`}
      confirmLabel={`Run ${formatInteger(batch.totalTrades)} ${batch.totalTrades === 1 ? "trade" : "trades"}`}
      tone="primary"
      busy={busy}
      confirmDisabled={!confirmed}
      wide
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <QueryError error={error} what="the batch's totals" />
      {loading && !preview ? <p className="loading">Adding up the batch…</p> : null}
      {preview ? <StartConfirmation batch={batch} preview={preview} typed={typed} onType={setTyped} /> : null}
    </ConfirmDialog>
  );
}
