import type { ApolloCache } from "@apollo/client";
import { isNewerBatchSnapshot, isNewerTradeSnapshot } from "@fxbt/domain/status";
import type { BatchFieldsFragment as BatchFields, TradeRowFragment as TradeRow } from "../gql/graphql";
import { BatchFieldsFragment, TradeRowFragment } from "../graphql/fragments";

/**
 * Writes a batch state that arrived over a subscription into its normalized entry
 * (Batch:<id>), unless the cache already holds one as new (a batch's snapshots are numbered by
 * its event sequence). Returns what was there before.
 */
export function writeBatchSnapshot(cache: ApolloCache, batch: BatchFields): BatchFields | null {
  const id = cache.identify({ __typename: "Batch", id: batch.id });
  const cached = cache.readFragment({ fragment: BatchFieldsFragment, id });
  if (!cached || isNewerBatchSnapshot(batch, cached)) cache.writeFragment({ fragment: BatchFieldsFragment, id, data: batch });
  return cached;
}

/**
 * An HTTP answer (a query's, or an action's such as startBatch or retryFailedTrades) with, in place
 * of any batch or trade that is older than the one the cache holds, the cache's newer state. Apollo
 * writes answers into the cache as they are, so one that took longer than the live events (the
 * runner finished a small batch before retryFailedTrades was answered; a page of trades read while
 * they were being booked) would put a batch back to RUNNING, or a trade back to PENDING, for good:
 * the events that came before it are not sent again. Both are numbered by their batch's event
 * sequence (Batch.eventSequence, Trade.sequence). The answer is returned as it is when nothing is
 * older, and only the fields it asked for are replaced.
 */
export function withNewerStates<T>(cache: ApolloCache, value: T): T {
  if (Array.isArray(value)) {
    const items = value.map((item) => withNewerStates(cache, item));
    return items.some((item, i) => item !== value[i]) ? (items as T) : value;
  }
  if (value === null || typeof value !== "object") return value;
  let result = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(result)) {
    const newer = withNewerStates(cache, child);
    if (newer !== child) result = { ...result, [key]: newer };
  }
  const cached: Record<string, unknown> | null = newerCachedState(cache, result);
  if (!cached) return result as T;
  const fields = Object.keys(result).filter((key) => key in cached);
  return { ...result, ...Object.fromEntries(fields.map((key) => [key, cached[key]])) } as T;
}

/** The cache's state of the batch or trade `answered` is, when it is newer than the answer's. */
function newerCachedState(cache: ApolloCache, answered: Record<string, unknown>): BatchFields | TradeRow | null {
  const { __typename, id, eventSequence, sequence } = answered;
  if (typeof id !== "string") return null;
  if (__typename === "Batch" && typeof eventSequence === "number") {
    const cached = readBatch(cache, id);
    return cached && isNewerBatchSnapshot(cached, { eventSequence }) ? cached : null;
  }
  if (__typename === "Trade" && typeof sequence === "number") {
    const cached = readTrade(cache, id);
    return cached && isNewerTradeSnapshot(cached, { sequence }) ? cached : null;
  }
  return null;
}

export function readBatch(cache: ApolloCache, batchId: string): BatchFields | null {
  return cache.readFragment({ fragment: BatchFieldsFragment, id: cache.identify({ __typename: "Batch", id: batchId }) });
}

export function evictBatch(cache: ApolloCache, batchId: string): void {
  cache.evict({ id: cache.identify({ __typename: "Batch", id: batchId }) });
  cache.gc();
}

/**
 * Updates a trade only when a table already holds it: a 100,000-trade batch sends an
 * event per trade transition, and creating cache entries for trades nobody is looking
 * at would grow memory without showing anything. A state no newer than the one held (a
 * page read after the change answered first) is not written back over it.
 */
export function writeTradeIfCached(cache: ApolloCache, trade: TradeRow): boolean {
  const cached = readTrade(cache, trade.id);
  if (!cached) return false;
  if (isNewerTradeSnapshot(trade, cached)) cache.writeFragment({ fragment: TradeRowFragment, id: cache.identify(trade), data: trade });
  return true;
}

export function readTrade(cache: ApolloCache, tradeId: string): TradeRow | null {
  return cache.readFragment({ fragment: TradeRowFragment, id: cache.identify({ __typename: "Trade", id: tradeId }) });
}
