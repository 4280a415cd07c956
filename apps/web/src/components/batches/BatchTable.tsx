import Link from "next/link";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BATCH_STATUS_INFO, progressParts } from "../../lib/batch-status";
import { formatInteger } from "../../lib/format";
import { DateTime } from "../ui/DateTime";
import { ProgressBar } from "../ui/ProgressBar";
import { AwaitingApprovalBadge, BatchStatusBadge } from "../ui/StatusBadge";

export function BatchTable({ batches, caption }: { batches: readonly BatchFieldsFragment[]; caption: string }) {
  return (
    <section className="table-scroll" aria-label="Batches table">
      <table className="data-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Name</th>
            <th scope="col">Status</th>
            <th scope="col" className="col-progress">
              Progress
            </th>
            <th scope="col" className="num">
              Succeeded
            </th>
            <th scope="col" className="num">
              Failed
            </th>
            <th scope="col" className="num">
              Cancelled
            </th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col" className="num">
              Priority
            </th>
            <th scope="col">Created</th>
            <th scope="col">Finished</th>
          </tr>
        </thead>
        <tbody>
          {batches.map((batch) => (
            <tr key={batch.id}>
              <td className="cell-id">
                <Link href={`/batches/${batch.id}`}>{batch.batchUid}</Link>
              </td>
              <td className="cell-name">{batch.name ?? <span className="muted">—</span>}</td>
              <td>
                <BatchStatusBadge status={batch.status} /> <AwaitingApprovalBadge batch={batch} />
                {batch.cancelRequestedAt && batch.status === "RUNNING" ? <span className="cell-note">cancelling…</span> : null}
                {batch.status === "PENDING" && batch.queuedAt ? <span className="cell-note">queued</span> : null}
              </td>
              <td className="col-progress">
                <ProgressBar
                  progress={batch.progress}
                  label={`Progress of ${batch.batchUid}`}
                  active={batch.status === "RUNNING"}
                  tone={BATCH_STATUS_INFO[batch.status].tone}
                  parts={progressParts(batch)}
                />
              </td>
              <td className="num">{formatInteger(batch.succeededTrades)}</td>
              <td className={`num${batch.failedTrades > 0 ? " text-danger" : ""}`}>{formatInteger(batch.failedTrades)}</td>
              <td className="num">{formatInteger(batch.cancelledTrades)}</td>
              <td className="num">{formatInteger(batch.totalTrades)}</td>
              <td className="num">{batch.priority}</td>
              <td className="nowrap">
                <DateTime value={batch.createdAt} stacked />
              </td>
              <td className="nowrap">
                <DateTime value={batch.completedAt} stacked />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
