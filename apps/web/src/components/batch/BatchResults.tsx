"use client";

import { useQuery } from "@apollo/client/react";
import { useApiSettings } from "../../apollo/Providers";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchResultsQuery } from "../../graphql/batch";
import { formatDecimal, formatInteger } from "../../lib/format";
import { QueryError } from "../ui/QueryError";

/** The outcome of a finished batch: counts, booked amounts per currency, failures by cause, and the CSV export. */
export function BatchResults({ batch }: { batch: BatchFieldsFragment }) {
  const { apiOrigin } = useApiSettings();
  const { data, loading, error } = useQuery(BatchResultsQuery, {
    variables: { id: batch.id },
    // Results change when failed trades are retried: read them fresh each time the batch finishes.
    fetchPolicy: "network-only",
  });
  const results = data?.batchResults;

  return (
    <section className="panel" aria-labelledby="results-title">
      <div className="panel-header">
        <h2 id="results-title">Results</h2>
        <a className="button" href={`${apiOrigin}${batch.resultsCsvPath}`} download={`${batch.batchUid}-results.csv`}>
          Export results (CSV)
        </a>
      </div>
      <QueryError error={error} what="the results" />
      {loading && !results ? <p className="loading">Loading results…</p> : null}
      {results ? (
        <>
          <dl className="counters">
            <div className="counter counter-success">
              <dt>Succeeded</dt>
              <dd>{formatInteger(results.succeededTrades)}</dd>
            </div>
            <div className="counter counter-danger">
              <dt>Failed</dt>
              <dd>{formatInteger(results.failedTrades)}</dd>
            </div>
            <div className="counter counter-muted">
              <dt>Cancelled</dt>
              <dd>{formatInteger(results.cancelledTrades)}</dd>
            </div>
          </dl>
          <div className="results-tables">
            <section className="table-scroll" aria-label="Totals by currency">
              <table className="data-table compact">
                <caption>Totals by currency</caption>
                <thead>
                  <tr>
                    <th scope="col">Currency sold</th>
                    <th scope="col" className="num">
                      Amount sold
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {results.totalsByCurrency.length === 0 ? (
                    <tr>
                      <td colSpan={2} className="muted">
                        No trade was booked.
                      </td>
                    </tr>
                  ) : (
                    results.totalsByCurrency.map((total) => (
                      <tr key={total.currency}>
                        <td>{total.currency}</td>
                        <td className="num">{formatDecimal(total.amount)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </section>
            <section className="table-scroll" aria-label="Failures by error code">
              <table className="data-table compact">
                <caption>Failures by error code</caption>
                <thead>
                  <tr>
                    <th scope="col">Error code</th>
                    <th scope="col" className="num">
                      Trades
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {results.errorsByCode.length === 0 ? (
                    <tr>
                      <td colSpan={2} className="muted">
                        No trade failed.
                      </td>
                    </tr>
                  ) : (
                    results.errorsByCode.map((row) => (
                      <tr key={row.errorCode}>
                        <td>
                          <code>{row.errorCode}</code>
                        </td>
                        <td className="num">{formatInteger(row.count)}</td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
