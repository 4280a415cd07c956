import type { ApolloCache } from "@apollo/client";
import { isNewerBatchSnapshot } from "@fxbt/domain/status";
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
 * at would grow memory without showing anything.
 */
export function writeTradeIfCached(cache: ApolloCache, trade: TradeRow): boolean {
  const id = cache.identify({ __typename: "Trade", id: trade.id });
  if (!id || !cache.readFragment({ fragment: TradeRowFragment, id })) return false;
  cache.writeFragment({ fragment: TradeRowFragment, id, data: trade });
  return true;
}
