"use client";

import { useQuery } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchThroughputQuery } from "../../graphql/charts";
import { bucketWidthLabel } from "../../lib/trade-count-series";
import { useThrottledCallback } from "../../lib/use-throttled";
import { TradeCountChart } from "../charts/TradeCountChart";
import { QueryError } from "../ui/QueryError";

/**
 * While the batch runs the chart asks the server again, at most once a second, whenever the
 * batch's live progress (batchProgress, already on this page) says the bank answered more trades.
 * Re-querying rather than adding trade events into buckets here: the server's buckets are exact
 * (a trade event replayed after a reconnection, or one missed while the socket was down, cannot
 * skew them), and the cost is bounded: one indexed read of at most 300 buckets a second per
 * viewer, and none once the batch is final.
 */
const REFRESH_INTERVAL_MS = 1_000;

/** The batch page's chart of trades finished (booked, refused) per bucket over the batch's runs. */
export function ThroughputChart({ batch }: { batch: Pick<BatchFieldsFragment, "id" | "answeredTrades" | "status"> }) {
  const { data, error, refetch } = useQuery(BatchThroughputQuery, {
    variables: { id: batch.id },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });
  const refetchThrottled = useThrottledCallback(() => {
    void refetch().catch(() => undefined);
  }, REFRESH_INTERVAL_MS);

  const answered = batch.answeredTrades;
  const seen = useRef(answered);
  useEffect(() => {
    if (seen.current === answered) return;
    seen.current = answered;
    refetchThrottled();
  }, [answered, refetchThrottled]);

  const series = data?.batch?.throughputSeries ?? null;
  return (
    <section className="panel chart-panel" aria-label="Throughput chart">
      <h2>Trades finished {series ? `per ${bucketWidthLabel(series.bucketSeconds)}` : "over the run"}</h2>
      <QueryError error={error} what="the throughput chart" />
      {series && series.buckets.length > 0 ? (
        <TradeCountChart title="Trades finished over the batch's runs" series={series} />
      ) : (
        <p className="chart-note">{series ? "No trade has finished yet: the chart fills in as the bank answers." : "Loading…"}</p>
      )}
    </section>
  );
}
