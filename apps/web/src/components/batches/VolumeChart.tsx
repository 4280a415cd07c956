"use client";

import { useQuery } from "@apollo/client/react";
import { TradeVolumeQuery } from "../../graphql/charts";
import { useThrottledCallback } from "../../lib/use-throttled";
import { TradeCountChart } from "../charts/TradeCountChart";
import { useBatchFeed } from "../live/BatchFeed";
import { QueryError } from "../ui/QueryError";

const HOURS = 24;
/**
 * The live list's batch events say trades are finishing somewhere: the volume is asked for again at
 * most every 5 s (one indexed read of the window's attempts, 24 buckets), and every minute anyway
 * so the window slides into a new hour with no event.
 */
const REFRESH_INTERVAL_MS = 5_000;
const SLIDE_INTERVAL_MS = 60_000;

/** The batches page's chart: trades finished per UTC hour over the last 24 hours (the caller's batches only). */
export function VolumeChart() {
  const { data, error, refetch } = useQuery(TradeVolumeQuery, {
    variables: { hours: HOURS },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
    pollInterval: SLIDE_INTERVAL_MS,
  });
  const refetchThrottled = useThrottledCallback(() => {
    void refetch().catch(() => undefined);
  }, REFRESH_INTERVAL_MS);
  useBatchFeed((event) => {
    if (event.kind === "CHANGED" && event.batch.status !== "PENDING") refetchThrottled();
  });

  const series = data?.tradeVolume ?? null;
  return (
    <section className="panel chart-panel" aria-label="Trade volume chart">
      <h2>Trades finished per hour, last {HOURS} hours (UTC)</h2>
      <QueryError error={error} what="the trade volume" />
      {series ? (
        <TradeCountChart title={`Trades finished in the last ${HOURS} hours`} series={series} />
      ) : (
        <p className="chart-note">Loading…</p>
      )}
    </section>
  );
}
