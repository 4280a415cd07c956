"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import { useApiSettings } from "../../apollo/Providers";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchResultsQuery, RetryFailedTradesMutation } from "../../graphql/batch";
import { BatchFailuresExportQuery } from "../../graphql/fragments";
import { offeredBatchActions } from "../../lib/batch-actions";
import { formatDecimal, formatInteger } from "../../lib/format";
import { useViewer } from "../session/SessionProvider";
import { QueryError } from "../ui/QueryError";
import { useErrorCodeFilter } from "./error-code-filter";
import { RetryDialog, RetryFailure } from "./RetryDialog";

/**
 * The outcome of a finished batch: counts, booked amounts per currency, failures by cause, and the
 * CSV exports (every trade; and, when some failed, the failed ones in the upload format). Each failure row narrows the trade table to its code and, for those who may retry,
 * retries that code alone (after a confirmation).
 */
export function BatchResults({
  batch,
  onRetried,
}: {
  batch: BatchFieldsFragment;
  /** After a retry from a breakdown row: the batch is queued again and these results go, so the focus needs a place. */
  onRetried?: () => void;
}) {
  const { apiOrigin } = useApiSettings();
  const viewer = useViewer();
  const [shownCode, showCode] = useErrorCodeFilter(batch.id);
  const [retrying, setRetrying] = useState<string | null>(null);
  const [retryFailure, setRetryFailure] = useState<ErrorLike | null>(null);
  const [retryFailedTrades, retry] = useMutation(RetryFailedTradesMutation);
  const mayRetry = offeredBatchActions(batch, viewer).some((offer) => offer.action === "retry" && offer.refusal === null);
  const { data, loading, error } = useQuery(BatchResultsQuery, {
    variables: { id: batch.id },
    // Results change when failed trades are retried: read them fresh each time the batch finishes.
    fetchPolicy: "network-only",
  });
  const results = data?.batchResults;
  const failuresExport = useQuery(BatchFailuresExportQuery, { variables: { id: batch.id }, skip: batch.failedTrades === 0 });
  const failuresCsvPath = batch.failedTrades > 0 ? failuresExport.data?.batch?.failuresCsvPath : undefined;

  return (
    <section className="panel" aria-labelledby="results-title">
      <div className="panel-header">
        <h2 id="results-title">Results</h2>
        <div className="panel-tools">
          <a className="button" href={`${apiOrigin}${batch.resultsCsvPath}`} download={`${batch.batchUid}-results.csv`}>
            Export results (CSV)
          </a>
          {failuresCsvPath ? (
            // The failed trades in the upload format: fix the rows and stage the file again.
            <a className="button" href={`${apiOrigin}${failuresCsvPath}`} download={`${batch.batchUid}-failures.csv`}>
              Export failures (CSV)
            </a>
          ) : null}
        </div>
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
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {results.errorsByCode.length === 0 ? (
                    <tr>
                      <td colSpan={3} className="muted">
                        No trade failed.
                      </td>
                    </tr>
                  ) : (
                    results.errorsByCode.map((row) => (
                      <tr key={row.errorCode} aria-current={shownCode === row.errorCode ? "true" : undefined}>
                        <td>
                          <code>{row.errorCode}</code>
                        </td>
                        <td className="num">{formatInteger(row.count)}</td>
                        <td className="row-actions">
                          <button
                            type="button"
                            className="button button-small"
                            aria-pressed={shownCode === row.errorCode}
                            aria-label={`Show the ${row.errorCode} trades`}
                            onClick={() => {
                              showCode(shownCode === row.errorCode ? null : row.errorCode);
                              document.getElementById("trades-title")?.scrollIntoView?.({ block: "start" });
                            }}
                          >
                            Show trades
                          </button>
                          {mayRetry ? (
                            <button
                              type="button"
                              className="button button-small"
                              aria-label={`Retry the ${row.errorCode} trades`}
                              disabled={retry.loading}
                              onClick={() => {
                                setRetryFailure(null);
                                setRetrying(row.errorCode);
                              }}
                            >
                              Retry
                            </button>
                          ) : null}
                        </td>
                      </tr>
                    ))
                  )}
                </tbody>
              </table>
            </section>
          </div>
        </>
      ) : null}
      <RetryFailure error={retryFailure} />
      {retrying !== null ? (
        <RetryDialog
          batch={batch}
          errorCode={retrying}
          busy={retry.loading}
          onConfirm={(retried) => {
            // The answer (the batch, queued again) lands in its cache entry: the page leaves the results.
            retryFailedTrades({ variables: { id: batch.id, ...retried } })
              .then(() => onRetried?.())
              .catch((error: ErrorLike) => setRetryFailure(error))
              .finally(() => setRetrying(null));
          }}
          onCancel={() => setRetrying(null)}
        />
      ) : null}
    </section>
  );
}
