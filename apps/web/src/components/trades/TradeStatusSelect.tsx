import type { TradeStatus } from "../../gql/graphql";
import { TRADE_STATUS_INFO, TRADE_STATUSES } from "../../lib/batch-status";

export function TradeStatusSelect({ value, onChange }: { value: TradeStatus | null; onChange: (status: TradeStatus | null) => void }) {
  return (
    <label className="field">
      <span className="field-label">Trade status</span>
      <select value={value ?? ""} onChange={(event) => onChange(event.target.value ? (event.target.value as TradeStatus) : null)}>
        <option value="">All</option>
        {TRADE_STATUSES.map((status) => (
          <option key={status} value={status}>
            {TRADE_STATUS_INFO[status].label}
          </option>
        ))}
      </select>
    </label>
  );
}
