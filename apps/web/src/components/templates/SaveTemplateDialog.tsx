"use client";

import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { useMutation } from "@apollo/client/react";
import { NAME_PATTERN_RULE, namePatternProblem, patternNamesLengthProblem, templateNameProblem } from "@fxbt/domain/template-names";
import { useId, useState } from "react";
import { BatchTemplatesQuery, SaveBatchTemplateMutation } from "../../graphql/templates";
import { useToast } from "../toasts/ToastProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { describeError } from "../ui/QueryError";

/** The domain's and the API's wording starts with the field's name; on the page a sentence starts with a capital. */
export const sentence = (message: string) => `${message.charAt(0).toUpperCase()}${message.slice(1)}${message.endsWith(".") ? "" : "."}`;

/** Which field an API refusal names ("input.name", "input.namePattern"), or null for another problem. */
export function refusedField(error: ErrorLike | null): "name" | "namePattern" | null {
  if (!CombinedGraphQLErrors.is(error)) return null;
  const argument = error.errors[0]?.extensions?.argument;
  return argument === "input.name" || argument === "name" ? "name" : argument === "input.namePattern" ? "namePattern" : null;
}

interface SaveTemplateDialogProps {
  batch: { id: string; batchUid: string; name: string | null; priority: number; totalTrades: number };
  onClose: () => void;
}

/**
 * Saves a batch's settings, and with "Include the trades" its trades, as a named template. The
 * name and pattern are checked as typed with the API's own rules; a name already used comes back
 * from the API and is shown at the field.
 */
export function SaveTemplateDialog({ batch, onClose }: SaveTemplateDialogProps) {
  const showToast = useToast();
  const id = useId();
  const [name, setName] = useState(batch.name ?? "");
  const [pattern, setPattern] = useState("");
  const [includeRows, setIncludeRows] = useState(true);
  const [tried, setTried] = useState(false);
  const [failure, setFailure] = useState<ErrorLike | null>(null);
  const [save, { loading }] = useMutation(SaveBatchTemplateMutation, { refetchQueries: [BatchTemplatesQuery] });

  const nameProblem = tried ? templateNameProblem(name) : null;
  /** The pattern's own problem, or the length of the names it would give with this name; null when none or blank. */
  const patternProblemNow = () =>
    pattern.trim() === "" ? null : (namePatternProblem(pattern.trim()) ?? patternNamesLengthProblem(pattern.trim(), name.trim()));
  const patternProblem = tried ? patternProblemNow() : null;
  const field = refusedField(failure);
  const apiProblem = failure ? describeError(failure) : null;
  const nameShown = nameProblem ?? (field === "name" ? apiProblem?.message : null);
  const patternShown = patternProblem ?? (field === "namePattern" ? apiProblem?.message : null);

  async function submit() {
    setTried(true);
    setFailure(null);
    if (templateNameProblem(name) || patternProblemNow()) return;
    try {
      const { data } = await save({
        variables: { input: { batchId: batch.id, name: name.trim(), namePattern: pattern.trim() || null, includeRows } },
      });
      showToast(`Template “${data?.saveBatchTemplate.name ?? name.trim()}” saved`, "success");
      onClose();
    } catch (error) {
      setFailure(error as ErrorLike);
    }
  }

  return (
    <ConfirmDialog
      title={`Save ${batch.batchUid} as a template`}
      confirmLabel="Save template"
      cancelLabel="Close"
      tone="primary"
      busy={loading}
      onConfirm={() => void submit()}
      onCancel={onClose}
    >
      <div className="form-stack">
        <label className="field">
          <span className="field-label">Template name</span>
          <input
            type="text"
            value={name}
            maxLength={100}
            required
            aria-invalid={nameShown ? true : undefined}
            aria-describedby={`${id}-name-hint`}
            onChange={(event) => {
              setName(event.target.value);
              if (field === "name") setFailure(null);
            }}
          />
        </label>
        <p id={`${id}-name-hint`} className="hint">
          {nameShown ? <strong className="text-danger">{sentence(nameShown)}</strong> : "Unique among your templates, whatever its case."}
        </p>
        <label className="field">
          <span className="field-label">Name pattern</span>
          <input
            type="text"
            value={pattern}
            maxLength={200}
            placeholder="Optional, e.g. Payroll {date} #{n}"
            aria-invalid={patternShown ? true : undefined}
            aria-describedby={`${id}-pattern-hint`}
            onChange={(event) => {
              setPattern(event.target.value);
              if (field === "namePattern") setFailure(null);
            }}
          />
        </label>
        <p id={`${id}-pattern-hint`} className="hint">
          {patternShown ? (
            <strong className="text-danger">{sentence(patternShown)}</strong>
          ) : (
            <>Names the batches staged from it; {NAME_PATTERN_RULE}. Empty: they are named after the template.</>
          )}
        </p>
        <label className="checkbox">
          <input type="checkbox" checked={includeRows} onChange={(event) => setIncludeRows(event.target.checked)} />
          Include the trades ({batch.totalTrades}), so the template stages without a file
        </label>
        <p className="hint">Priority {batch.priority} is saved with it.</p>
        {apiProblem && !field ? (
          <div className="alert alert-danger" role="alert">
            <strong>The template was not saved.</strong> {apiProblem.code ? <code>{apiProblem.code}</code> : null} {apiProblem.message}
          </div>
        ) : null}
      </div>
    </ConfirmDialog>
  );
}
