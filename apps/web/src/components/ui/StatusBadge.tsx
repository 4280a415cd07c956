import type { BatchStatus, TradeAttemptOutcome, TradeStatus } from "../../gql/graphql";
import { approversDescription } from "../../lib/access";
import { type BatchActionState, isAwaitingApproval } from "../../lib/batch-actions";
import { ATTEMPT_OUTCOME_INFO, BATCH_STATUS_INFO, openAttemptInfo, type StatusInfo, TRADE_STATUS_INFO } from "../../lib/batch-status";

function Badge({ info }: { info: StatusInfo }) {
  // The word is always there, so colour is never the only signal; the title explains it on hover
  // and StatusLegend explains every status in plain view.
  return (
    <span className={`status-badge tone-${info.tone}`} title={info.description}>
      <span className="status-dot" aria-hidden="true" />
      {info.label}
    </span>
  );
}

export function BatchStatusBadge({ status }: { status: BatchStatus }) {
  return <Badge info={BATCH_STATUS_INFO[status]} />;
}

export function TradeStatusBadge({ status }: { status: TradeStatus }) {
  return <Badge info={TRADE_STATUS_INFO[status]} />;
}

/** How an attempt ended; one without an outcome reads by its trade's status (see openAttemptInfo). */
export function AttemptOutcomeBadge({ outcome, tradeStatus }: { outcome: TradeAttemptOutcome | null; tradeStatus: TradeStatus }) {
  return <Badge info={outcome ? ATTEMPT_OUTCOME_INFO[outcome] : openAttemptInfo(tradeStatus)} />;
}

/** Four eyes: shown beside the status of a batch that cannot start before someone approves it. */
export function AwaitingApprovalBadge({ batch }: { batch: BatchActionState }) {
  if (!isAwaitingApproval(batch)) return null;
  return (
    <Badge
      info={{
        label: "Awaiting approval",
        tone: "warning",
        description: `Four eyes: needs approval by ${approversDescription(batch)} before it can start.`,
      }}
    />
  );
}
