"use client";

import Link from "next/link";
import { Fragment, useState } from "react";
import type { TradeRowFragment } from "../../gql/graphql";
import { formatDecimal } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { TradeStatusBadge } from "../ui/StatusBadge";
import { TradeAttempts } from "./TradeAttempts";

export type TradeTableRow = TradeRowFragment & { createdAt?: string; batch?: { id: string; batchUid: string } | null };

/** How a trade is named to a reader: by its row of the file, or by its id when it has none. */
function tradeLabel(trade: TradeTableRow): string {
  const row = trade.rowNumber !== null ? `row ${trade.rowNumber}` : `trade ${trade.id}`;
  return trade.batch ? `${row} of ${trade.batch.batchUid}` : row;
}

/** The currency the amount is in: BUY fixes the bought amount, SELL the sold one (docs/csv-format.md). */
function amountCurrency(trade: TradeRowFragment): string {
  return trade.direction === "BUY" ? trade.buyCurrency : trade.sellCurrency;
}

/**
 * Trades, one row each. Every row can be opened to show the trade's attempts (each key, quote,
 * booking and answer), read only for the rows opened.
 *
 * It fits a 1366 px screen without sideways scrolling, so a row's status and error are always in
 * view: the direction and pair sit under the amount, and long ids and references wrap. Its
 * header stays at the top of the window while the rows scroll (tables.css, `.trade-table`).
 */
export function TradeTable({
  trades,
  caption,
  showBatch = false,
}: {
  trades: readonly TradeTableRow[];
  caption: string;
  showBatch?: boolean;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  // The header's cells: the toggle, the 12 trade columns, and Batch and Created when shown.
  const columns = 13 + (showBatch ? 2 : 0);
  const toggle = (id: string) =>
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <section className="table-scroll table-fit" aria-label={caption}>
      <table className="data-table trade-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" className="col-toggle">
              <span className="visually-hidden">History</span>
            </th>
            {showBatch ? <th scope="col">Batch</th> : null}
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Client</th>
            <th scope="col">Account</th>
            <th scope="col">Reference</th>
            <th scope="col">Value date</th>
            <th scope="col" className="num">
              Amount
            </th>
            <th scope="col">Status</th>
            <th scope="col">Quote</th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col">Transaction</th>
            <th scope="col" className="num">
              Attempts
            </th>
            <th scope="col">Error</th>
            {showBatch ? <th scope="col">Created</th> : null}
          </tr>
        </thead>
        <tbody>
          {trades.map((trade) => {
            const open = expanded.has(trade.id);
            const historyId = `attempts-${trade.id}`;
            return (
              <Fragment key={trade.id}>
                <tr className={open ? "row-expanded" : undefined}>
                  <td className="col-toggle">
                    <button
                      type="button"
                      className="row-toggle"
                      aria-expanded={open}
                      aria-controls={open ? historyId : undefined}
                      aria-label={`Attempts of ${tradeLabel(trade)}`}
                      title={open ? "Hide the attempts of this trade" : "Show every attempt of this trade: keys, quotes, bookings, answers"}
                      onClick={() => toggle(trade.id)}
                    >
                      <span aria-hidden="true" className="row-toggle-icon" />
                    </button>
                  </td>
                  {showBatch ? (
                    <td className="cell-wrap">
                      {trade.batch ? (
                        <Link href={`/batches/${trade.batch.id}`}>{trade.batch.batchUid}</Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  ) : null}
                  <td className="num">{trade.rowNumber ?? "—"}</td>
                  <td>
                    <span className="cell-primary">{trade.clientName ?? trade.clientId}</span>
                    {trade.clientName ? <span className="cell-secondary">{trade.clientId}</span> : null}
                  </td>
                  <td className="mono">{trade.accountNumber}</td>
                  <td className="cell-wrap">{trade.reference ?? <span className="muted">—</span>}</td>
                  <td className="nowrap">{trade.valueDate ?? <span className="muted">—</span>}</td>
                  <td className="num">
                    <span className="cell-primary">
                      {formatDecimal(trade.amount)} <span className="currency">{amountCurrency(trade)}</span>
                    </span>
                    <span className="cell-secondary" title={`Sells ${trade.sellCurrency}, buys ${trade.buyCurrency}`}>
                      {trade.direction === "BUY" ? "Buy" : "Sell"} · {trade.sellCurrency}→{trade.buyCurrency}
                    </span>
                  </td>
                  <td className="nowrap">
                    <TradeStatusBadge status={trade.status} />
                  </td>
                  <td className="mono small cell-id-wrap">{trade.quoteId ?? <span className="muted">—</span>}</td>
                  <td className="num">{trade.rate ?? <span className="muted">—</span>}</td>
                  <td className="mono small cell-id-wrap">{trade.transactionId ?? <span className="muted">—</span>}</td>
                  <td className="num">{trade.attempts}</td>
                  <td className="cell-error">
                    {trade.status === "FAILED" ? (
                      <>
                        {trade.errorCode ? <code>{trade.errorCode}</code> : null} {trade.errorMessage}
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  {showBatch ? (
                    <td className="nowrap">
                      <DateTime value={trade.createdAt} stacked />
                    </td>
                  ) : null}
                </tr>
                {open ? (
                  <tr id={historyId} className="attempts-row">
                    <td colSpan={columns}>
                      <TradeAttempts trade={trade} label={`Attempts of ${tradeLabel(trade)}`} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
