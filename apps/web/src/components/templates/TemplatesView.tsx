"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation, useQuery } from "@apollo/client/react";
import { templateNameProblem } from "@fxbt/domain/template-names";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import type { TemplateFieldsFragment } from "../../gql/graphql";
import { BatchTemplatesQuery, DeleteBatchTemplateMutation, RenameBatchTemplateMutation } from "../../graphql/templates";
import { formatInteger } from "../../lib/format";
import { useCan } from "../session/SessionProvider";
import { newBatchFromTemplate } from "../stage/TemplatePicker";
import { useToast } from "../toasts/ToastProvider";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { DateTime } from "../ui/DateTime";
import { describeError, QueryError } from "../ui/QueryError";
import { sentence } from "./SaveTemplateDialog";

const PAGE_SIZE = 50;

/** One template's name, renamed in place: Enter or Save sends it, Escape or Cancel keeps the old one. */
function RenameForm({ template, onDone }: { template: TemplateFieldsFragment; onDone: () => void }) {
  const [name, setName] = useState(template.name);
  const [problem, setProblem] = useState<string | null>(null);
  const [rename, { loading }] = useMutation(RenameBatchTemplateMutation, { refetchQueries: [BatchTemplatesQuery] });
  const hintId = `rename-${template.id}-hint`;
  const input = useRef<HTMLInputElement>(null);
  // The field the person just asked to edit takes the focus, its text selected to type over.
  useEffect(() => input.current?.select(), []);

  async function submit() {
    const local = templateNameProblem(name);
    if (local) return setProblem(local);
    if (name.trim() === template.name) return onDone();
    try {
      await rename({ variables: { id: template.id, name: name.trim() } });
      onDone();
    } catch (error) {
      setProblem(describeError(error as ErrorLike).message);
    }
  }

  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") onDone();
      }}
    >
      <label className="visually-hidden" htmlFor={`rename-${template.id}`}>
        New name for {template.name}
      </label>
      <input
        id={`rename-${template.id}`}
        type="text"
        value={name}
        maxLength={100}
        ref={input}
        aria-invalid={problem ? true : undefined}
        aria-describedby={hintId}
        onChange={(event) => {
          setName(event.target.value);
          setProblem(null);
        }}
      />
      <button type="submit" className="button button-small button-primary" disabled={loading}>
        Save
      </button>
      <button type="button" className="button button-small" onClick={onDone}>
        Cancel
      </button>
      <p id={hintId} className="hint">
        {problem ? <strong className="text-danger">{sentence(problem)}</strong> : null}
      </p>
    </form>
  );
}

/** The caller's batch templates: rename in place, delete after a confirmation, stage a batch from one on the New batch page. */
export function TemplatesView() {
  const showToast = useToast();
  const mayWrite = useCan("manageTemplates");
  const mayStage = useCan("stage");
  const [search, setSearch] = useState("");
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1) ?? null;
  const { data, loading, error } = useQuery(BatchTemplatesQuery, {
    variables: { first: PAGE_SIZE, after, search: search.trim() || null },
    fetchPolicy: "cache-and-network",
  });
  const [deleteTemplate, removal] = useMutation(DeleteBatchTemplateMutation, { refetchQueries: [BatchTemplatesQuery] });
  const [renaming, setRenaming] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<TemplateFieldsFragment | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const connection = data?.batchTemplates;
  const templates = connection?.edges.map((edge) => edge.node) ?? [];

  async function remove(template: TemplateFieldsFragment) {
    setFailure(null);
    try {
      await deleteTemplate({ variables: { id: template.id } });
      showToast(`Template “${template.name}” deleted`, "info");
    } catch (caught) {
      setFailure(`${template.name}: ${describeError(caught as ErrorLike).message}`);
    } finally {
      setDeleting(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="templates-title">
      <h2 id="templates-title">Templates</h2>
      <label className="field">
        <span className="field-label">Search names</span>
        <input
          type="search"
          value={search}
          onChange={(event) => {
            setSearch(event.target.value);
            setCursors([]);
          }}
        />
      </label>
      <QueryError error={error} what="the templates" />
      {failure ? (
        <div className="alert alert-danger" role="alert">
          {failure}
        </div>
      ) : null}
      {loading && !connection ? <p className="loading">Loading templates…</p> : null}
      {connection && templates.length === 0 ? (
        <p className="muted">
          {search.trim() ? "No template has a name containing that." : "No templates yet: open a batch and choose “Save as template”."}
        </p>
      ) : null}
      {templates.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table" aria-label="Batch templates">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Trades</th>
                <th scope="col">Priority</th>
                <th scope="col">Name pattern</th>
                <th scope="col">Created</th>
                <th scope="col">Staged</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {templates.map((template) => (
                <tr key={template.id}>
                  <td>
                    {renaming === template.id ? (
                      <RenameForm template={template} onDone={() => setRenaming(null)} />
                    ) : (
                      <strong>{template.name}</strong>
                    )}
                    {template.sourceBatchUid ? <div className="cell-note">from {template.sourceBatchUid}</div> : null}
                  </td>
                  <td>{template.hasRows ? formatInteger(template.rowCount) : <span className="muted">None: stages a file</span>}</td>
                  <td>{template.priority}</td>
                  <td>{template.namePattern ? <code>{template.namePattern}</code> : <span className="muted">Its name</span>}</td>
                  <td>
                    <DateTime value={template.createdAt} />
                    <div className="cell-note">by {template.createdBy ?? "unknown"}</div>
                  </td>
                  <td>
                    {formatInteger(template.stagedCount)}
                    {template.lastStagedAt ? (
                      <div className="cell-note">
                        last <DateTime value={template.lastStagedAt} />
                      </div>
                    ) : null}
                  </td>
                  <td className="row-actions">
                    {mayStage ? (
                      <Link href={newBatchFromTemplate(template.id)} className="button button-small button-primary">
                        Stage batch<span className="visually-hidden"> from {template.name}</span>
                      </Link>
                    ) : null}
                    {mayWrite ? (
                      <>
                        <button type="button" className="button button-small" onClick={() => setRenaming(template.id)}>
                          Rename<span className="visually-hidden"> {template.name}</span>
                        </button>
                        <button type="button" className="button button-small button-danger-outline" onClick={() => setDeleting(template)}>
                          Delete<span className="visually-hidden"> {template.name}</span>
                        </button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {connection && (cursors.length > 0 || connection.pageInfo.hasNextPage) ? (
        <nav className="pager" aria-label="Template pages">
          <button
            type="button"
            className="button button-small"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Previous page
          </button>
          <span className="muted">{formatInteger(connection.totalCount)} templates</span>
          <button
            type="button"
            className="button button-small"
            disabled={!connection.pageInfo.hasNextPage}
            onClick={() => connection.pageInfo.endCursor && setCursors([...cursors, connection.pageInfo.endCursor])}
          >
            Next page
          </button>
        </nav>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete the template “${deleting.name}”?`}
          confirmLabel="Delete template"
          busy={removal.loading}
          onConfirm={() => void remove(deleting)}
          onCancel={() => setDeleting(null)}
        >
          <p>The template goes for good; batches staged from it stay as they are.</p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
