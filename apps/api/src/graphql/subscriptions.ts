import { type BatchView, canSeeBatch, isFinalBatchStatus, isNewerBatchSnapshot } from "@fxbt/domain";
import {
  type BatchListMessage,
  type BatchProgressMessage,
  channels,
  type MissedMessage,
  missedMessage,
  SlowConsumerError,
  supersedesUnreadBatchMessage,
  type TradeChannelMessage,
  type TradeStatusMessage,
} from "@fxbt/events";
import { apiError, notFound } from "../errors";
import { checkId } from "../ids";
import type { GraphQLContext } from "./context";
import { tradeEventsInOrder } from "./trade-events-in-order";

/**
 * A batch's progress. Subscribes before reading the current state, so nothing published in
 * between is missed. Snapshots are numbered by the batch's event sequence: one at or below what
 * was already sent (or below `afterSequence`, which the caller has) is not sent again. Should the
 * bus say that messages may have been lost (its broker connection was), the batch is read again:
 * a lost final snapshot, or a lost deletion, would otherwise leave the subscription open for good.
 */
async function batchProgress(_: unknown, { id, afterSequence }: { id: string; afterSequence?: number | null }, context: GraphQLContext) {
  checkId("batch", id);
  const stop = new AbortController();
  // Only the newest snapshot waits for a slow reader: a batch's final one is never dropped.
  const live = context.bus.subscribe<BatchProgressMessage | MissedMessage>(channels.batchProgress(id), stop.signal, {
    conflate: (message) => ("missed" in message ? null : message.batch.id),
    // Only messages of one batch meet here: the loss is never conflated (SubscribeOptions.missed).
    supersedes: (incoming, queued) => supersedesUnreadBatchMessage(incoming as BatchProgressMessage, queued as BatchProgressMessage),
    missed: missedMessage,
  });
  const current = await startingBatch(context, id, afterSequence, stop);
  return stoppedOnReturn(
    stop,
    (async function* (): AsyncGenerator<BatchProgressMessage> {
      try {
        let latest: BatchView = current;
        if (afterSequence == null || isNewerBatchSnapshot(current, { eventSequence: afterSequence })) yield { batch: latest };
        if (isFinalBatchStatus(latest.status)) return;
        for await (const received of live) {
          let message: BatchProgressMessage = received as BatchProgressMessage;
          if ("missed" in received) {
            const now = await context.queries.batch(id);
            message = now ? { batch: now } : { batch: latest, deleted: true };
          }
          if (message.deleted) {
            yield message;
            return;
          }
          if (!isNewerBatchSnapshot(message.batch, latest)) continue;
          latest = message.batch;
          yield message;
          if (isFinalBatchStatus(latest.status)) return;
        }
      } finally {
        stop.abort();
      }
    })(),
  );
}

/**
 * A batch's trade changes in event order. With `afterSequence`, first each trade changed since
 * that number, as it stands now (read from the database), then live events, with no gap and no
 * duplicate between them (tradeEventsInOrder). Without it, the changes from now on.
 */
async function tradeStatusChanged(
  _: unknown,
  { batchId, afterSequence }: { batchId: string; afterSequence?: number | null },
  context: GraphQLContext,
) {
  checkId("batch", batchId);
  const stop = new AbortController();
  // Room for a whole batch's transitions at once (a cancel publishes them together); a reader
  // that falls further behind is told so (LIMIT_EXCEEDED) and resumes after its last number.
  const live = context.bus.subscribe<TradeChannelMessage | MissedMessage>(channels.tradeStatus(batchId), stop.signal, {
    limit: TRADE_STATUS_BUFFER,
    missed: missedMessage,
  });
  const batch = await startingBatch(context, batchId, afterSequence, stop);
  const queries = context.queries;
  // An archived batch is finished and read-only: no trade of it changes again. The subscription
  // sends what changed after afterSequence (nothing without it) and completes, rather than
  // staying open for events that cannot come.
  if (batch.archivedAt) stop.abort();
  const events = tradeEventsInOrder(batch.archivedAt ? NO_LIVE_EVENTS : endedIfDeleted(live, batchId, queries), {
    after: afterSequence ?? batch.eventSequence,
    replay: afterSequence != null,
    readChanged: (range) => queries.tradesChangedAfter(batchId, range),
  });
  return stoppedOnReturn(stop, withCleanup(events, stop));
}

/**
 * The batch a subscription starts from. Any failure (no such batch, an `afterSequence` it cannot
 * have, the database) stops the bus listener the caller already opened, which would otherwise
 * stay subscribed with nobody reading it.
 */
async function startingBatch(
  context: GraphQLContext,
  id: string,
  afterSequence: number | null | undefined,
  stop: AbortController,
): Promise<BatchView> {
  try {
    const batch = await context.queries.batch(id);
    if (!batch) throw notFound("batch", id);
    checkAfterSequence(afterSequence, batch);
    return batch;
  } catch (error) {
    stop.abort();
    throw error;
  }
}

/**
 * A batch's live trade messages, ended as its deletion ends them when the bus says messages may
 * have been lost and the batch is gone: its end (`ended`) may have been one of them, and nothing
 * more would ever come on its channel.
 */
async function* endedIfDeleted(
  live: AsyncIterableIterator<TradeChannelMessage | MissedMessage>,
  batchId: string,
  queries: GraphQLContext["queries"],
): AsyncGenerator<TradeChannelMessage | MissedMessage> {
  for await (const message of live) {
    if ("missed" in message && !(await queries.batch(batchId))) {
      yield { ended: "deleted" };
      return;
    }
    yield message;
  }
}

