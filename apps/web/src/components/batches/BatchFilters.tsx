"use client";

import type { BatchOrderField, BatchStatus, OrderDirection } from "../../gql/graphql";
import { BATCH_STATUS_INFO, BATCH_STATUSES } from "../../lib/batch-status";
import { readChoice, readChoices, readDay, readText, setParam, toFirstPage } from "../../lib/list-params";

export interface BatchFilterValues {
  statuses: BatchStatus[];
  /** "YYYY-MM-DD" from a date input, or "" */
  createdFrom: string;
  createdTo: string;
  search: string;
  orderField: BatchOrderField;
  direction: OrderDirection;
  /** The archived batches instead of the others (the API's BatchFilter.archived). */
  archived: boolean;
}

export const DEFAULT_BATCH_FILTERS: BatchFilterValues = {
  statuses: [],
  createdFrom: "",
  createdTo: "",
  search: "",
  orderField: "CREATED_AT",
  direction: "DESC",
  archived: false,
};

const ORDER_FIELDS: { value: BatchOrderField; label: string }[] = [
  { value: "CREATED_AT", label: "Created" },
  { value: "UPDATED_AT", label: "Updated" },
  { value: "STATUS", label: "Status" },
  { value: "TOTAL_TRADES", label: "Total trades" },
  { value: "PRIORITY", label: "Priority" },
];
const DIRECTIONS: readonly OrderDirection[] = ["ASC", "DESC"];

/** The batches list's query parameters: `status` (repeated), `from`, `to`, `q`, `sort`, `dir`, `archived=1`. */
export function readBatchFilters(params: URLSearchParams): BatchFilterValues {
  return {
    statuses: readChoices(params, "status", BATCH_STATUSES),
    createdFrom: readDay(params, "from"),
    createdTo: readDay(params, "to"),
    search: readText(params, "q"),
    orderField:
      readChoice(
        params,
        "sort",
        ORDER_FIELDS.map((field) => field.value),
      ) ?? DEFAULT_BATCH_FILTERS.orderField,
    direction: readChoice(params, "dir", DIRECTIONS) ?? DEFAULT_BATCH_FILTERS.direction,
    archived: readChoice(params, "archived", ["1"]) === "1",
  };
}

/** Writes `values` into `params` (defaults left out) and goes back to the first page. */
export function writeBatchFilters(params: URLSearchParams, values: BatchFilterValues): void {
  setParam(params, "status", values.statuses);
  setParam(params, "from", values.createdFrom);
  setParam(params, "to", values.createdTo);
  setParam(params, "q", values.search);
  setParam(params, "sort", values.orderField, DEFAULT_BATCH_FILTERS.orderField);
  setParam(params, "dir", values.direction, DEFAULT_BATCH_FILTERS.direction);
  setParam(params, "archived", values.archived ? "1" : "");
  toFirstPage(params);
}

interface BatchFiltersProps {
  values: BatchFilterValues;
  onChange: (values: BatchFilterValues) => void;
}

export function BatchFilters({ values, onChange }: BatchFiltersProps) {
  const set = <K extends keyof BatchFilterValues>(key: K, value: BatchFilterValues[K]) => onChange({ ...values, [key]: value });
  const toggleStatus = (status: BatchStatus, checked: boolean) =>
    set(
      "statuses",
      checked ? BATCH_STATUSES.filter((s) => s === status || values.statuses.includes(s)) : values.statuses.filter((s) => s !== status),
    );
  const isDefault = JSON.stringify(values) === JSON.stringify(DEFAULT_BATCH_FILTERS);

  return (
    <search aria-label="Filter batches">
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <fieldset className="filter-statuses">
          <legend>Status</legend>
          <div className="checkbox-row">
            {BATCH_STATUSES.map((status) => (
              <label key={status} className="checkbox" title={BATCH_STATUS_INFO[status].description}>
                <input
                  type="checkbox"
                  checked={values.statuses.includes(status)}
                  onChange={(event) => toggleStatus(status, event.target.checked)}
                />
                {BATCH_STATUS_INFO[status].label}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="filter-grid">
          <label className="field">
            <span className="field-label">Search</span>
            <input
              type="search"
              value={values.search}
              placeholder="Batch id or name"
              onChange={(event) => set("search", event.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">Created from</span>
            <input
              type="date"
              value={values.createdFrom}
              max={values.createdTo || undefined}
              onChange={(event) => set("createdFrom", event.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">Created to</span>
            <input
              type="date"
              value={values.createdTo}
              min={values.createdFrom || undefined}
              onChange={(event) => set("createdTo", event.target.value)}
            />
          </label>
          <label className="field">
            <span className="field-label">Sort by</span>
            <select value={values.orderField} onChange={(event) => set("orderField", event.target.value as BatchOrderField)}>
              {ORDER_FIELDS.map((field) => (
                <option key={field.value} value={field.value}>
                  {field.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Direction</span>
            <select value={values.direction} onChange={(event) => set("direction", event.target.value as OrderDirection)}>
              <option value="ASC">Ascending</option>
              <option value="DESC">Descending</option>
            </select>
          </label>
          <label className="checkbox field-action" title="Finished batches moved to the archive: read-only, every trade still readable">
            <input type="checkbox" checked={values.archived} onChange={(event) => set("archived", event.target.checked)} />
            Archived
          </label>
          <div className="field field-action">
            <button type="button" className="button" onClick={() => onChange(DEFAULT_BATCH_FILTERS)} disabled={isDefault}>
              Clear filters
            </button>
          </div>
        </div>
        <p className="hint">
          Dates are whole days in UTC. Search matches the batch id or name, ignoring case.{" "}
          {values.archived ? "Showing archived batches only." : "Archived batches are listed only with Archived ticked."}
        </p>
      </form>
    </search>
  );
}
