"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { PRIORITY_RANGE, priorityProblem } from "@fxbt/domain/priority";
import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";
import type { TemplateFieldsFragment } from "../../gql/graphql";
import { BatchTemplatesQuery, StageBatchFromTemplateMutation } from "../../graphql/templates";
import { findDuplicateFile } from "../../lib/duplicate-file";
import { newIdempotencyKey } from "../../lib/idempotency";
import { type RowError, RowErrorsTable } from "../stage/RowErrorsTable";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { describeError } from "../ui/QueryError";
import { sentence } from "./SaveTemplateDialog";

/**
 * Stages a batch from a template, its settings prefilled: the template's trades (value dates that
 * have passed or are not good value dates move forward), or an uploaded file (required when the
 * template has no trades). Row errors are the upload's own; a repeat of recent trades asks first.
 */
export function StageFromTemplateDialog({ template, onClose }: { template: TemplateFieldsFragment; onClose: () => void }) {
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState("");
  const [priority, setPriority] = useState(String(template.priority));
  const [file, setFile] = useState<File | null>(null);
  const [allowDuplicate, setAllowDuplicate] = useState(false);
  const [missingFile, setMissingFile] = useState(false);
  const [rowErrors, setRowErrors] = useState<readonly RowError[] | null>(null);
  const [failure, setFailure] = useState<ErrorLike | null>(null);
  // One key per submission of the same fields: a double click or a retry after a lost answer stages once.
  const key = useRef<{ fields: string; key: string } | null>(null);
  const [stage, { loading }] = useMutation(StageBatchFromTemplateMutation, { refetchQueries: [BatchTemplatesQuery] });
  const priorityValue = priority.trim() === "" ? template.priority : Number(priority);
  const priorityWrong = priorityProblem(priorityValue);
  const duplicate = rowErrors ? findDuplicateFile(rowErrors) : null;
  const problem = failure ? describeError(failure) : null;

  async function submit() {
    setFailure(null);
    if (!template.hasRows && !file) {
      setMissingFile(true);
      return;
    }
    if (priorityWrong) return;
    const fields = {
      name: name.trim() || null,
      priority: priorityValue,
      allowDuplicate,
      file: file ? `${file.name}:${file.size}:${file.lastModified}` : null,
    };
    const signature = JSON.stringify(fields);
    if (key.current?.fields !== signature) key.current = { fields: signature, key: newIdempotencyKey() };
    setRowErrors(null);
    try {
      const csv = file ? await file.text() : null;
      const { data } = await stage({
        variables: {
          input: {
            templateId: template.id,
            name: fields.name,
            priority: priorityValue,
            csv,
            allowDuplicate,
            idempotencyKey: key.current.key,
          },
        },
      });
      const payload = data?.stageBatchFromTemplate;
      if (payload?.batch) {
        router.push(`/batches/${payload.batch.id}`);
        return;
      }
      key.current = null;
      setRowErrors(payload?.errors ?? []);
    } catch (error) {
      setFailure(error as ErrorLike);
    }
  }

  return (
    <ConfirmDialog
      title={`Stage a batch from “${template.name}”`}
      confirmLabel="Stage batch"
      cancelLabel="Close"
      tone="primary"
      busy={loading}
      onConfirm={() => void submit()}
      onCancel={onClose}
    >
      <div className="form-stack">
        <p>
          {template.hasRows
            ? `Its ${template.rowCount} trades are staged; value dates that have passed, or fall on a weekend or holiday of their currencies, move to the next good value date. Or upload a file to stage instead.`
            : "It holds no trades: upload the CSV file to stage with its settings."}
        </p>
        <label className="field">
          <span className="field-label">{template.hasRows ? "CSV file (optional)" : "CSV file"}</span>
          <input
            type="file"
            accept=".csv,text/csv"
            aria-invalid={missingFile || undefined}
            aria-describedby={`${id}-file-hint`}
            onChange={(event) => {
              setFile(event.target.files?.[0] ?? null);
              setMissingFile(false);
              setRowErrors(null);
            }}
          />
        </label>
        <p id={`${id}-file-hint`} className="hint">
          {missingFile ? <strong className="text-danger">Choose a CSV file first.</strong> : file ? `Selected: ${file.name}` : null}
        </p>
        <label className="field">
          <span className="field-label">Batch name</span>
          <input
            type="text"
            value={name}
            maxLength={200}
            placeholder={template.namePattern ?? template.name}
            aria-describedby={`${id}-name-hint`}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <p id={`${id}-name-hint`} className="hint">
          Empty: {template.namePattern ? <code>{template.namePattern}</code> : "the template's name"}.
        </p>
        <label className="field field-narrow">
          <span className="field-label">Priority</span>
          <input
            type="number"
            inputMode="numeric"
            step={1}
            min={PRIORITY_RANGE.min}
            max={PRIORITY_RANGE.max}
            value={priority}
            aria-invalid={priorityWrong ? true : undefined}
            aria-describedby={`${id}-priority-hint`}
            onChange={(event) => setPriority(event.target.value)}
          />
        </label>
        <p id={`${id}-priority-hint`} className="hint">
          {priorityWrong ? (
            <strong className="text-danger">{sentence(priorityWrong)}</strong>
          ) : (
            "The template's priority, unless you change it."
          )}
        </p>
        {duplicate ? (
          <div className="alert alert-warning" role="alert">
            <strong>These trades were staged lately as {duplicate.batchUid}.</strong> Tick the box below and stage again if they are meant
            to run twice.
          </div>
        ) : null}
        {rowErrors && !duplicate ? (
          <>
            <div className="alert alert-danger" role="alert">
              <strong>{rowErrors.length === 1 ? "1 problem was" : `${rowErrors.length} problems were`} found. Nothing was saved.</strong>
            </div>
            <RowErrorsTable errors={rowErrors} />
          </>
        ) : null}
        <label className="checkbox">
          <input type="checkbox" checked={allowDuplicate} onChange={(event) => setAllowDuplicate(event.target.checked)} />
          Stage even if the same trades were staged in the last 7 days
        </label>
        {problem ? (
          <div className="alert alert-danger" role="alert">
            <strong>Nothing was staged.</strong> {problem.code ? <code>{problem.code}</code> : null} {problem.message}
          </div>
        ) : null}
      </div>
    </ConfirmDialog>
  );
}
