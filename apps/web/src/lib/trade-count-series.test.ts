import { describe, expect, test } from "vitest";
import type { TradeCountSeriesFieldsFragment } from "../gql/graphql";
import { bucketWidthLabel, seriesSummary, toPlotColumns } from "./trade-count-series";

const series: TradeCountSeriesFieldsFragment = {
  __typename: "TradeCountSeries",
  bucketSeconds: 15,
  succeeded: 9,
  failed: 3,
  buckets: [
    { __typename: "TradeCountBucket", start: "2026-11-27T10:00:00.000Z", succeeded: 5, failed: 1 },
    { __typename: "TradeCountBucket", start: "2026-11-27T10:00:15.000Z", succeeded: 0, failed: 0 },
    { __typename: "TradeCountBucket", start: "2026-11-27T10:00:30.000Z", succeeded: 4, failed: 2 },
  ],
};

describe("trade count series", () => {
  test("plots each bucket's start in epoch seconds, the stacked top and the succeeded part", () => {
    const start = Date.parse("2026-11-27T10:00:00.000Z") / 1_000;
    expect(toPlotColumns(series)).toEqual([
      [start, start + 15, start + 30],
      [6, 0, 6],
      [5, 0, 4],
    ]);
  });

  test("the text alternative gives the totals, the bucket width, UTC and the busiest bucket", () => {
    expect(seriesSummary("Trades finished", series)).toBe(
      "Trades finished: 12 trades finished, 9 succeeded and 3 failed, in 15 s buckets (UTC); busiest bucket 6.",
    );
  });

  test("bucket widths read as round units", () => {
    expect([1, 15, 60, 300, 3_600, 7_200].map(bucketWidthLabel)).toEqual(["1 s", "15 s", "1 min", "5 min", "1 h", "2 h"]);
  });
});
