import { InMemoryCache } from "@apollo/client";
import { describe, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../gql/graphql";
import { batchFields } from "../test/batch-fields";
import { readBatch, writeBatchSnapshot } from "./cache-writes";

const running: BatchFieldsFragment = batchFields({
  status: "RUNNING",
  totalTrades: 10,
  processedTrades: 4,
  succeededTrades: 4,
  progress: 0.4,
  updatedAt: "2026-11-21T09:01:00.000Z",
  startedAt: "2026-11-21T09:00:10.000Z",
  queuedAt: "2026-11-21T09:00:05.000Z",
  eventSequence: 12,
});

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
