import type { TradeCountSeriesFieldsFragment } from "../gql/graphql";
import { formatDateAndTime, formatDuration, formatInteger } from "./format";

/** "1 s", "15 s", "5 min", "1 h": how wide a bucket is, for captions. */
export function bucketWidthLabel(seconds: number): string {
  return formatDuration(seconds)
    .replace(/ 0 s$/, "")
    .replace(/ 0 min$/, "");
}

/**
 * The columns uPlot draws: x in seconds since the epoch (each bucket's start), the stacked
 * top (succeeded + failed, drawn in the failure style) and the succeeded part drawn over it,
 * so each bar shows successes at the bottom and failures above them.
 */
export function toPlotColumns(series: TradeCountSeriesFieldsFragment): [number[], number[], number[]] {
  const xs: number[] = [];
  const tops: number[] = [];
  const succeeded: number[] = [];
  for (const bucket of series.buckets) {
    xs.push(Date.parse(bucket.start) / 1_000);
    tops.push(bucket.succeeded + bucket.failed);
    succeeded.push(bucket.succeeded);
  }
  return [xs, tops, succeeded];
}

/** The chart's text alternative: what it plots, its totals, the bucket width and that times are UTC. */
export function seriesSummary(what: string, series: TradeCountSeriesFieldsFragment): string {
  const total = series.succeeded + series.failed;
  const busiest = series.buckets.reduce((most, bucket) => Math.max(most, bucket.succeeded + bucket.failed), 0);
  return (
    `${what}: ${formatInteger(total)} trades finished, ${formatInteger(series.succeeded)} succeeded and ` +
    `${formatInteger(series.failed)} failed, in ${bucketWidthLabel(series.bucketSeconds)} buckets (UTC); ` +
    `busiest bucket ${formatInteger(busiest)}.`
  );
}

/** A bucket's start as the hidden table reads it, in UTC. */
export function bucketStartLabel(iso: string): string {
  const parts = formatDateAndTime(iso);
  return parts ? `${parts.date} ${parts.time}` : iso;
}
