"use client";

import { useQuery } from "@apollo/client/react";
import { TRADE_HISTORY_COUNT_LIMIT } from "@fxbt/domain/limits";
import { useMemo } from "react";
import type { TradeStatus } from "../../gql/graphql";
import { TradeHistoryQuery } from "../../graphql/trades";
import { TRADE_STATUSES } from "../../lib/batch-status";
import { readChoice, readText, setParam, textEditMode, toFirstPage } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";
import { useDebouncedValue, useThrottledCallback } from "../../lib/use-throttled";
import { useBatchFeed } from "../live/BatchFeed";
import { LiveIndicator } from "../live/LiveIndicator";
import { Pager, useCursorPager, useForgetBadCursor } from "../ui/Pager";
import { QueryError } from "../ui/QueryError";
import { StatusLegend } from "../ui/StatusLegend";
import { TradeStatusSelect } from "./TradeStatusSelect";
import { TradeTable } from "./TradeTable";

const PAGE_SIZE = 50;
/** There is no cross-batch trade feed: a batch's counters moving means its trades moved, so the page is read again, at most this often. */
const REFETCH_INTERVAL_MS = 2_000;

/** The trade history's filters, as its query parameters `status`, `q` and `archived` hold them. */
export interface TradeHistoryFilters {
  status: TradeStatus | null;
  search: string;
  /** The trades of archived batches instead of the others. */
  archived: boolean;
}

/** Reads `?status=&q=&archived=1`; an unknown status is no status, anything but `archived=1` the hot trades. */
export function readTradeHistoryFilters(params: URLSearchParams): TradeHistoryFilters {
  return {
    status: readChoice(params, "status", TRADE_STATUSES),
    search: readText(params, "q"),
    archived: readChoice(params, "archived", ["1"]) === "1",
  };
}

/** Writes the filters (empty ones left out) and goes back to the first page. */
export function writeTradeHistoryFilters(params: URLSearchParams, filters: TradeHistoryFilters): void {
  setParam(params, "status", filters.status);
  setParam(params, "q", filters.search);
  setParam(params, "archived", filters.archived ? "1" : "");
  toFirstPage(params);
}

export function TradeHistoryView() {
  const [params, updateParams] = useUrlParams();
  const filters = useMemo(() => readTradeHistoryFilters(params), [params]);
  const { status, search: searchInput, archived } = filters;
  const changeFilters = (next: TradeHistoryFilters) =>
    updateParams((draft) => writeTradeHistoryFilters(draft, next), textEditMode(filters.search, next.search));
  const search = useDebouncedValue(searchInput.trim(), 300);
  const pager = useCursorPager();
  const { data, previousData, loading, error, refetch } = useQuery(TradeHistoryQuery, {
    variables: {
      first: PAGE_SIZE,
      after: pager.after,
      filter: { ...(status ? { status: [status] } : {}), ...(search ? { search } : {}), ...(archived ? { archived: true } : {}) },
    },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });

  useForgetBadCursor(error, pager);

  const refetchThrottled = useThrottledCallback(() => {
    void refetch().catch(() => undefined);
  }, REFETCH_INTERVAL_MS);
  useBatchFeed(() => refetchThrottled());

  const connection = (data ?? previousData)?.trades;
  const trades = connection?.edges.map((edge) => edge.node) ?? [];

  return (
    <>
      <search aria-label="Filter trades">
        <form className="filters" onSubmit={(event) => event.preventDefault()}>
          <div className="filter-grid">
            <label className="field field-wide">
              <span className="field-label">Search</span>
              <input
                type="search"
                value={searchInput}
                placeholder="Client, account, reference, quote or transaction id"
                onChange={(event) => changeFilters({ ...filters, search: event.target.value })}
              />
            </label>
            <TradeStatusSelect value={status} onChange={(next) => changeFilters({ ...filters, status: next })} />
            <label className="checkbox field-action" title="The trades of archived batches: read-only, searched more slowly">
              <input
                type="checkbox"
                checked={archived}
                onChange={(event) => changeFilters({ ...filters, archived: event.target.checked })}
              />
              Archived
            </label>
          </div>
        </form>
      </search>
      <div className="toolbar">
        <LiveIndicator />
        <StatusLegend kind="trade" />
      </div>
      <QueryError error={error} what="the trades" />
      {!connection && loading ? <p className="loading">Loading trades…</p> : null}
      {connection && trades.length === 0 ? <p className="empty">No trades match.</p> : null}
      {trades.length > 0 ? <TradeTable trades={trades} caption="Trades across all batches, newest first" showBatch /> : null}
      {connection ? (
        <Pager label="Trade pages" pageSize={PAGE_SIZE} connection={connection} pager={pager} countLimit={TRADE_HISTORY_COUNT_LIMIT} />
      ) : null}
    </>
  );
}
