import type { TradeCountSeries } from "@fxbt/db";
import { type BatchView, runSeconds, tradesPerSecond } from "@fxbt/domain";
import type { GraphQLContext } from "./context";

const total = (series: TradeCountSeries, field: "succeeded" | "failed") => series.buckets.reduce((sum, bucket) => sum + bucket[field], 0);

/** Run figures (computed from the batch row by the domain, so events carry them too) and the run charts' series. */
export const runChartResolvers = {
  Query: {
    tradeVolume: (_: unknown, { hours }: { hours: number }, { queries }: GraphQLContext) => queries.tradeVolume(hours),
  },

  Batch: {
    runSeconds: (batch: BatchView) => runSeconds(batch),
    tradesPerSecond: (batch: BatchView) => tradesPerSecond(batch),
    throughputSeries: (batch: BatchView, { bucketSeconds }: { bucketSeconds?: number | null }, { queries }: GraphQLContext) =>
      queries.throughputSeries(batch, bucketSeconds ?? null),
  },

  TradeCountSeries: {
    succeeded: (series: TradeCountSeries) => total(series, "succeeded"),
    failed: (series: TradeCountSeries) => total(series, "failed"),
  },
};
