"use client";

import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { PRIORITY_RANGE, PRIORITY_RULE, priorityProblem } from "@fxbt/domain/priority";
import { useRouter } from "next/navigation";
import { type DragEvent, type FormEvent, useId, useRef, useState } from "react";
import { findDuplicateFile } from "../../lib/duplicate-file";
import { newIdempotencyKey } from "../../lib/idempotency";
import type { RowError } from "./RowErrorsTable";
import { StageResult } from "./StageResult";
import { TemplatePicker, templateBatchName, templateRowCount, useTemplateChoice } from "./TemplatePicker";
import { useStageRequest } from "./use-stage-request";

/**
 * One submission of one file (or a template's rows) with one template, name and priority: its
 * idempotency key is kept while its answer is not known (a double click, a retry after a lost
 * answer), so the API stages it at most once; a new file, other fields, or an answer make the
 * next submission a new one.
 */
interface Submission {
  file: File | null;
  fields: string;
  key: string;
}

/** The priority field's text as a value: empty is the default (0, or the template's); anything else as typed, for priorityProblem to judge. */
function readPriority(text: string, byDefault: number): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return byDefault;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : trimmed;
}

/** The API's and the domain's wording starts with the field's name; a sentence on the page starts with a capital. */
const sentence = (message: string) => message.charAt(0).toUpperCase() + message.slice(1);

