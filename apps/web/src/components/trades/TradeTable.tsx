"use client";

import Link from "next/link";
import { Fragment, useEffect, useRef, useState } from "react";
import type { TradeRowFragment } from "../../gql/graphql";
import { formatDecimal } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { TradeStatusBadge } from "../ui/StatusBadge";
import { TradeAttempts } from "./TradeAttempts";

export type TradeTableRow = TradeRowFragment & { createdAt?: string; batch?: { id: string; batchUid: string } | null };

/** How a trade is named to a reader: by its row of the file, or by its id when it has none (entered by hand). */
function tradeLabel(trade: TradeTableRow): string {
  const row = trade.rowNumber !== null ? `row ${trade.rowNumber}` : `trade ${trade.id}`;
  return trade.batch ? `${row} of ${trade.batch.batchUid}` : row;
}

/** The currency the amount is in: BUY fixes the bought amount, SELL the sold one (docs/csv-format.md). */
function amountCurrency(trade: TradeRowFragment): string {
  return trade.direction === "BUY" ? trade.buyCurrency : trade.sellCurrency;
}

/** Rows a reader may pick (a batch's failed trades, to retry them), and what is picked. */
export interface TradeSelection {
  canSelect: (trade: TradeTableRow) => boolean;
  isSelected: (id: string) => boolean;
  toggle: (trade: TradeTableRow) => void;
  /** Picks (or drops) every row of `trades` that may be picked. */
  setAll: (trades: readonly TradeTableRow[], selected: boolean) => void;
}

/** The header's box: picks every selectable row shown; mixed when some are picked. */
function SelectAllBox({ trades, selection }: { trades: readonly TradeTableRow[]; selection: TradeSelection }) {
  const box = useRef<HTMLInputElement>(null);
  const selectable = trades.filter(selection.canSelect);
  const picked = selectable.filter((trade) => selection.isSelected(trade.id)).length;
  const all = selectable.length > 0 && picked === selectable.length;
  useEffect(() => {
    if (box.current) box.current.indeterminate = picked > 0 && !all;
  }, [picked, all]);
  return (
    <input
      ref={box}
      type="checkbox"
      className="row-select"
      aria-label="Select all failed trades on this page"
      title="Select all failed trades on this page"
      checked={all}
      disabled={selectable.length === 0}
      onChange={() => selection.setAll(selectable, !all)}
    />
  );
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
  selection = null,
}: {
  trades: readonly TradeTableRow[];
  caption: string;
  showBatch?: boolean;
  /** A first column of boxes to pick rows with; none when null. */
  selection?: TradeSelection | null;
}) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  // The header's cells: the toggle, the 12 trade columns, Batch and Created when shown, and the boxes.
  const columns = 13 + (showBatch ? 2 : 0) + (selection ? 1 : 0);
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
            {selection ? (
              <th scope="col" className="col-select">
                <SelectAllBox trades={trades} selection={selection} />
              </th>
            ) : null}
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
                  {selection ? (
                    <td className="col-select">
                      {selection.canSelect(trade) ? (
                        <input
                          type="checkbox"
                          className="row-select"
                          aria-label={`Select ${tradeLabel(trade)} to retry`}
                          checked={selection.isSelected(trade.id)}
                          onChange={() => selection.toggle(trade)}
                        />
                      ) : null}
                    </td>
                  ) : null}
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
                  <td className="num">
                    {trade.rowNumber ?? (
                      <span className="muted" title="Entered by hand: the trade came from no row of a CSV file">
                        by hand
                      </span>
                    )}
                  </td>
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
