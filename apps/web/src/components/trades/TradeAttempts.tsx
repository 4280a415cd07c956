"use client";

import { useQuery } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import type { TradeRowFragment } from "../../gql/graphql";
import { TradeAttemptsQuery } from "../../graphql/trades";
import { formatDecimal } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { QueryError } from "../ui/QueryError";
import { AttemptOutcomeBadge } from "../ui/StatusBadge";

function Amount({ value, currency }: { value: string | null; currency: string }) {
  if (value === null) return <span className="muted">—</span>;
  return (
    <>
      {formatDecimal(value)} <span className="currency">{currency}</span>
    </>
  );
}

const muted = <span className="muted">—</span>;

/**
 * Every attempt to execute one trade, oldest first: read with its own query when its row is
 * expanded, and read again whenever the row changes (live events move the row, not this).
 */
export function TradeAttempts({ trade, label }: { trade: TradeRowFragment; label: string }) {
  const { data, loading, error, refetch } = useQuery(TradeAttemptsQuery, {
    variables: { id: trade.id },
    fetchPolicy: "cache-and-network",
    nextFetchPolicy: "cache-first",
  });

  // A live event moved the trade on: its history has a new attempt or a new outcome.
  const version = `${trade.status}|${trade.attempts}|${trade.updatedAt}`;
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void refetch().catch(() => undefined);
  }, [version, refetch]);

  const history = data?.trade?.history;
  if (!history) {
    if (error) return <QueryError error={error} what="the attempts of this trade" />;
    return <p className="muted small">{loading ? "Loading attempts…" : "This trade no longer exists."}</p>;
  }
  if (history.length === 0) return <p className="muted small">No attempt yet: the trade has not been picked up by a runner.</p>;

  return (
    <>
      <QueryError error={error} what="the latest attempts of this trade" />
      <table className="data-table compact attempts-table">
        <caption>{label}</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Attempt
            </th>
            <th scope="col">Outcome</th>
            <th scope="col">Transaction</th>
            <th scope="col">Error</th>
            <th scope="col">Key</th>
            <th scope="col">Quote</th>
            <th scope="col" className="num">
              Rate
            </th>
            <th scope="col" className="num">
              Sold
            </th>
            <th scope="col" className="num">
              Bought
            </th>
            <th scope="col">Quote expires</th>
            <th scope="col">Booking sent</th>
            <th scope="col">Started</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {history.map((attempt) => (
            <tr key={attempt.number}>
              <td className="num">{attempt.number}</td>
              <td>
                <AttemptOutcomeBadge outcome={attempt.outcome} tradeStatus={trade.status} />
              </td>
              <td className="mono small">{attempt.transactionId ?? muted}</td>
              <td className="cell-error">
                {attempt.errorCode || attempt.errorMessage ? (
                  <>
                    {attempt.errorCode ? <code>{attempt.errorCode}</code> : null} {attempt.errorMessage}
                  </>
                ) : (
                  muted
                )}
              </td>
              <td className="mono small cell-key" title="The key the booking is sent under; the bank books a key at most once">
                {attempt.idempotencyKey}
              </td>
              <td className="mono small">{attempt.quoteId ?? muted}</td>
              <td className="num">{attempt.rate ?? muted}</td>
              <td className="num nowrap">
                <Amount value={attempt.sellAmount} currency={trade.sellCurrency} />
              </td>
              <td className="num nowrap">
                <Amount value={attempt.buyAmount} currency={trade.buyCurrency} />
              </td>
              <td>
                <DateTime value={attempt.quoteExpiresAt} stacked />
              </td>
              <td>
                <DateTime value={attempt.bookingSentAt} stacked empty="Not sent" />
              </td>
              <td>
                <DateTime value={attempt.startedAt} stacked />
              </td>
              <td>
                <DateTime value={attempt.finishedAt} stacked />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
