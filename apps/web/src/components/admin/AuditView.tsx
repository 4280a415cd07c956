"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useMemo } from "react";
import type { AuditLogQueryVariables } from "../../gql/graphql";
import { AuditLogQuery } from "../../graphql/admin";
import { dateInputToIso } from "../../lib/format";
import { textEditMode } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";
import { useDebouncedValue } from "../../lib/use-throttled";
import { DateTime } from "../ui/DateTime";
import { Pager, useCursorPager, useForgetBadCursor } from "../ui/Pager";
import { QueryError } from "../ui/QueryError";
import {
  AUDIT_ACTION_LABELS,
  AUDIT_OUTCOME_LABELS,
  AuditFilters,
  type AuditFilterValues,
  readAuditFilters,
  writeAuditFilters,
} from "./AuditFilters";

export const AUDIT_PAGE_SIZE = 50;

const KIND_WORDS = { USER: "person", API_KEY: "API key" } as const;

/** The audit log: who did what, when, from where, to which batch; filtered on the API, newest first, in pages. */
export function AuditView() {
  const [params, updateParams] = useUrlParams();
  const filters = useMemo(() => readAuditFilters(params), [params]);
  const actor = useDebouncedValue(filters.actor.trim(), 300);
  const batchId = useDebouncedValue(filters.batchId.trim(), 300);
  const pager = useCursorPager();

  const variables = useMemo<AuditLogQueryVariables>(() => {
    const from = dateInputToIso(filters.from, "start");
    const to = dateInputToIso(filters.to, "end");
    return {
      first: AUDIT_PAGE_SIZE,
      after: pager.after,
      filter: {
        ...(filters.action ? { action: [filters.action] } : {}),
        ...(actor ? { actor } : {}),
        ...(filters.outcome ? { outcome: filters.outcome } : {}),
        ...(batchId ? { batchId } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
      },
    };
  }, [filters.action, filters.outcome, filters.from, filters.to, actor, batchId, pager.after]);

  const { data, previousData, loading, error } = useQuery(AuditLogQuery, { variables, fetchPolicy: "cache-and-network" });
  const connection = (data ?? previousData)?.auditLog;
  const events = connection?.edges.map((edge) => edge.node) ?? [];
  useForgetBadCursor(error, pager);

  function changeFilters(next: AuditFilterValues) {
    // Two text fields: typing in either edits the step its first key made.
    const mode =
      textEditMode(filters.actor, next.actor) === "replace" || textEditMode(filters.batchId, next.batchId) === "replace"
        ? "replace"
        : "push";
    updateParams((draft) => writeAuditFilters(draft, next), mode);
  }

  return (
    <>
      <AuditFilters values={filters} onChange={changeFilters} />
      <QueryError error={error} what="the audit log" />
      {!connection && loading ? <p className="loading">Loading the audit log…</p> : null}
      {connection && events.length === 0 ? <p className="empty">No audited events match these filters.</p> : null}
      {events.length > 0 ? (
        <section className="table-scroll" aria-label="Audit log table">
          <table className="data-table">
            <caption className="visually-hidden">Audited events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Batch</th>
                <th scope="col">Subject</th>
                <th scope="col">Address</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td className="nowrap">
                    <DateTime value={event.at} stacked />
                  </td>
                  <td className="cell-detail">
                    {event.actor}
                    <span className="cell-secondary">{event.actorKind ? KIND_WORDS[event.actorKind] : "not signed in"}</span>
                  </td>
                  <td>{AUDIT_ACTION_LABELS[event.action]}</td>
                  <td>
                    <span className={`status-badge ${event.outcome === "SUCCEEDED" ? "tone-success" : "tone-danger"}`}>
                      <span className="status-dot" aria-hidden="true" />
                      {AUDIT_OUTCOME_LABELS[event.outcome]}
                    </span>
                  </td>
                  <td className="mono small">
                    {event.batchId ? (
                      <Link href={`/batches/${event.batchId}`} title={event.batchId}>
                        {event.batchId.slice(0, 8)}…
                      </Link>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="cell-detail">{event.subject ?? <span className="muted">—</span>}</td>
                  <td className="mono small">{event.address ?? <span className="muted">—</span>}</td>
                  <td className="cell-detail">{event.detail ?? <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {connection ? <Pager label="Audit log pages" pageSize={AUDIT_PAGE_SIZE} connection={connection} pager={pager} /> : null}
    </>
  );
}