/** The live events of a batch that has none to come. */
const NO_LIVE_EVENTS: AsyncIterator<TradeChannelMessage | MissedMessage> = {
  next: async () => ({ done: true, value: undefined }),
};

/** A number the caller cannot have seen (negative, or past the batch's latest event) is refused, naming both. */
function checkAfterSequence(afterSequence: number | null | undefined, batch: BatchView): void {
  if (afterSequence == null) return;
  if (afterSequence < 0 || afterSequence > batch.eventSequence) {
    throw apiError(
      "BAD_USER_INPUT",
      `afterSequence ${afterSequence} is not an event of batch ${batch.id}: its events are numbered 1 to ${batch.eventSequence}`,
      { argument: "afterSequence" },
    );
  }
}

function batchesChanged(_: unknown, __: unknown, context: GraphQLContext) {
  const stop = new AbortController();
  return stoppedOnReturn(stop, batchListMessages(context, stop, false) as AsyncGenerator<BatchListMessage>);
}

/** batchFeed's first event, and its event after the bus says messages may have been lost. */
interface ListeningMessage {
  kind: "listening";
}

/**
 * The batch list's changes after a first event saying the subscription is in place: the bus
 * subscription is made before this returns, so the LISTENING event, which graphql-ws asks for only
 * after, follows it, and a read the client makes on receiving it misses no change. Should the bus
 * say later that messages may have been lost (its broker connection was), LISTENING comes again,
 * in order with the changes, and the client reads again. The event is a new object per subscriber:
 * shared execution (shared-execution.ts) keys events by identity, and a constant would stay in its
 * memo for good.
 */
function batchFeed(_: unknown, __: unknown, context: GraphQLContext) {
  const stop = new AbortController();
  const changes = batchListMessages(context, stop, true);
  return stoppedOnReturn(
    stop,
    (async function* (): AsyncGenerator<BatchListMessage | ListeningMessage> {
      yield { kind: "listening" };
      yield* changes;
    })(),
  );
}

/**
 * The batch list's changes the caller may see, from the moment this is called (the bus subscription
 * is made at once); with `toldOfLosses`, a ListeningMessage where messages may have been lost.
 */
function batchListMessages(
  context: GraphQLContext,
  stop: AbortController,
  toldOfLosses: boolean,
): AsyncGenerator<BatchListMessage | ListeningMessage> {
  const viewer = { partner: context.caller?.partner ?? null };
  const changes = context.bus.subscribe<BatchListMessage | ListeningMessage>(channels.batchList(), stop.signal, {
    // Other partners' changes are dropped on arrival: held unread, they filled a partner's buffer and
    // ended its feed (LIMIT_EXCEEDED) for batches it may not see.
    accept: (message) => message.kind === "listening" || canSeeBatch(viewer, message.batch),
    conflate: (message) => (message.kind === "listening" ? null : message.batch.id),
    // Only changes meet here: a loss is never conflated (SubscribeOptions.missed).
    supersedes: (incoming, queued) => supersedesUnreadBatchMessage(incoming as BatchListMessage, queued as BatchListMessage),
    missed: toldOfLosses ? () => ({ kind: "listening" }) : undefined,
  });
  return withCleanup(changes, stop);
}

/** The GraphQL kind of a batch list message. */
const listChangeKind = (message: BatchListMessage) => (message.kind === "deleted" ? "DELETED" : "CHANGED");

/**
 * Ends the bus subscription as soon as graphql-ws calls return() (the client completed, or its
 * socket closed). An async generator's own return() waits until its pending `await` settles,
 * here the channel's next message: until then the listener and its buffer stayed, for hours on
 * a quiet channel. Aborting first ends the bus iterator, so the generator finishes at once.
 */
function stoppedOnReturn<T>(stop: AbortController, generator: AsyncGenerator<T>): AsyncGenerator<T> {
  const finish = generator.return.bind(generator);
  generator.return = (value) => {
    stop.abort();
    return finish(value);
  };
  return generator;
}

/** A slow reader's trade transitions buffered at most; more than a batch's largest burst. */
export const TRADE_STATUS_BUFFER = 200_000;

/**
 * Passes the messages on (the bus subscription already kept those the caller may see), ends the bus
 * subscription when the client goes away (graphql-ws calls return()), and tells a reader that fell
 * behind in the API's error format.
 */
async function* withCleanup<T>(messages: AsyncIterableIterator<T>, stop: AbortController): AsyncGenerator<T> {
  try {
    for await (const message of messages) yield message;
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
    resolve: (message: BatchProgressMessage) => ({ ...message, deleted: message.deleted ?? false, sequence: message.batch.eventSequence }),
  },
  tradeStatusChanged: {
    subscribe: tradeStatusChanged,
    resolve: (message: TradeStatusMessage) => ({ ...message, sequence: message.trade.sequence }),
  },
  batchesChanged: { subscribe: batchesChanged, resolve: (message: BatchListMessage) => message.batch },
  batchListChanged: {
    subscribe: batchesChanged,
    resolve: (message: BatchListMessage) => ({ kind: listChangeKind(message), batch: message.batch }),
  },
  batchFeed: {
    subscribe: batchFeed,
    resolve: (message: BatchListMessage | ListeningMessage) =>
      message.kind === "listening" ? { kind: "LISTENING", batch: null } : { kind: listChangeKind(message), batch: message.batch },
  },
};
