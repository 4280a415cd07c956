// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeAll, expect, test, vi } from "vitest";
import type { TradeCountSeriesFieldsFragment } from "../../gql/graphql";
import { TradeCountChart, xRange } from "./TradeCountChart";

/** uPlot draws on a canvas jsdom does not have: a stand-in records what the chart gives it. */
const drawn = vi.hoisted(() => ({ created: 0, data: [] as unknown[], options: null as null | { tzDate?: (ts: number) => Date } }));
vi.mock("uplot", () => {
  class FakePlot {
    static paths = { bars: () => () => null };
    static tzDate = (date: Date) => date;
    constructor(options: never, data: unknown) {
      drawn.created += 1;
      drawn.options = options;
      drawn.data.push(data);
    }
    setData(data: unknown) {
      drawn.data.push(data);
    }
    setSize() {}
    destroy() {}
  }
  return { default: FakePlot };
});

beforeAll(() => {
  globalThis.ResizeObserver ??= class {
    observe() {}
    disconnect() {}
    unobserve() {}
  } as unknown as typeof ResizeObserver;
});
afterEach(cleanup);

const bucket = (start: string, succeeded: number, failed: number) => ({
  __typename: "TradeCountBucket" as const,
  start,
  succeeded,
  failed,
});
const series = (buckets: ReturnType<typeof bucket>[]): TradeCountSeriesFieldsFragment => ({
  __typename: "TradeCountSeries",
  bucketSeconds: 1,
  succeeded: buckets.reduce((sum, b) => sum + b.succeeded, 0),
  failed: buckets.reduce((sum, b) => sum + b.failed, 0),
  buckets,
});

test("the chart has a caption with its totals and a hidden table of the buckets that had trades, and redraws in place", async () => {
  const first = series([bucket("2026-11-27T10:00:00.000Z", 2, 1), bucket("2026-11-27T10:00:01.000Z", 0, 0)]);
  const { rerender } = render(<TradeCountChart title="Trades finished" series={first} />);
  const figure = screen.getByRole("figure", {
    name: /Trades finished: 3 trades finished, 2 succeeded and 1 failed, in 1 s buckets \(UTC\)/,
  });
  const table = within(figure).getByRole("table", { hidden: true });
  expect(within(table).getAllByRole("row", { hidden: true })).toHaveLength(2);
  expect(within(table).getByRole("rowheader", { hidden: true }).textContent).toMatch(/UTC$/);
  await waitFor(() => expect(drawn.created).toBe(1));
  const start = Date.parse("2026-11-27T10:00:00.000Z") / 1_000;
  await waitFor(() =>
    expect(drawn.data.at(-1)).toEqual([
      [start, start + 1],
      [3, 0],
      [2, 0],
    ]),
  );

  rerender(
    <TradeCountChart
      title="Trades finished"
      series={series([bucket("2026-11-27T10:00:00.000Z", 2, 1), bucket("2026-11-27T10:00:01.000Z", 4, 0)])}
    />,
  );
  expect(screen.getByRole("figure").textContent).toContain("7 trades finished, 6 succeeded and 1 failed");
  expect(drawn.data.at(-1)).toEqual([
    [start, start + 1],
    [3, 4],
    [2, 4],
  ]);
  // Live data goes through setData: the plot is not built again.
  expect(drawn.created).toBe(1);
  // Axis and legend times are UTC.
  expect(drawn.options?.tzDate).toBeTypeOf("function");
});

test("the time axis runs from the first bucket's start to the end of the last, one bucket or many", () => {
  const start = Date.parse("2026-11-27T23:07:06Z") / 1_000;
  expect(xRange([start], 1)).toEqual([start, start + 1]);
  expect(xRange([start, start + 60, start + 120], 60)).toEqual([start, start + 180]);
  expect(xRange([], 60)).toBeNull();
});
