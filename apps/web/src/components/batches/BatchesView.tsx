"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useEffect, useMemo, useState } from "react";
import type { BatchesPageQuery as BatchesPageData, BatchesPageQueryVariables } from "../../gql/graphql";
import { BatchesPageQuery } from "../../graphql/batches";
import { dateInputToIso } from "../../lib/format";
import { canChangePageMembership } from "../../lib/list-membership";
import { textEditMode } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";
import { useDebouncedValue, useThrottledCallback } from "../../lib/use-throttled";
import { useBatchFeed } from "../live/BatchFeed";
import { LiveIndicator } from "../live/LiveIndicator";
import { useCan } from "../session/SessionProvider";
import { Pager, useCursorPager, useForgetBadCursor } from "../ui/Pager";
import { QueryError } from "../ui/QueryError";
import { StatusLegend } from "../ui/StatusLegend";
import { BatchFilters, type BatchFilterValues, DEFAULT_BATCH_FILTERS, readBatchFilters, writeBatchFilters } from "./BatchFilters";
import { BatchTable } from "./BatchTable";

export const BATCH_PAGE_SIZE = 20;
/** Membership refetches are folded to at most one a second, however many batches change. */
const REFETCH_INTERVAL_MS = 1_000;

interface Frozen {
  variablesKey: string;
  data: BatchesPageData;
}

export function BatchesView() {
  const [params, updateParams] = useUrlParams();
  const filters = useMemo(() => readBatchFilters(params), [params]);
  const search = useDebouncedValue(filters.search.trim(), 300);
  const pager = useCursorPager();
  const canStage = useCan("stage");
  const [paused, setPaused] = useState(false);
  const [frozen, setFrozen] = useState<Frozen | null>(null);

  const variables = useMemo<BatchesPageQueryVariables>(() => {
    const createdFrom = dateInputToIso(filters.createdFrom, "start");
    const createdTo = dateInputToIso(filters.createdTo, "end");
    return {
      first: BATCH_PAGE_SIZE,
      after: pager.after,
      filter: {
        ...(filters.statuses.length > 0 ? { status: filters.statuses } : {}),
        ...(createdFrom ? { createdFrom } : {}),
        ...(createdTo ? { createdTo } : {}),
        ...(search ? { search } : {}),
        ...(filters.archived ? { archived: true } : {}),
      },
      orderBy: { field: filters.orderField, direction: filters.direction },
    };
  }, [
    filters.statuses,
    filters.createdFrom,
    filters.createdTo,
    filters.orderField,
    filters.direction,
    filters.archived,
    search,
    pager.after,
  ]);
  const variablesKey = JSON.stringify(variables);

  const { data, previousData, loading, error, refetch } = useQuery(BatchesPageQuery, {
    variables,
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });
  const live = data ?? previousData;
  useForgetBadCursor(error, pager);

  // While paused the table shows a copy taken when it was paused (or when the reader last
  // changed page or filter): cache writes and refetches then cannot reach it.
  useEffect(() => {
    if (paused && data && !loading && frozen?.variablesKey !== variablesKey) setFrozen({ variablesKey, data });
  }, [paused, data, loading, frozen?.variablesKey, variablesKey]);
  const shown = paused && frozen?.variablesKey === variablesKey ? frozen.data : live;

  const refetchThrottled = useThrottledCallback(() => {
    void refetch().catch(() => undefined);
  }, REFETCH_INTERVAL_MS);

  const shownIds = useMemo(() => new Set(live?.batches.edges.map((edge) => edge.node.id) ?? []), [live]);
  useBatchFeed((event) => {
    if (paused) return;
    const change = { kind: event.kind, batchId: event.batch.id, status: event.batch.status, previousStatus: event.previousStatus };
    if (canChangePageMembership(change, { batchIds: shownIds, statusFilter: filters.statuses, orderField: filters.orderField }))
      refetchThrottled();
  });

  function changeFilters(next: BatchFilterValues) {
    updateParams((draft) => writeBatchFilters(draft, next), textEditMode(filters.search, next.search));
  }

  function togglePause(next: boolean) {
    setPaused(next);
    if (next && data) setFrozen({ variablesKey, data });
    if (!next) {
      setFrozen(null);
      void refetch().catch(() => undefined);
    }
  }

  const connection = shown?.batches;
  const batches = connection?.edges.map((edge) => edge.node) ?? [];
  const filtered =
    JSON.stringify({ ...filters, orderField: "", direction: "" }) !==
    JSON.stringify({ ...DEFAULT_BATCH_FILTERS, orderField: "", direction: "" });

  return (
    <>
      <BatchFilters values={filters} onChange={changeFilters} />
      <div className="toolbar">
        <LiveIndicator paused={paused} />
        <label className="switch" title="Freeze the table so rows stop moving while you read; turning it off catches up at once.">
          <input type="checkbox" checked={paused} onChange={(event) => togglePause(event.target.checked)} />
          <span>Pause live updates</span>
        </label>
        <StatusLegend kind="batch" />
      </div>
      {paused ? (
        <p className="notice" role="status">
          Live updates are paused: the table below does not change until you turn them back on.
        </p>
      ) : null}
      <QueryError error={error} what="the batches" />
      {!connection && loading ? <p className="loading">Loading batches…</p> : null}
      {connection && batches.length === 0 ? (
        <p className="empty">
          {filtered ? (
            "No batches match these filters."
          ) : !canStage ? (
            "No batches yet."
          ) : (
            <>
              No batches yet. <Link href="/batches/new">Stage one from a CSV file</Link>, or{" "}
              <Link href="/trades/new">enter a trade by hand</Link>.
            </>
          )}
        </p>
      ) : null}
      {batches.length > 0 ? <BatchTable batches={batches} caption="Batches, with their status and progress" /> : null}
      {connection ? <Pager label="Batch pages" pageSize={BATCH_PAGE_SIZE} connection={connection} pager={pager} /> : null}
    </>
  );
}
