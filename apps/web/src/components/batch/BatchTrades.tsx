"use client";

import { useQuery } from "@apollo/client/react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchTradesQuery } from "../../graphql/batch";
import { offeredBatchActions } from "../../lib/batch-actions";
import { TRADE_STATUSES } from "../../lib/batch-status";
import { readChoice, setParam, toFirstPage } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";
import { useFocusTarget } from "../../lib/use-focus-target";
import { useViewer } from "../session/SessionProvider";
import { TradeStatusSelect } from "../trades/TradeStatusSelect";
import { TradeTable } from "../trades/TradeTable";
import { Pager, useCursorPager, useForgetBadCursor } from "../ui/Pager";
import { QueryError } from "../ui/QueryError";
import { StatusLegend } from "../ui/StatusLegend";
import { useErrorCodeFilter } from "./error-code-filter";
import { RetrySelectedBar, useRetrySelection } from "./RetrySelected";

export const TRADE_PAGE_SIZE = 50;

/**
 * One page of the batch's trades (never all of them: a batch can hold 100,000). The rows
 * change status live because tradeStatusChanged events are written into the Trade entries
 * this page holds (see BatchDetailView). When the viewer may retry the batch's failures, its
 * failed rows can be picked, across pages, and retried alone (RetrySelectedBar).
 */
export function BatchTrades({ batch }: { batch: BatchFieldsFragment }) {
  const batchId = batch.id;
  const viewer = useViewer();
  const mayRetry = offeredBatchActions(batch, viewer).some((offer) => offer.action === "retry" && offer.refusal === null);
  const selection = useRetrySelection(batch.completedAt);
  // After a retry of selected trades its bar goes (the batch is queued again): focus moves to this section's heading.
  const heading = useFocusTarget<HTMLHeadingElement>();
  // Kept in the address (`?status=&error=&after=`) with the page, so a reload shows the same trades.
  const [params, updateParams] = useUrlParams();
  const status = readChoice(params, "status", TRADE_STATUSES);
  // Chosen from a row of the results' failures by error code.
  const [errorCode, setErrorCode] = useErrorCodeFilter(batchId);
  const pager = useCursorPager();
  const { data, previousData, loading, error } = useQuery(BatchTradesQuery, {
    variables: { id: batchId, first: TRADE_PAGE_SIZE, after: pager.after, status, errorCode },
    // Back on a page seen before: show it at once and read it again, its trades may have moved on.
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });
  useForgetBadCursor(error, pager);
  const connection = (data ?? previousData)?.batch?.trades;
  const trades = connection?.edges.map((edge) => edge.node) ?? [];

  return (
    <section className="panel" aria-labelledby="trades-title">
      <div className="panel-header">
        <h2 id="trades-title" ref={heading.ref} tabIndex={-1}>
          Trades
        </h2>
        <div className="panel-tools">
          <TradeStatusSelect
            value={status}
            onChange={(next) =>
              updateParams((draft) => {
                setParam(draft, "status", next);
                toFirstPage(draft);
              }, "push")
            }
          />
        </div>
      </div>
      {errorCode ? (
        <p className="hint">
          Showing the failed trades with error code <code>{errorCode}</code>.{" "}
          <button type="button" className="button button-small" onClick={() => setErrorCode(null)}>
            Show all trades
          </button>
        </p>
      ) : null}
      <StatusLegend kind="trade" />
      <QueryError error={error} what="the trades" />
      {!connection && loading ? <p className="loading">Loading trades…</p> : null}
      {connection && trades.length === 0 ? (
        <p className="empty">
          {errorCode
            ? `No failed trades with error code ${errorCode}${status ? " and this status" : ""}.`
            : status
              ? "No trades with this status."
              : "This batch has no trades."}
        </p>
      ) : null}
      {mayRetry ? <RetrySelectedBar batch={batch} selection={selection} onRetried={heading.focusSoon} /> : null}
      {trades.length > 0 ? <TradeTable trades={trades} caption="Trades of this batch" selection={mayRetry ? selection : null} /> : null}
      {connection ? <Pager label="Trade pages" pageSize={TRADE_PAGE_SIZE} connection={connection} pager={pager} /> : null}
    </section>
  );
}
