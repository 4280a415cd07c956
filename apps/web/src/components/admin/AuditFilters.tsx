"use client";

import { useId } from "react";
import type { AuditAction, AuditOutcome } from "../../gql/graphql";
import { readChoice, readDay, readText, setParam, toFirstPage } from "../../lib/list-params";

export interface AuditFilterValues {
  action: AuditAction | "";
  /** Part of an email or key name */
  actor: string;
  outcome: AuditOutcome | "";
  batchId: string;
  /** "YYYY-MM-DD" from a date input, or "" */
  from: string;
  to: string;
}

export const DEFAULT_AUDIT_FILTERS: AuditFilterValues = { action: "", actor: "", outcome: "", batchId: "", from: "", to: "" };

/** Every action the API audits, in words; typed by the schema's enum, so a new action cannot go unnamed. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  SIGN_IN: "Sign in",
  SIGN_OUT: "Sign out",
  CHANGE_PASSWORD: "Change password",
  STAGE_BATCH: "Stage batch",
  CREATE_TRADE: "Create trade",
  START_BATCH: "Start batch",
  APPROVE_BATCH: "Approve batch",
  CANCEL_BATCH: "Cancel batch",
  RETRY_FAILED_TRADES: "Retry failed trades",
  DELETE_BATCH: "Delete batch",
  ARCHIVE_BATCH: "Archive batch",
  CREATE_USER: "Create user",
  UPDATE_USER: "Update user",
  RESET_PASSWORD: "Reset password",
  CREATE_API_KEY: "Create API key",
  REVOKE_API_KEY: "Revoke API key",
  SAVE_TEMPLATE: "Save template",
  RENAME_TEMPLATE: "Rename template",
  DELETE_TEMPLATE: "Delete template",
};

export const AUDIT_OUTCOME_LABELS: Record<AuditOutcome, string> = { SUCCEEDED: "Succeeded", REFUSED: "Refused" };

/** The audit log's query parameters: `action`, `actor`, `outcome`, `batch`, `from`, `to`. */
export function readAuditFilters(params: URLSearchParams): AuditFilterValues {
  return {
    action: readChoice(params, "action", Object.keys(AUDIT_ACTION_LABELS) as AuditAction[]) ?? "",
    actor: readText(params, "actor"),
    outcome: readChoice(params, "outcome", Object.keys(AUDIT_OUTCOME_LABELS) as AuditOutcome[]) ?? "",
    batchId: readText(params, "batch"),
    from: readDay(params, "from"),
    to: readDay(params, "to"),
  };
}

/** Writes `values` into `params` (empty ones left out) and goes back to the first page. */
export function writeAuditFilters(params: URLSearchParams, values: AuditFilterValues): void {
  setParam(params, "action", values.action);
  setParam(params, "actor", values.actor);
  setParam(params, "outcome", values.outcome);
  setParam(params, "batch", values.batchId);
  setParam(params, "from", values.from);
  setParam(params, "to", values.to);
  toFirstPage(params);
}

interface AuditFiltersProps {
  values: AuditFilterValues;
  onChange: (values: AuditFilterValues) => void;
}

export function AuditFilters({ values, onChange }: AuditFiltersProps) {
  const set = <K extends keyof AuditFilterValues>(key: K, value: AuditFilterValues[K]) => onChange({ ...values, [key]: value });
  const isDefault = JSON.stringify(values) === JSON.stringify(DEFAULT_AUDIT_FILTERS);
  const ids = { action: useId(), outcome: useId() };
  return (
    <search aria-label="Filter the audit log">
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <div className="filter-grid audit-filter-grid">
          <label className="field">
            <span className="field-label">Actor</span>
            <input
              type="search"
              value={values.actor}
              placeholder="Part of an email or key name"
              onChange={(event) => set("actor", event.target.value)}
            />
          </label>
          <div className="field">
            {/* A label beside the select, not around it: around it, the options would join its name. */}
            <label htmlFor={ids.action} className="field-label">
              Action
            </label>
            <select id={ids.action} value={values.action} onChange={(event) => set("action", event.target.value as AuditAction | "")}>
              <option value="">Any action</option>
              {(Object.keys(AUDIT_ACTION_LABELS) as AuditAction[]).map((action) => (
                <option key={action} value={action}>
                  {AUDIT_ACTION_LABELS[action]}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.outcome} className="field-label">
              Outcome
            </label>
            <select id={ids.outcome} value={values.outcome} onChange={(event) => set("outcome", event.target.value as AuditOutcome | "")}>
              <option value="">Any outcome</option>
              {(Object.keys(AUDIT_OUTCOME_LABELS) as AuditOutcome[]).map((outcome) => (
                <option key={outcome} value={outcome}>
                  {AUDIT_OUTCOME_LABELS[outcome]}
                </option>
              ))}
            </select>
          </div>
          <label className="field">
            <span className="field-label">Batch id</span>
            <input
              type="search"
              value={values.batchId}
              placeholder="The batch's UUID"
              onChange={(event) => set("batchId", event.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">From</span>
            <input type="date" value={values.from} max={values.to || undefined} onChange={(event) => set("from", event.target.value)} />
          </label>
          <label className="field">
            <span className="field-label">To</span>
            <input type="date" value={values.to} min={values.from || undefined} onChange={(event) => set("to", event.target.value)} />
          </label>
          <div className="field field-action">
            <button type="button" className="button" disabled={isDefault} onClick={() => onChange(DEFAULT_AUDIT_FILTERS)}>
              Clear filters
            </button>
          </div>
        </div>
        <p className="hint">Dates are whole days in UTC. The newest events come first.</p>
      </form>
    </search>
  );
}
