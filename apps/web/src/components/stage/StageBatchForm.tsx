"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { useRouter } from "next/navigation";
import { type DragEvent, type FormEvent, useId, useRef, useState } from "react";
import { StageBatchMutation } from "../../graphql/stage";
import { describeError } from "../ui/QueryError";
import { type RowError, RowErrorsTable } from "./RowErrorsTable";

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
  const [dragging, setDragging] = useState(false);
  const [rowErrors, setRowErrors] = useState<readonly RowError[] | null>(null);
  const [requestError, setRequestError] = useState<ErrorLike | null>(null);
  const [missingFile, setMissingFile] = useState(false);
  const [stageBatch, { loading }] = useMutation(StageBatchMutation);

  function chooseFile(next: File | null) {
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

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      setMissingFile(true);
      fileInput.current?.focus();
      return;
    }
    setRowErrors(null);
    setRequestError(null);
    try {
      const csv = await file.text();
      const priorityNumber = Number.parseInt(priority, 10);
      const { data } = await stageBatch({
        variables: { input: { csv, name: name.trim() || null, priority: Number.isFinite(priorityNumber) ? priorityNumber : 0 } },
      });
      const payload = data?.stageBatch;
      if (payload?.batch) {
        router.push(`/batches/${payload.batch.id}`);
        return;
      }
      setRowErrors(payload?.errors ?? []);
    } catch (error) {
      setRequestError(error as ErrorLike);
    }
  }

  const requestProblem = requestError ? describeError(requestError) : null;

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
            type="number"
            inputMode="numeric"
            step={1}
            value={priority}
            onChange={(event) => setPriority(event.target.value)}
            aria-describedby="priority-hint"
          />
        </label>
      </div>
      <p id="priority-hint" className="hint">
        Higher priority runs first when several started batches wait for the runner.
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
            {requestProblem.message} Nothing was saved.
          </div>
        ) : null}
        {rowErrors ? (
          <>
            <div className="alert alert-danger" role="alert">
              <strong>
                {rowErrors.length === 1 ? "1 problem was" : `${rowErrors.length} problems were`} found in {file?.name ?? "the file"}.
                Nothing was saved.
              </strong>{" "}
              Fix every row listed below and stage the file again.
            </div>
            <RowErrorsTable errors={rowErrors} />
          </>
        ) : null}
      </div>
    </form>
  );
}
