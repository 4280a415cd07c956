import { type BatchView, isFinalBatchStatus, isOlderBatchSnapshot } from "@fxbt/domain";
import { type BatchListMessage, type BatchProgressMessage, channels, type TradeStatusMessage } from "@fxbt/events";
import { notFound } from "../errors";
import { checkId } from "../ids";
import type { GraphQLContext } from "./context";

/**
 * Subscribes before reading the current state, so nothing published in between is
 * missed; what arrives older than the state already sent is dropped.
 */
async function batchProgress(_: unknown, { id }: { id: string }, context: GraphQLContext) {
  checkId("batch", id);
  const stop = new AbortController();
  const live = context.bus.subscribe<BatchProgressMessage>(channels.batchProgress(id), stop.signal);
  const current = await context.queries.batch(id);
  if (!current) {
    stop.abort();
    throw notFound("batch", id);
  }
  return (async function* (): AsyncGenerator<BatchProgressMessage> {
    try {
      let latest: BatchView = current;
      yield { batch: latest };
      if (isFinalBatchStatus(latest.status)) return;
      for await (const message of live) {
        if (isOlderBatchSnapshot(message.batch, latest)) continue;
        latest = message.batch;
        yield message;
        if (isFinalBatchStatus(latest.status)) return;
      }
    } finally {
      stop.abort();
    }
  })();
}

async function tradeStatusChanged(_: unknown, { batchId }: { batchId: string }, context: GraphQLContext) {
  checkId("batch", batchId);
  const stop = new AbortController();
  const live = context.bus.subscribe<TradeStatusMessage>(channels.tradeStatus(batchId), stop.signal);
  if (!(await context.queries.batch(batchId))) {
    stop.abort();
    throw notFound("batch", batchId);
  }
  return withCleanup(live, stop);
}

function batchesChanged(_: unknown, __: unknown, context: GraphQLContext) {
  const stop = new AbortController();
  return withCleanup(context.bus.subscribe<BatchListMessage>(channels.batchList(), stop.signal), stop);
}

/** Ends the bus subscription when the client goes away (graphql-ws calls return()). */
async function* withCleanup<T>(messages: AsyncIterableIterator<T>, stop: AbortController): AsyncGenerator<T> {
  try {
    yield* messages;
  } finally {
    stop.abort();
  }
}

export const subscriptionResolvers = {
  batchProgress: { subscribe: batchProgress, resolve: (message: BatchProgressMessage) => message },
  tradeStatusChanged: { subscribe: tradeStatusChanged, resolve: (message: TradeStatusMessage) => message },
  batchesChanged: { subscribe: batchesChanged, resolve: (message: BatchListMessage) => message.batch },
  batchListChanged: {
    subscribe: batchesChanged,
    resolve: (message: BatchListMessage) => ({ kind: message.kind === "deleted" ? "DELETED" : "CHANGED", batch: message.batch }),
  },
};
