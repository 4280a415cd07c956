"use client";

import { useQuery } from "@apollo/client/react";
import { TRADE_HISTORY_COUNT_LIMIT } from "@fxbt/domain/limits";
import { useState } from "react";
import type { TradeStatus } from "../../gql/graphql";
import { TradeHistoryQuery } from "../../graphql/trades";
import { useDebouncedValue, useThrottledCallback } from "../../lib/use-throttled";
import { useBatchFeed } from "../live/BatchFeed";
import { LiveIndicator } from "../live/LiveIndicator";
import { Pager, useCursorPager } from "../ui/Pager";
import { QueryError } from "../ui/QueryError";
import { StatusLegend } from "../ui/StatusLegend";
import { TradeStatusSelect } from "./TradeStatusSelect";
import { TradeTable } from "./TradeTable";

const PAGE_SIZE = 50;
/** There is no cross-batch trade feed: a batch's counters moving means its trades moved, so the page is read again, at most this often. */
const REFETCH_INTERVAL_MS = 2_000;

export function TradeHistoryView() {
  const [status, setStatus] = useState<TradeStatus | null>(null);
  const [searchInput, setSearchInput] = useState("");
  const search = useDebouncedValue(searchInput.trim(), 300);
  const pager = useCursorPager();
  const { data, previousData, loading, error, refetch } = useQuery(TradeHistoryQuery, {
    variables: {
      first: PAGE_SIZE,
      after: pager.after,
      filter: { ...(status ? { status: [status] } : {}), ...(search ? { search } : {}) },
    },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });

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
                onChange={(event) => {
                  setSearchInput(event.target.value);
                  pager.reset();
                }}
              />
            </label>
            <TradeStatusSelect
              value={status}
              onChange={(next) => {
                setStatus(next);
                pager.reset();
              }}
            />
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