/** A priority problem the API answered: a payload error on the field, or a BAD_USER_INPUT naming it. */
function priorityErrorOf(error: ErrorLike | null, rowErrors: readonly RowError[] | null): string | null {
  const fromPayload = rowErrors?.find((rowError) => rowError.field === "priority" && rowError.row === null);
  if (fromPayload) return fromPayload.message;
  if (CombinedGraphQLErrors.is(error)) return error.errors.find((one) => one.extensions?.field === "priority")?.message ?? null;
  return null;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function StageBatchForm() {
  const router = useRouter();
  const fileInputId = useId();
  const nameHintId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const templates = useTemplateChoice();
  const template = templates.chosen;
  const defaultPriority = template?.priority ?? 0;
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [priority, setPriority] = useState("0");
  // The browser's own verdict on a number input: text it cannot read as a number leaves the value empty.
  const [priorityUnreadable, setPriorityUnreadable] = useState(false);
  const priorityInput = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [rowErrors, setRowErrors] = useState<readonly RowError[] | null>(null);
  const [requestError, setRequestError] = useState<ErrorLike | null>(null);
  const [missingFile, setMissingFile] = useState(false);
  const { send, loading } = useStageRequest();
  const submission = useRef<Submission | null>(null);
  const priorityLocalProblem = priorityUnreadable ? PRIORITY_RULE : priorityProblem(readPriority(priority, defaultPriority));
  // Another template (chosen here, or by back/forward) brings its priority, and what was said of the last one no longer holds.
  const [templateShown, setTemplateShown] = useState<string | null>(null);
  if ((template?.id ?? null) !== templateShown) {
    setTemplateShown(template?.id ?? null);
    // A staging still on its way was of the last template: its answer must not be shown (nor its Stage anyway offered) for this one.
    submission.current = null;
    setPriority(String(defaultPriority));
    setPriorityUnreadable(false);
    setRowErrors(null);
    setRequestError(null);
    setMissingFile(false);
  }
  const fileRequired = !template?.hasRows;

  function chooseFile(next: File | null) {
    submission.current = null;
    setFile(next);
    setRowErrors(null);
    setRequestError(null);
    setMissingFile(false);
  }

  function onDrop(event: DragEvent<HTMLFieldSetElement>) {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (!dropped) return;
    // Keep the file input in step so the form shows (and a screen reader hears) the chosen file.
    if (fileInput.current) fileInput.current.files = event.dataTransfer.files;
    chooseFile(dropped);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void stage(false);
  }

  /**
   * Stages the chosen file, with the chosen template's settings if any, or the template's own rows
   * when no file is chosen; allowDuplicate stages it even when the same trades were staged lately.
   */
  async function stage(allowDuplicate: boolean) {
    // A template named in the address and not read yet: staging without it would not be what was asked.
    if (templates.pending) return;
    if (!file && fileRequired) {
      setMissingFile(true);
      fileInput.current?.focus();
      return;
    }
    // A priority out of range is refused here, before anything is sent: the API would refuse it too.
    if (priorityLocalProblem) {
      priorityInput.current?.focus();
      return;
    }
    const fields = {
      templateId: template?.id ?? null,
      name: name.trim() || null,
      priority: readPriority(priority, defaultPriority) as number,
      allowDuplicate,
    };
    // Taken before anything is awaited, so a second click while the first is on its way sends the same key.
    const signature = JSON.stringify(fields);
    const current = submission.current;
    const sent =
      current && current.file === file && current.fields === signature ? current : { file, fields: signature, key: newIdempotencyKey() };
    submission.current = sent;
    setRowErrors(null);
    setRequestError(null);
    try {
      const csv = file ? await file.text() : null;
      const answer = await send({ ...fields, csv, idempotencyKey: sent.key });
      if (answer.batchId) {
        router.push(`/batches/${answer.batchId}`);
        return;
      }
      // Another file or template was chosen while this was on its way: its problems are not the form's now.
      if (submission.current !== sent) return;
      // Answered: nothing was staged under this key, and the next submission is a new one.
      submission.current = null;
      setRowErrors(answer.errors);
    } catch (error) {
      if (submission.current !== sent) return;
      // The answer may be lost: a retry of the same submission goes under the same key.
      setRequestError(error as ErrorLike);
    }
  }

  const priorityAnswered = priorityErrorOf(requestError, rowErrors);
  const fileErrors = rowErrors?.filter((rowError) => !(rowError.field === "priority" && rowError.row === null)) ?? null;
  const shownRowErrors = fileErrors && (fileErrors.length > 0 || !priorityAnswered) ? fileErrors : null;
  const duplicate = shownRowErrors ? findDuplicateFile(shownRowErrors) : null;
  const priorityShown = priorityLocalProblem ?? priorityAnswered;
  const templateName = template ? templateBatchName(template) : null;

  return (
    <form className="panel stage-form" onSubmit={onSubmit} noValidate>
      <h2>Upload</h2>
      <TemplatePicker choice={templates} />
      <fieldset
        className={`drop-zone${dragging ? " drop-zone-active" : ""}${missingFile ? " drop-zone-invalid" : ""}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <label htmlFor={fileInputId} className="field-label">
          CSV file
        </label>
        <input
          ref={fileInput}
          id={fileInputId}
          type="file"
          accept=".csv,text/csv"
          required={fileRequired}
          aria-invalid={missingFile || undefined}
          aria-describedby={`${fileInputId}-hint`}
          onChange={(event) => chooseFile(event.target.files?.[0] ?? null)}
        />
        <p id={`${fileInputId}-hint`} className="hint">
          {missingFile ? (
            <strong className="text-danger">Choose a CSV file first.</strong>
          ) : file ? (
            <>
              Selected: <strong>{file.name}</strong> ({formatBytes(file.size)})
              {template ? ": its rows are staged with the template's settings." : null}
            </>
          ) : template?.hasRows ? (
            <>
              <strong>{templateRowCount(template)} from the template; value dates past or on non-business days roll forward.</strong> A file
              is optional: choose or drop one to stage its rows instead.
            </>
          ) : template ? (
            "The template holds no rows: choose a file, or drop one here, to stage with its settings."
          ) : (
            "Choose a file, or drop one here."
          )}
        </p>
        {file && template?.hasRows ? (
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              if (fileInput.current) fileInput.current.value = "";
              chooseFile(null);
              // The button goes with the file: focus stays in the form rather than falling to the page.
              fileInput.current?.focus();
            }}
          >
            Remove the file<span className="visually-hidden">: stage the template's rows</span>
          </button>
        ) : null}
      </fieldset>
      <div className="form-row">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            type="text"
            value={name}
            maxLength={200}
            placeholder={templateName ?? "Optional, e.g. Friday payables"}
            aria-describedby={templateName ? nameHintId : undefined}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label className="field field-narrow">
          <span className="field-label">Priority</span>
          <input
            ref={priorityInput}
            type="number"
            inputMode="numeric"
            step={1}
            min={PRIORITY_RANGE.min}
            max={PRIORITY_RANGE.max}
            value={priority}
            onChange={(event) => {
              setPriority(event.target.value);
              setPriorityUnreadable(event.target.validity?.badInput ?? false);
              // What the API said of the previous priority no longer holds for this one.
              if (priorityAnswered) {
                setRowErrors(fileErrors?.length ? fileErrors : null);
                if (priorityErrorOf(requestError, null)) setRequestError(null);
              }
            }}
            aria-invalid={priorityShown ? true : undefined}
            aria-describedby="priority-hint"
          />
        </label>
      </div>
      {templateName ? (
        <p id={nameHintId} className="hint">
          Left empty, the batch is named <strong>{templateName}</strong>:{" "}
          {template?.namePattern ? "the template's pattern, as it reads when staged." : "the template's name, as it has no pattern."}
        </p>
      ) : null}
      <p id="priority-hint" className="hint">
        {priorityShown ? (
          <strong className="text-danger">{sentence(priorityShown)}.</strong>
        ) : (
          <>
            A whole number from {PRIORITY_RANGE.min} to {PRIORITY_RANGE.max}, {template ? `${defaultPriority} (the template's)` : "0"} by
            default. Higher priority runs first when several started batches wait for the runner.
          </>
        )}
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={loading || templates.pending} aria-busy={loading}>
          Stage batch
        </button>
        {loading ? <span className="muted">Validating every row…</span> : null}
      </div>
      <StageResult
        source={file ? { file: file.name } : template ? { templateRows: template.name } : { file: "the file" }}
        // A priority problem is shown at the field, so not again as a failed request.
        requestError={priorityAnswered ? null : requestError}
        rowErrors={shownRowErrors}
        duplicate={duplicate}
        busy={loading}
        onStageAnyway={() => void stage(true)}
      />
    </form>
  );
}
