import { InMemoryCache } from "@apollo/client";
import { describe, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../gql/graphql";
import { TradeRowFragment } from "../graphql/fragments";
import { batchFields } from "../test/batch-fields";
import { tradeRow } from "../test/trade-row";
import { readBatch, readTrade, withNewerStates, writeBatchSnapshot, writeTradeIfCached } from "./cache-writes";

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

describe("withNewerStates", () => {
  const finished = { ...running, status: "PARTIAL_SUCCESS" as const, processedTrades: 10, failedTrades: 6, eventSequence: 30 };

  test("an answer older than the live events gets the cache's newer state, in every field it asked for and no other", () => {
    const cache = new InMemoryCache();
    writeBatchSnapshot(cache, finished);
    // retryFailedTrades answered after the retried trades had run and the batch had finished again.
    const answer = { retryFailedTrades: { __typename: "Batch", id: running.id, status: "RUNNING", processedTrades: 4, eventSequence: 12 } };
    expect(withNewerStates(cache, answer)).toEqual({
      retryFailedTrades: { __typename: "Batch", id: running.id, status: "PARTIAL_SUCCESS", processedTrades: 10, eventSequence: 30 },
    });
    // Batches in lists, and nested in other types, too.
    const list = { batches: { edges: [{ node: { ...running, __typename: "Batch" } }] } };
    expect(withNewerStates(cache, list).batches.edges[0]?.node).toMatchObject({ status: "PARTIAL_SUCCESS", eventSequence: 30 });
  });

  test("an answer as new as the cache, or newer, or of a batch the cache has not seen, is left as it is", () => {
    const cache = new InMemoryCache();
    writeBatchSnapshot(cache, running);
    const same = { batch: { ...running, __typename: "Batch" } };
    expect(withNewerStates(cache, same)).toBe(same);
    const newer = { batch: { ...finished, __typename: "Batch" } };
    expect(withNewerStates(cache, newer)).toBe(newer);
    const unseen = { batch: { ...running, __typename: "Batch", id: "another" } };
    expect(withNewerStates(cache, unseen)).toBe(unseen);
  });
});

describe("trades", () => {
  const pending = tradeRow(1, { status: "PENDING", attempts: 0, sequence: 4 });
  const booked = tradeRow(1, { status: "SUCCESS", attempts: 1, transactionId: "TX-1", sequence: 9 });
  /** A table that holds the trade, as a page read puts it in the cache. */
  function holding(trade = pending): InMemoryCache {
    const cache = new InMemoryCache();
    cache.writeFragment({ fragment: TradeRowFragment, id: cache.identify(trade), data: trade });
    return cache;
  }

  test("a live change is written into a trade a table holds, a late one (a lower sequence) is not, and an unheld trade is not created", () => {
    const cache = holding();
    expect(writeTradeIfCached(cache, booked)).toBe(true);
    expect(readTrade(cache, booked.id)).toMatchObject({ status: "SUCCESS", sequence: 9 });
    writeTradeIfCached(cache, { ...pending, status: "EXECUTING", sequence: 6 });
    expect(readTrade(cache, booked.id)).toMatchObject({ status: "SUCCESS", sequence: 9 });
    expect(writeTradeIfCached(cache, tradeRow(2))).toBe(false);
    expect(readTrade(cache, tradeRow(2).id)).toBeNull();
  });

  test("an answer with a trade older than the live events gets the cache's newer state, in the fields it asked for", () => {
    const cache = holding(booked);
    // A page of the batch's trades read while the trade was still pending, answered after its booking arrived.
    const page = { batch: { __typename: "Batch", id: "b1", trades: { edges: [{ node: { ...pending, batch: { id: "b1" } } }] } } };
    expect(withNewerStates(cache, page).batch.trades.edges[0]?.node).toEqual({ ...booked, batch: { id: "b1" } });
    const partial = { trade: { __typename: "Trade", id: pending.id, status: "PENDING", sequence: 4 } };
    expect(withNewerStates(cache, partial)).toEqual({ trade: { __typename: "Trade", id: pending.id, status: "SUCCESS", sequence: 9 } });
  });

  test("an answer with a trade as new as the cache's, or newer, or not held, is left as it is", () => {
    const cache = holding();
    for (const answer of [{ trade: pending }, { trade: booked }, { trade: tradeRow(2, { sequence: 0 }) }]) {
      expect(withNewerStates(cache, answer)).toBe(answer);
    }
  });
});
