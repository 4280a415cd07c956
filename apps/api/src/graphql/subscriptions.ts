import { type BatchView, canSeeBatch, isFinalBatchStatus, isOlderBatchSnapshot } from "@fxbt/domain";
import {
  type BatchListMessage,
  type BatchProgressMessage,
  channels,
  SlowConsumerError,
  type TradeChannelMessage,
  type TradeStatusMessage,
} from "@fxbt/events";
import { apiError, notFound } from "../errors";
import { checkId } from "../ids";
import type { GraphQLContext } from "./context";

/**
 * Subscribes before reading the current state, so nothing published in between is
 * missed; what arrives older than the state already sent is dropped.
 */
async function batchProgress(_: unknown, { id }: { id: string }, context: GraphQLContext) {
  checkId("batch", id);
  const stop = new AbortController();
  // Only the newest snapshot waits for a slow reader: a batch's final one is never dropped.
  const live = context.bus.subscribe<BatchProgressMessage>(channels.batchProgress(id), stop.signal, {
    conflate: (message) => message.batch.id,
  });
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
        if (message.deleted) {
          yield message;
          return;
        }
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
  // Room for a whole batch's transitions at once (a cancel publishes them together); a reader
  // that falls further behind is told so (LIMIT_EXCEEDED) and reads the trades again.
  const live = context.bus.subscribe<TradeChannelMessage>(channels.tradeStatus(batchId), stop.signal, {
    limit: TRADE_STATUS_BUFFER,
  });
  if (!(await context.queries.batch(batchId))) {
    stop.abort();
    throw notFound("batch", batchId);
  }
  return withCleanup(untilDeleted(live), stop);
}

function batchesChanged(_: unknown, __: unknown, context: GraphQLContext) {
  const stop = new AbortController();
  const viewer = { partner: context.caller?.partner ?? null };
  const changes = context.bus.subscribe<BatchListMessage>(channels.batchList(), stop.signal, {
    conflate: (message) => message.batch.id,
  });
  return withCleanup(changes, stop, (message) => canSeeBatch(viewer, message.batch));
}

/** A batch's trade changes until the batch is deleted: then the subscription completes. */
async function* untilDeleted(messages: AsyncIterableIterator<TradeChannelMessage>): AsyncGenerator<TradeStatusMessage> {
  for await (const message of messages) {
    if ("ended" in message) return;
    yield message;
  }
}

/** A slow reader's trade transitions buffered at most; more than a batch's largest burst. */
export const TRADE_STATUS_BUFFER = 200_000;

/**
 * Passes on the messages the caller may see, ends the bus subscription when the client goes
 * away (graphql-ws calls return()), and tells a reader that fell behind in the API's error format.
 */
async function* withCleanup<T>(
  messages: AsyncIterableIterator<T>,
  stop: AbortController,
  visible: (message: T) => boolean = () => true,
): AsyncGenerator<T> {
  try {
    for await (const message of messages) if (visible(message)) yield message;
  } catch (error) {
    if (error instanceof SlowConsumerError) throw apiError("LIMIT_EXCEEDED", error.message);
    throw error;
  } finally {
    stop.abort();
  }
}

export const subscriptionResolvers = {
  batchProgress: {
    subscribe: batchProgress,
    resolve: (message: BatchProgressMessage) => ({ ...message, deleted: message.deleted ?? false }),
  },
  tradeStatusChanged: { subscribe: tradeStatusChanged, resolve: (message: TradeStatusMessage) => message },
  batchesChanged: { subscribe: batchesChanged, resolve: (message: BatchListMessage) => message.batch },
  batchListChanged: {
    subscribe: batchesChanged,
    resolve: (message: BatchListMessage) => ({ kind: message.kind === "deleted" ? "DELETED" : "CHANGED", batch: message.batch }),
  },
};
