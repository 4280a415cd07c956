import type { BatchFieldsFragment } from "../gql/graphql";

/**
 * A batch as the dashboard's BatchFields fragment holds it, for unit tests: a PENDING batch of
 * 6 trades unless `overrides` say otherwise, so a field added to the fragment is added here once.
 * The results export path follows the id given.
 */
export function batchFields(overrides: Partial<BatchFieldsFragment> = {}): BatchFieldsFragment {
  const id = overrides.id ?? "6f1c0a4e-0000-4000-8000-000000000001";
  return {
    __typename: "Batch",
    id,
    batchUid: "B-20261121-0001",
    name: null,
    status: "PENDING",
    priority: 0,
    totalTrades: 6,
    processedTrades: 0,
    succeededTrades: 0,
    failedTrades: 0,
    cancelledTrades: 0,
    cancelledUnmovedTrades: 0,
    progress: 0,
    createdAt: "2026-11-21T09:00:00.000Z",
    updatedAt: "2026-11-21T09:00:00.000Z",
    startedAt: null,
    completedAt: null,
    runStartedAt: null,
    finishedRunSeconds: 0,
    answeredTrades: 0,
    queuedAt: null,
    cancelRequestedAt: null,
    resultsCsvPath: `/export/batches/${id}/trades.csv`,
    bankUnavailableSince: null,
    partner: null,
    stagedBy: "ops@example.test",
    stagedById: "6f1c0a4e-0000-4000-8000-0000000000aa",
    approvalRequired: false,
    approvedBy: null,
    approvedAt: null,
    eventSequence: 0,
    archivedAt: null,
    ...overrides,
  };
}
