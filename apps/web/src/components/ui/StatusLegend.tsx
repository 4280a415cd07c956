import { BATCH_STATUS_INFO, BATCH_STATUSES, TRADE_STATUS_INFO, TRADE_STATUSES } from "../../lib/batch-status";
import { BatchStatusBadge, TradeStatusBadge } from "./StatusBadge";

/** Every status with its meaning, folded away until asked for (title tooltips do not reach touch or keyboard users). */
export function StatusLegend({ kind }: { kind: "batch" | "trade" }) {
  const rows =
    kind === "batch"
      ? BATCH_STATUSES.map((status) => ({
          status,
          badge: <BatchStatusBadge status={status} />,
          text: BATCH_STATUS_INFO[status].description,
        }))
      : TRADE_STATUSES.map((status) => ({
          status,
          badge: <TradeStatusBadge status={status} />,
          text: TRADE_STATUS_INFO[status].description,
        }));
  return (
    <details className="legend">
      <summary>What do the {kind} statuses mean?</summary>
      <dl>
        {rows.map((row) => (
          <div key={row.status} className="legend-row">
            <dt>{row.badge}</dt>
            <dd>{row.text}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
