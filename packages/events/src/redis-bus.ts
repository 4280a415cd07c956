import { Redis } from "ioredis";
import { createInProcessEventBus, type EventBus, type SubscribeOptions } from "./bus";
import { AwaitingEchoes, HANDED_HERE } from "./handed";

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
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const prefix = options.prefix ?? "fxbt:events:";
  const onError = options.onError ?? (() => {});
  const local = createInProcessEventBus();
  const awaiting = new AwaitingEchoes();
  // A connection in subscriber mode can do nothing else, so publishing has its own.
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // Named, so that an operator (CLIENT LIST) can tell the installation's listening connections.
  const subscriber = new Redis(options.url, { lazyConnect: true, connectionName: `fxbt-events:${prefix.replace(/[^\w:.-]/g, "_")}` });
  const pattern = `${escapePattern(prefix)}*`;
  publisher.on("error", onError);
  subscriber.on("error", onError);
  subscriber.on("pmessage", (_pattern: string, prefixed: string, text: string) => {
    const channel = prefixed.slice(prefix.length);
    const onHanded = awaiting.take(channel, text);
    // A snapshot of ours, handed to this process's subscribers when it was published.
    if (onHanded === HANDED_HERE) return;
    const handedAt = performance.now();
    if (local.listenerCount(channel) > 0) {
      try {
        local.publish(channel, JSON.parse(text));
      } catch (error) {
        onError(error);
      }
    }
    onHanded?.(handedAt);
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
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot reach Redis for events at ${options.url}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    publish(channel, message, onHanded, publishOptions) {
      const text = JSON.stringify(message);
      let awaited = onHanded;
      if (publishOptions?.snapshot) {
        const handedAt = performance.now();
        local.publish(channel, message);
        onHanded?.(handedAt);
        awaited = HANDED_HERE;
      }
      if (awaited) awaiting.add(channel, text, awaited);
      publisher.publish(`${prefix}${channel}`, text).catch((error) => {
        if (awaited) awaiting.forget(awaited);
        onError(error);
      });
    },
    subscribe<T>(channel: string, signal?: AbortSignal, subscribeOptions?: SubscribeOptions<T>) {
      return local.subscribe<T>(channel, signal, subscribeOptions);
    },
    async close() {
      await local.close();
      awaiting.clear();
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}

/** Redis glob patterns treat * ? [ ] \ as special: a prefix is matched literally. */
function escapePattern(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
