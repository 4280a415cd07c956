"use client";

import { useEffect, useId, useRef, useState } from "react";
import type uPlot from "uplot";
import type { TradeCountSeriesFieldsFragment } from "../../gql/graphql";
import { bucketStartLabel, seriesSummary, toPlotColumns } from "../../lib/trade-count-series";
import "uplot/dist/uPlot.min.css";

/*
 * Charts are drawn with uPlot rather than Recharts: about 50 kB minified with no dependencies
 * (Recharts brings D3 modules and Redux, several times that), and it redraws a live series with
 * setData in well under a millisecond. It draws on a canvas, which a screen reader cannot read, so
 * every chart carries its own text alternative: a caption with the totals and a visually hidden
 * table of the buckets that had trades. uPlot needs the DOM, so it is imported in an effect and
 * the server renders only the caption and the table (no SSR mismatch, and it stays out of the
 * pages' first bundle).
 */

const HEIGHT = 180;

/** A status colour of status.css, read from the page so the chart and the badges match. */
function cssColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Diagonal stripes in the failure colour: failures differ from successes by pattern too, not colour alone. */
function stripes(colour: string): CanvasPattern | string {
  const tile = document.createElement("canvas");
  tile.width = 8;
  tile.height = 8;
  const context = tile.getContext("2d");
  if (!context) return colour;
  context.fillStyle = colour;
  context.globalAlpha = 0.35;
  context.fillRect(0, 0, 8, 8);
  context.globalAlpha = 1;
  context.strokeStyle = colour;
  context.lineWidth = 2;
  context.beginPath();
  context.moveTo(0, 8);
  context.lineTo(8, 0);
  context.stroke();
  return context.createPattern(tile, "repeat") ?? colour;
}

/**
 * The time axis: from the first bucket's start to the end of the last bucket (a bar starts at its
 * bucket's start and is a bucket wide); null with no buckets. Taken from the data, not from the
 * range uPlot proposes: for a single point uPlot proposes a day's worth of its milliseconds
 * (86,400,000 s), which drew a one-second run over two and a half years.
 */
export function xRange(starts: ArrayLike<number>, bucketSeconds: number): [number, number] | null {
  if (starts.length === 0) return null;
  return [starts[0]!, starts[starts.length - 1]! + bucketSeconds];
}

function options(Plot: typeof uPlot, width: number, bucketSeconds: number): uPlot.Options {
  const success = cssColour("--success-fg", "#17633a");
  const danger = cssColour("--danger-fg", "#a3262b");
  const bars = Plot.paths.bars?.({ size: [0.9, 40], align: 1 });
  return {
    width,
    height: HEIGHT,
    // Every time on the axis and in the legend is UTC, as everywhere in the dashboard.
    tzDate: (ts) => Plot.tzDate(new Date(ts * 1_000), "Etc/UTC"),
    scales: {
      x: { time: true, range: (u, min, max) => xRange(u.data[0] ?? [], bucketSeconds) ?? [min, max] },
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [{}, { label: `Trades per ${bucketSeconds === 1 ? "second" : "bucket"}`, size: 56 }],
    cursor: { points: { show: false } },
    // The legend is the page's own (its keys show the bar styles in words); the figures are in the caption and table.
    legend: { show: false },
    series: [
      { label: "Bucket start (UTC)" },
      {
        label: "Failed",
        stroke: danger,
        fill: () => stripes(danger),
        paths: bars,
        points: { show: false },
      },
      { label: "Succeeded", stroke: success, fill: success, paths: bars, points: { show: false } },
    ],
  };
}

/**
 * A stacked bar chart of trades finished per bucket (succeeded below, failed above), redrawn in
 * place when `series` changes, with a caption and a hidden table as its text alternative.
 */
export function TradeCountChart({ title, series }: { title: string; series: TradeCountSeriesFieldsFragment }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  // The newest columns, applied on every render and once uPlot has loaded.
  const setData = useRef<(() => void) | null>(null);
  const captionId = useId();
  const summary = seriesSummary(title, series);
  const columns = toPlotColumns(series);
  setData.current = () => plot.current?.setData(columns);
  const bucketSeconds = series.bucketSeconds;

  useEffect(() => {
    let cancelled = false;
    let observer: ResizeObserver | null = null;
    void import("uplot").then(
      ({ default: Plot }) => {
        const element = holder.current;
        if (cancelled || !element) return;
        plot.current = new Plot(options(Plot, element.clientWidth || 600, bucketSeconds), [[], [], []], element);
        observer = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth || 600, height: HEIGHT }));
        observer.observe(element);
        setData.current?.();
      },
      () => {
        // uPlot could not load (e.g. a browser whose language tag Intl refuses): the caption and table still say it all.
        if (!cancelled) setUnavailable(true);
      },
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [bucketSeconds]);

  useEffect(() => {
    setData.current?.();
  });

  const busy = series.buckets.filter((bucket) => bucket.succeeded + bucket.failed > 0);
  return (
    <figure className="chart" aria-labelledby={captionId}>
      <figcaption id={captionId} className="chart-caption">
        {summary}
      </figcaption>
      <div className="chart-legend" aria-hidden="true">
        <span className="chart-key chart-key-success">Succeeded</span>
        <span className="chart-key chart-key-danger">Failed</span>
      </div>
      {unavailable ? <p className="chart-note">The chart cannot be drawn in this browser; its figures are in the caption above.</p> : null}
      <div ref={holder} className="chart-plot" aria-hidden="true" hidden={unavailable} />
      {/* Hidden by a wrapper: a table grows to fit its cells whatever its own width, so a hidden
          table's nowrap rows stuck out of a phone's screen and made the page scroll sideways. */}
      <div className="visually-hidden">
        <table>
          <caption>{title}, buckets that had trades (UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Bucket start (UTC)</th>
              <th scope="col">Succeeded</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {busy.map((bucket) => (
              <tr key={bucket.start}>
                <th scope="row">{bucketStartLabel(bucket.start)}</th>
                <td>{bucket.succeeded}</td>
                <td>{bucket.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
