"use client";

import type { ErrorLike } from "@apollo/client";
import { useQuery } from "@apollo/client/react";
import { renderNamePattern } from "@fxbt/domain/template-names";
import { useId, useState } from "react";
import type { TemplateFieldsFragment } from "../../gql/graphql";
import { BatchTemplateQuery, BatchTemplatesQuery } from "../../graphql/templates";
import { formatInteger } from "../../lib/format";
import { readText, setParam } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";
import { QueryError } from "../ui/QueryError";

/** The address's query parameter naming the template the New batch form stages with. */
export const TEMPLATE_PARAM = "template";

/** The New batch page with a template chosen: where the Templates page's "Stage batch" leads. */
export const newBatchFromTemplate = (templateId: string) => `/batches/new?${new URLSearchParams({ [TEMPLATE_PARAM]: templateId })}`;

/** The first page of the caller's templates is offered; a search narrows it to names containing the text. */
const PAGE_SIZE = 50;

/** The name a template gives a batch staged now, as the API renders it when no name is given. */
export function templateBatchName(template: TemplateFieldsFragment, now = new Date()): string {
  return renderNamePattern(template.namePattern, { now, n: template.stagedCount + 1, template: template.name });
}

/** How many rows a template holds, as the picker's options and the form's file hint say it. */
export const templateRowCount = (template: TemplateFieldsFragment) =>
  `${formatInteger(template.rowCount)} ${template.rowCount === 1 ? "row" : "rows"}`;

const rowsLabel = (template: TemplateFieldsFragment) => (template.hasRows ? templateRowCount(template) : "no rows, stages a file");

export interface TemplateChoice {
  /** The id the address names, if any. */
  templateId: string | null;
  /** That template once known; null when none is named, while it loads, or when it is not one of the caller's. */
  chosen: TemplateFieldsFragment | null;
  /** A template is named but not known yet: the form waits for it rather than stage without it. */
  pending: boolean;
  /** The address names a template the caller has not (deleted, another's, or no template id). */
  missing: boolean;
  /** The choices: the first page of matches, the chosen one first when the search leaves it out. */
  options: TemplateFieldsFragment[];
  search: string;
  setSearch: (search: string) => void;
  /** How many templates match the search; null until the list is read. */
  matchCount: number | null;
  listError: ErrorLike | undefined;
  chosenError: ErrorLike | undefined;
  /** Names the template in the address (a step of its own in the history); null chooses none. */
  choose: (id: string | null) => void;
}

/** The template the New batch form stages with: it lives in the address (`?template=<id>`), like a list's state. */
export function useTemplateChoice(): TemplateChoice {
  const [params, updateParams] = useUrlParams();
  const templateId = readText(params, TEMPLATE_PARAM).trim() || null;
  const [search, setSearch] = useState("");
  const list = useQuery(BatchTemplatesQuery, {
    variables: { first: PAGE_SIZE, search: search.trim() || null },
    fetchPolicy: "cache-and-network",
  });
  // Read on its own: the address may name a template beyond the first page, or one a search leaves out.
  const named = useQuery(BatchTemplateQuery, { variables: { id: templateId ?? "" }, skip: !templateId });
  const listed = list.data?.batchTemplates.edges.map((edge) => edge.node) ?? [];
  const fromList = listed.find((template) => template.id === templateId) ?? null;
  const chosen = templateId ? (named.data?.batchTemplate ?? fromList) : null;
  const missing = Boolean(templateId) && !fromList && named.data?.batchTemplate === null;
  return {
    templateId,
    chosen,
    pending: Boolean(templateId) && !chosen && !missing,
    missing,
    options: chosen && !fromList ? [chosen, ...listed] : listed,
    search,
    setSearch,
    matchCount: list.data?.batchTemplates.totalCount ?? null,
    listError: list.error,
    chosenError: named.error,
    choose: (id) => updateParams((next) => setParam(next, TEMPLATE_PARAM, id), "push"),
  };
}

/**
 * The New batch form's template choice: a search over the caller's template names and a select of
 * the matches. A native select, so a keyboard, a screen reader and a phone each use it as they know.
 */
export function TemplatePicker({ choice }: { choice: TemplateChoice }) {
  const id = useId();
  const { chosen, pending, missing, options, search, matchCount } = choice;
  const searching = search.trim() !== "";
  if (matchCount === 0 && !searching && !choice.templateId) {
    return <p className="hint template-picker">No templates yet: save one from a batch's page (Save as template) to stage from it here.</p>;
  }
  return (
    <fieldset className="template-picker">
      <legend className="field-label">Template (optional)</legend>
      <div className="template-picker-row">
        <label className="field">
          <span className="field-label">Search templates</span>
          <input
            type="search"
            value={search}
            maxLength={200}
            placeholder="Name contains…"
            onChange={(event) => choice.setSearch(event.target.value)}
          />
        </label>
        <div className="field">
          <label htmlFor={`${id}-template`} className="field-label">
            Template
          </label>
          <select
            id={`${id}-template`}
            value={chosen?.id ?? (pending ? (choice.templateId ?? "") : "")}
            aria-describedby={`${id}-template-hint`}
            aria-invalid={missing || undefined}
            onChange={(event) => choice.choose(event.target.value || null)}
          >
            <option value="">No template: stage a file</option>
            {pending ? <option value={choice.templateId ?? ""}>Loading the template…</option> : null}
            {options.map((template) => (
              <option key={template.id} value={template.id}>
                {template.name} ({rowsLabel(template)})
              </option>
            ))}
          </select>
        </div>
      </div>
      {/* Polite: typing in the search changes how many match, which a screen reader user hears without leaving the box. */}
      <p id={`${id}-template-hint`} className="hint" aria-live="polite">
        {missing ? (
          <strong className="text-danger">
            The template in the address is not one of yours (it may have been deleted): choose another, or stage a file.
          </strong>
        ) : searching && matchCount !== null ? (
          matchCount === 0 ? (
            "No template has a name containing that."
          ) : (
            `${formatInteger(matchCount)} ${matchCount === 1 ? "template matches" : "templates match"}${matchCount > PAGE_SIZE ? `; the first ${PAGE_SIZE} are offered` : ""}.`
          )
        ) : chosen ? (
          `Its settings fill the name and priority; you may change both.`
        ) : (
          "A template fills the name and priority, and may hold the rows to stage."
        )}
      </p>
      <QueryError error={choice.listError ?? choice.chosenError} what="the templates" />
    </fieldset>
  );
}
