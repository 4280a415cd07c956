import { InMemoryCache } from "@apollo/client";
import { describe, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../gql/graphql";
import { readBatch, writeBatchSnapshot } from "./cache-writes";

const running: BatchFieldsFragment = {
  __typename: "Batch",
  id: "6f1c0a4e-0000-4000-8000-000000000001",
  batchUid: "B-20261121-0001",
  name: null,
  status: "RUNNING",
  priority: 0,
  totalTrades: 10,
  processedTrades: 4,
  succeededTrades: 4,
  failedTrades: 0,
  cancelledTrades: 0,
  progress: 0.4,
  createdAt: "2026-11-21T09:00:00.000Z",
  updatedAt: "2026-11-21T09:01:00.000Z",
  startedAt: "2026-11-21T09:00:10.000Z",
  completedAt: null,
  queuedAt: "2026-11-21T09:00:05.000Z",
  cancelRequestedAt: null,
  resultsCsvPath: "/export/batches/6f1c0a4e-0000-4000-8000-000000000001/trades.csv",
  bankUnavailableSince: null,
  partner: null,
  stagedBy: "ops@example.test",
  stagedById: "6f1c0a4e-0000-4000-8000-0000000000aa",
  approvalRequired: false,
  approvedBy: null,
  approvedAt: null,
  eventSequence: 12,
};

describe("writeBatchSnapshot", () => {
  test("the bank's outage is set and cleared by live snapshots that move no counter", () => {
    const cache = new InMemoryCache();
    writeBatchSnapshot(cache, running);
    writeBatchSnapshot(cache, {
      ...running,
      bankUnavailableSince: "2026-11-21T09:01:30.000Z",
      updatedAt: "2026-11-21T09:01:30.000Z",
      eventSequence: 13,
    });
    expect(readBatch(cache, running.id)?.bankUnavailableSince).toBe("2026-11-21T09:01:30.000Z");
    writeBatchSnapshot(cache, { ...running, bankUnavailableSince: null, updatedAt: "2026-11-21T09:02:00.000Z", eventSequence: 14 });
    expect(readBatch(cache, running.id)?.bankUnavailableSince).toBeNull();
  });

  test("a late snapshot (a lower event number) does not replace a newer one", () => {
    const cache = new InMemoryCache();
    writeBatchSnapshot(cache, { ...running, status: "SUCCESS", processedTrades: 10, succeededTrades: 10, eventSequence: 30 });
    writeBatchSnapshot(cache, running);
    expect(readBatch(cache, running.id)).toMatchObject({ status: "SUCCESS", eventSequence: 30 });
  });
});
