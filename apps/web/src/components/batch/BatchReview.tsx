"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import type { BatchPreviewQuery as BatchPreviewData, PreviewWarningCode } from "../../gql/graphql";
import { BatchPreviewQuery } from "../../graphql/batch";
import { formatDecimal, formatInteger } from "../../lib/format";
import { QueryError } from "../ui/QueryError";

/** Batch.preview as the page reads it. */
export type BatchPreview = NonNullable<BatchPreviewData["batch"]>["preview"];

/** Short titles of the warning codes, for people. */
export const WARNING_TITLES: Record<PreviewWarningCode, string> = {
  POSSIBLE_DUPLICATE: "Possible duplicate",
  NON_BUSINESS_DAY: "Value date not a business day",
  LARGE_TRADE: "Large trade",
  FAR_VALUE_DATE: "Value date over a year out",
  NO_HOLIDAY_CALENDAR: "No holiday calendar",
};

/** The batch's preview, read once and kept in the cache (a staged batch's trades do not change). */
export function useBatchPreview(id: string, fetchPolicy: "cache-first" | "network-only" = "cache-first") {
  const { data, loading, error } = useQuery(BatchPreviewQuery, { variables: { id }, fetchPolicy });
  return { preview: data?.batch?.preview ?? null, loading, error };
}

/** The warnings of a preview, each with its code, message and the earlier batches it names. */
export function PreviewWarnings({ warnings }: { warnings: BatchPreview["warnings"] }) {
  if (warnings.length === 0) {
    return <p className="hint">No warnings: every value date is a business day for its pair, and no trade is large or far out.</p>;
  }
  return (
    <ul className="review-warnings" aria-label="Warnings">
      {warnings.map((warning) => (
        <li key={`${warning.code} ${warning.message}`} className="alert alert-warning">
          <strong>{WARNING_TITLES[warning.code]}</strong> <code>{warning.code}</code> {warning.message}
          {warning.earlierBatchUids.length > 0 ? (
            <span className="review-earlier">
              {" "}
              Earlier:{" "}
              {warning.earlierBatchUids.map((uid, index) => (
                <span key={uid}>
                  {index > 0 ? ", " : null}
                  <Link href={`/batches/${uid}`}>{uid}</Link>
                </span>
              ))}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

interface Column {
  title: string;
  numeric?: boolean;
}

/** A compact captioned table of a few columns; each row is its key and its cells' text. */
function SummaryTable({ title, columns, rows }: { title: string; columns: Column[]; rows: { key: string; cells: string[] }[] }) {
  return (
    <section className="table-scroll" aria-label={title}>
      <table className="data-table compact">
        <caption>{title}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.title} scope="col" className={column.numeric ? "num" : undefined}>
                {column.title}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key}>
              {row.cells.map((cell, index) => (
                <td key={columns[index]?.title ?? index} className={columns[index]?.numeric ? "num" : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Amounts per pair and direction, in the currency each direction fixes. */
export function PairTotalsTable({ totals }: { totals: BatchPreview["totals"] }) {
  return (
    <SummaryTable
      title="Totals by pair and direction"
      columns={[
        { title: "Pair (sell/buy)" },
        { title: "Direction" },
        { title: "Amount", numeric: true },
        { title: "Trades", numeric: true },
      ]}
      rows={totals.map((total) => ({
        key: `${total.sellCurrency}/${total.buyCurrency} ${total.direction}`,
        cells: [
          `${total.sellCurrency}/${total.buyCurrency}`,
          total.direction === "BUY" ? `BUY ${total.buyCurrency}` : `SELL ${total.sellCurrency}`,
          `${total.amountCurrency} ${formatDecimal(total.amount)}`,
          formatInteger(total.tradeCount),
        ],
      }))}
    />
  );
}

/** Amounts per currency: bought amounts of BUY trades and sold amounts of SELL trades, never added across currencies. */
export function CurrencyTotalsTable({ totals }: { totals: BatchPreview["currencyTotals"] }) {
  return (
    <SummaryTable
      title="Totals by currency"
      columns={[{ title: "Currency" }, { title: "Amount", numeric: true }, { title: "Trades", numeric: true }]}
      rows={totals.map((total) => ({
        key: total.currency,
        cells: [total.currency, formatDecimal(total.amount), formatInteger(total.tradeCount)],
      }))}
    />
  );
}

function ValueDatesTable({ valueDates }: { valueDates: BatchPreview["valueDates"] }) {
  return (
    <SummaryTable
      title="Trades by value date"
      columns={[{ title: "Value date" }, { title: "Trades", numeric: true }, { title: "First row", numeric: true }]}
      rows={valueDates.map((date) => ({
        key: date.valueDate ?? "spot",
        cells: [
          date.valueDate ?? "Spot (no value date)",
          formatInteger(date.tradeCount),
          date.firstRow === null ? "—" : String(date.firstRow),
        ],
      }))}
    />
  );
}

/** Everything the review shows, from a preview already read. */
export function BatchReviewContent({ preview }: { preview: BatchPreview }) {
  return (
    <>
      <PreviewWarnings warnings={preview.warnings} />
      <div className="review-tables">
        <PairTotalsTable totals={preview.totals} />
        <CurrencyTotalsTable totals={preview.currencyTotals} />
        <ValueDatesTable valueDates={preview.valueDates} />
      </div>
    </>
  );
}

/**
 * Review before start, on a staged batch's page: what it will trade (totals per pair and
 * direction, per currency, trades per value date, counted over all its trades by the API) and
 * the warnings to check first.
 */
export function BatchReview({ batchId }: { batchId: string }) {
  const { preview, loading, error } = useBatchPreview(batchId);
  return (
    <section className="panel" aria-labelledby="review-title">
      <h2 id="review-title">Review before start</h2>
      <QueryError error={error} what="the batch's review" />
      {loading && !preview ? <p className="loading">Adding up the batch…</p> : null}
      {preview ? <BatchReviewContent preview={preview} /> : null}
    </section>
  );
}
