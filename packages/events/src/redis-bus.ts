import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createInProcessEventBus, type EventBus, messageJson, type SubscribeOptions } from "./bus";
import { AwaitingHands, HANDED_HERE } from "./handed";
import { HeardNumbers, LossAnnouncer, readNumber } from "./numbered";

/** Options of {@link createRedisEventBus}. */
export interface RedisEventBusOptions {
  /** redis:// or rediss:// of the server every API instance shares. */
  url: string;
  /**
   * Put before every channel name, so installations (or test runs) sharing one Redis server do
   * not hear each other. Default "fxbt:events:".
   */
  prefix?: string;
  /** Hears the connections' errors (a lost connection is retried by ioredis). Default: ignored. */
  onError?: (error: unknown) => void;
}

/**
 * Events across API instances over Redis pub/sub: every instance publishes to Redis and hears
 * every channel through one pattern subscription, then hands each message to its own
 * subscribers through an in-process bus (with its bounded, conflating buffers).
 *
 * Why one pattern for everything rather than a Redis subscription per channel: the
 * subscription is in place before the API serves anything, so a GraphQL subscription that
 * subscribes and then reads the current state can never miss a message sent in between
 * (a per-channel SUBSCRIBE would answer asynchronously, after the read). The price is that every
 * instance receives every message; one without a subscriber for it drops it before parsing it.
 *
 * Local subscribers receive messages published on this instance through Redis as well, so all
 * subscribers of a channel see one order: the order Redis received them in. A message's
 * `onHanded` runs when it is back and handed to them. A snapshot (PublishOptions) is handed to
 * them at once instead, and not again when it is back.
 *
 * Each message is "<bus id> <sequence>", a newline, then its JSON, numbered as the PostgreSQL
 * bus numbers its notifications (numbered.ts): a receiver drops a message ioredis sent twice (it
 * resends a command whose answer was lost with its connection) and sees a gap where a publish
 * failed (ioredis gives up on a queued command after three failed reconnections) or its own subscriber was
 * away. A bus says its numbers with no message on the channel that is the prefix alone: number 0
 * as it starts, and the next one after a publish it gave up on, as soon as Redis takes it. The
 * subscribers that asked (`SubscribeOptions.missed`) are told of every loss seen.
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const prefix = options.prefix ?? "fxbt:events:";
  const onError = options.onError ?? (() => {});
  const local = createInProcessEventBus();
  const id = randomBytes(6).toString("hex");
  const awaiting = new AwaitingHands();
  const heard = new HeardNumbers((missed) => {
    onError(missed);
    local.missed();
  });
  // A connection in subscriber mode can do nothing else, so publishing has its own.
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: MAX_RETRIES_PER_REQUEST });
  // Named, so that an operator (CLIENT LIST) can tell the installation's listening connections.
  const subscriber = new Redis(options.url, { lazyConnect: true, connectionName: `fxbt-events:${prefix.replace(/[^\w:.-]/g, "_")}` });
  const pattern = `${escapePattern(prefix)}*`;
  publisher.on("error", onError);
  subscriber.on("error", onError);
  subscriber.on("pmessage", (_pattern: string, prefixed: string, text: string) => {
    const newline = text.indexOf("\n");
    const numbered = readNumber(newline < 0 ? text : text.slice(0, newline));
    if (!numbered) {
      onError(new Error(`malformed event message: ${text.slice(0, 80)}`));
      return;
    }
    const { sender, sequence } = numbered;
    if (!heard.take(sender, sequence, newline < 0)) return;
    const onHanded = sender === id ? awaiting.take(sequence)?.[0] : undefined;
    // A number alone; or a snapshot of ours, handed to this process's subscribers when it was published.
    if (newline < 0 || onHanded === HANDED_HERE) return;
    const channel = prefixed.slice(prefix.length);
    const handedAt = performance.now();
    if (local.listenerCount(channel) > 0) {
      try {
        local.publish(channel, JSON.parse(text.slice(newline + 1)));
      } catch (error) {
        onError(error);
      }
    }
    onHanded?.(handedAt);
  });
  let sequence = 0;
  /**
   * The last publish sent. Once it has settled, the earlier ones have been sent or given up on,
   * except one written to a connection that was lost: ioredis resends it once connected again, and
   * keeps it until then (MAX_RETRIES_PER_REQUEST does not count for it once a reconnection has
   * got as far as connecting).
   */
  let lastPublish: Promise<unknown> = Promise.resolve();
  const losses = new LossAnnouncer({
    async sendNumber() {
      const n = ++sequence;
      await publisher.publish(prefix, `${id} ${n}`);
      return n;
    },
    onError,
  });
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
    await subscriber.psubscribe(pattern);
    // After a lost connection ioredis connects again and subscribes again by itself, without
    // waiting for the answer: the pattern is asked for here too (a repeat changes nothing), and
    // once Redis has answered, messages meanwhile being gone, the subscribers that asked are told
    // (SubscribeOptions.missed).
    subscriber.on("ready", () => {
      subscriber.psubscribe(pattern).then(() => local.missed(), onError);
    });
    // Number 0, before any message: the instances listening already (this one too) know this bus's
    // numbers from the start, so they see a loss of its very first messages as well.
    await publisher.publish(prefix, `${id} ${sequence}`).catch(onError);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot reach Redis for events at ${options.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let closed = false;
  return {
    publish(channel, message, onHanded, publishOptions) {
      if (closed) {
        onError(new Error(`event on ${channel} published after the bus closed: not sent`));
        return;
      }
      // Numbered once it is known to be JSON: a number taken by nothing sent would read as a loss.
      const json = messageJson(channel, message, onError);
      if (json === undefined) return;
      const n = ++sequence;
      const text = `${id} ${n}\n${json}`;
      let awaited = onHanded;
      if (publishOptions?.snapshot) {
        const handedAt = performance.now();
        local.publish(channel, message);
        onHanded?.(handedAt);
        awaited = HANDED_HERE;
      }
      if (awaited) awaiting.add(n, [awaited]);
      lastPublish = publisher.publish(`${prefix}${channel}`, text).then(
        () => losses.sent(n),
        (error) => {
          awaiting.forget(n);
          onError(error);
          losses.lost(n);
        },
      );
    },
    subscribe<T>(channel: string, signal?: AbortSignal, subscribeOptions?: SubscribeOptions<T>) {
      return local.subscribe<T>(channel, signal, subscribeOptions);
    },
    async close() {
      if (closed) return;
      closed = true;
      // What was published before close still reaches the other instances, or its loss is told;
      // but while Redis is unreachable, waiting no longer than ioredis waits for a queued command:
      // one written to a connection lost while Redis takes connections and drops them (a proxy
      // before a server that is down, maxclients reached) would be waited for until it is back.
      await untilSettledOrUnreachable(publisher, lastPublish);
      await losses.close();
      await local.close();
      awaiting.clear();
      // What this bus sent is answered or given up on by now (or stuck as above); quit would wait behind
      // what a reconnection left queued (its setup commands) for as long as Redis stays away.
      subscriber.disconnect();
      publisher.disconnect();
    },
  };
}

/** How many reconnections ioredis waits through before it gives up on a queued publish. */
const MAX_RETRIES_PER_REQUEST = 3;

/**
 * Resolves once `settled` has, or once the connection has been lost more often in a row than
 * ioredis tries again for a queued command (MAX_RETRIES_PER_REQUEST).
 */
async function untilSettledOrUnreachable(connection: Redis, settled: Promise<unknown>): Promise<void> {
  let failures = 0;
  let giveUp = () => {};
  const gaveUp = new Promise<void>((resolve) => {
    giveUp = resolve;
  });
  const onReconnecting = () => {
    if (++failures > MAX_RETRIES_PER_REQUEST) giveUp();
  };
  const onReady = () => {
    failures = 0;
  };
  connection.on("reconnecting", onReconnecting);
  connection.on("ready", onReady);
  try {
    await Promise.race([settled, gaveUp]);
  } finally {
    connection.off("reconnecting", onReconnecting);
    connection.off("ready", onReady);
  }
}

/** Redis glob patterns treat * ? [ ] \ as special: a prefix is matched literally. */
function escapePattern(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
