import type { BatchFieldsFragment } from "../../gql/graphql";
import { approversDescription } from "../../lib/access";
import { isAwaitingApproval } from "../../lib/batch-actions";
import { DateTime } from "../ui/DateTime";
import { AwaitingApprovalBadge } from "../ui/StatusBadge";

/**
 * Four eyes, for a batch that needs it: who must approve it while it waits, and who did and
 * when once approved. Nothing for a batch that needs no approval.
 */
export function ApprovalStatus({ batch }: { batch: BatchFieldsFragment }) {
  if (!batch.approvalRequired) return null;
  if (batch.approvedAt) {
    return (
      <p className="approval-facts">
        Approved by <strong>{batch.approvedBy ?? "someone no longer known"}</strong> at <DateTime value={batch.approvedAt} />.
      </p>
    );
  }
  if (isAwaitingApproval(batch)) {
    return (
      <div className="approval-panel">
        <AwaitingApprovalBadge batch={batch} />
        <p className="approval-facts">Four eyes: this batch needs approval by {approversDescription(batch)} before it can start.</p>
      </div>
    );
  }
  return <p className="approval-facts muted">Needed approval; it was never approved.</p>;
}
