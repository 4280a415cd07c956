import Link from "next/link";
import type { TradeRowFragment } from "../../gql/graphql";
import { formatDecimal } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { TradeStatusBadge } from "../ui/StatusBadge";

export type TradeTableRow = TradeRowFragment & { createdAt?: string; batch?: { id: string; batchUid: string } | null };

/** The currency the amount is in: BUY fixes the bought amount, SELL the sold one (docs/csv-format.md). */
function amountCurrency(trade: TradeRowFragment): string {
  return trade.direction === "BUY" ? trade.buyCurrency : trade.sellCurrency;
}

export function TradeTable({
  trades,
  caption,
  showBatch = false,
}: {
  trades: readonly TradeTableRow[];
  caption: string;
  showBatch?: boolean;
}) {
  return (
    <section className="table-scroll" aria-label={caption}>
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {showBatch ? <th scope="col">Batch</th> : null}
            <th scope="col" className="num">
              Row
            </th>
            <th scope="col">Client</th>
            <th scope="col">Account</th>
            <th scope="col">Pair</th>
            <th scope="col">Direction</th>
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
          {trades.map((trade) => (
            <tr key={trade.id}>
              {showBatch ? (
                <td className="nowrap">
                  {trade.batch ? <Link href={`/batches/${trade.batch.id}`}>{trade.batch.batchUid}</Link> : <span className="muted">—</span>}
                </td>
              ) : null}
              <td className="num">{trade.rowNumber ?? "—"}</td>
              <td>
                <span className="cell-primary">{trade.clientName ?? trade.clientId}</span>
                {trade.clientName ? <span className="cell-secondary">{trade.clientId}</span> : null}
              </td>
              <td className="mono">{trade.accountNumber}</td>
              <td className="nowrap" title={`Sells ${trade.sellCurrency}, buys ${trade.buyCurrency}`}>
                {trade.sellCurrency}→{trade.buyCurrency}
              </td>
              <td>{trade.direction === "BUY" ? "Buy" : "Sell"}</td>
              <td className="num nowrap">
                {formatDecimal(trade.amount)} <span className="currency">{amountCurrency(trade)}</span>
              </td>
              <td>
                <TradeStatusBadge status={trade.status} />
              </td>
              <td className="mono small">{trade.quoteId ?? <span className="muted">—</span>}</td>
              <td className="num">{trade.rate ?? <span className="muted">—</span>}</td>
              <td className="mono small">{trade.transactionId ?? <span className="muted">—</span>}</td>
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
          ))}
        </tbody>
      </table>
    </section>
  );
}
