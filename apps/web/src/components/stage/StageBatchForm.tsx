"use client";

import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { useMutation } from "@apollo/client/react";
import { PRIORITY_RANGE, PRIORITY_RULE, priorityProblem } from "@fxbt/domain/priority";
import { useRouter } from "next/navigation";
import { type DragEvent, type FormEvent, useId, useRef, useState } from "react";
import { StageBatchMutation } from "../../graphql/stage";
import { findDuplicateFile } from "../../lib/duplicate-file";
import { newIdempotencyKey } from "../../lib/idempotency";
import { describeError } from "../ui/QueryError";
import { DuplicateFileAlert } from "./DuplicateFileAlert";
import { type RowError, RowErrorsTable } from "./RowErrorsTable";

/**
 * One submission of one file with one name and priority: its idempotency key is kept while
 * its answer is not known (a double click, a retry after a lost answer), so the API stages it
 * at most once; a new file, other fields, or an answer make the next submission a new one.
 */
interface Submission {
  file: File;
  fields: string;
  key: string;
}

/** The priority field's text as a value: empty is the default, 0; anything else as typed, for priorityProblem to judge. */
function readPriority(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === "") return 0;
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
  const fileInput = useRef<HTMLInputElement>(null);
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
  const [stageBatch, { loading }] = useMutation(StageBatchMutation);
  const submission = useRef<Submission | null>(null);
  const priorityLocalProblem = priorityUnreadable ? PRIORITY_RULE : priorityProblem(readPriority(priority));

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

  /** Stages the chosen file; allowDuplicate stages it even when the same trades were staged lately. */
  async function stage(allowDuplicate: boolean) {
    if (!file) {
      setMissingFile(true);
      fileInput.current?.focus();
      return;
    }
    // A priority out of range is refused here, before anything is sent: the API would refuse it too.
    if (priorityLocalProblem) {
      priorityInput.current?.focus();
      return;
    }
    const fields = { name: name.trim() || null, priority: readPriority(priority) as number, allowDuplicate };
    // Taken before anything is awaited, so a second click while the first is on its way sends the same key.
    const signature = JSON.stringify(fields);
    const current = submission.current;
    const sent =
      current && current.file === file && current.fields === signature ? current : { file, fields: signature, key: newIdempotencyKey() };
    submission.current = sent;
    setRowErrors(null);
    setRequestError(null);
    try {
      const csv = await file.text();
      const { data } = await stageBatch({ variables: { input: { csv, ...fields, idempotencyKey: sent.key } } });
      const payload = data?.stageBatch;
      if (payload?.batch) {
        router.push(`/batches/${payload.batch.id}`);
        return;
      }
      // Answered: nothing was staged under this key, and the next submission is a new one.
      if (submission.current === sent) submission.current = null;
      setRowErrors(payload?.errors ?? []);
    } catch (error) {
      // The answer may be lost: a retry of the same submission goes under the same key.
      setRequestError(error as ErrorLike);
    }
  }

  const priorityAnswered = priorityErrorOf(requestError, rowErrors);
  // Shown at the field, so not again in the alert or the row table below.
  const requestProblem = requestError && !priorityAnswered ? describeError(requestError) : null;
  const fileErrors = rowErrors?.filter((rowError) => !(rowError.field === "priority" && rowError.row === null)) ?? null;
  const shownRowErrors = fileErrors && (fileErrors.length > 0 || !priorityAnswered) ? fileErrors : null;
  const duplicate = shownRowErrors ? findDuplicateFile(shownRowErrors) : null;
  const priorityShown = priorityLocalProblem ?? priorityAnswered;

  return (
    <form className="panel stage-form" onSubmit={onSubmit} noValidate>
      <h2>Upload</h2>
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
          required
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
            </>
          ) : (
            "Choose a file, or drop one here."
          )}
        </p>
      </fieldset>
      <div className="form-row">
        <label className="field">
          <span className="field-label">Name</span>
          <input
            type="text"
            value={name}
            maxLength={200}
            placeholder="Optional, e.g. Friday payables"
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
      <p id="priority-hint" className="hint">
        {priorityShown ? (
          <strong className="text-danger">{sentence(priorityShown)}.</strong>
        ) : (
          <>
            A whole number from {PRIORITY_RANGE.min} to {PRIORITY_RANGE.max}, 0 by default. Higher priority runs first when several started
            batches wait for the runner.
          </>
        )}
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={loading} aria-busy={loading}>
          Stage batch
        </button>
        {loading ? <span className="muted">Validating every row…</span> : null}
      </div>
      <div id="stage-result">
        {requestProblem ? (
          <div className="alert alert-danger" role="alert">
            <strong>The file could not be staged.</strong> {requestProblem.code ? <code>{requestProblem.code}</code> : null}{" "}
            {requestProblem.message}{" "}
            {CombinedGraphQLErrors.is(requestError)
              ? "Nothing was saved."
              : "Staging again is safe: the same upload is sent under the same key, so it is never staged twice."}
          </div>
        ) : null}
        {duplicate ? (
          <DuplicateFileAlert
            duplicate={duplicate}
            fileName={file?.name ?? "The file"}
            busy={loading}
            onStageAnyway={() => void stage(true)}
          />
        ) : shownRowErrors ? (
          <>
            <div className="alert alert-danger" role="alert">
              <strong>
                {shownRowErrors.length === 1 ? "1 problem was" : `${shownRowErrors.length} problems were`} found in{" "}
                {file?.name ?? "the file"}. Nothing was saved.
              </strong>{" "}
              Fix every row listed below and stage the file again.
            </div>
            <RowErrorsTable errors={shownRowErrors} />
          </>
        ) : null}
      </div>
    </form>
  );
}
