import { EventEmitter } from "node:events";
import { BoundedQueue, BoundedSubscription } from "./bounded-queue";

/** The most messages held for one subscriber that has not read them, unless `SubscribeOptions.limit` says otherwise. */
export const DEFAULT_SUBSCRIBER_LIMIT = 1_000;

/** Called with the time (`performance.now()`) a published message was handed to this process's subscribers. */
export type OnHanded = (handedAt: number) => void;

/** How a message is published. */
export interface PublishOptions {
  /**
   * The message is a whole snapshot of something whose subscribers keep only the newest, judged by
   * the message itself (a batch's progress, by its event number), so its order against other
   * messages does not matter: this process's subscribers are handed it at once, and other
   * instances' through the broker, where their own snapshots meet it in any order. It saves a
   * broker's round trip (tens of milliseconds under load) on the way to this process's sockets.
   *
   * @default false (this process's subscribers get it when it comes back, in the broker's order)
   */
  snapshot?: boolean;
}

/** How much one subscriber may fall behind before messages are dropped or the subscription ends. */
export interface SubscribeOptions<T = unknown> {
  /**
   * The most messages held for this subscriber while it has not read them. One more that
   * supersedes none of them ends the subscription with a `SlowConsumerError`. It must be at
   * least the largest number of messages published on the channel in one go (one committed
   * transaction publishes its changes synchronously, before any reader can run).
   *
   * @default 1_000 (DEFAULT_SUBSCRIBER_LIMIT)
   */
  limit?: number;
  /**
   * The key of a message that supersedes every earlier unread message with the same key (a
   * batch's id, for snapshots of that batch), or null for a message that must be delivered.
   * The superseded message is dropped at once, not only when the buffer is full: a reader that
   * has not read a snapshot yet gains nothing from it once a newer one exists, so it gets the
   * newest sooner and its buffer holds one message per key. The newer message is queued at the
   * end, so what the reader gets is still in the order it was published, and the last message
   * of each key (a batch's final snapshot) is never dropped. A conflate that throws ends this
   * subscription with its error.
   *
   * @default undefined (every message is delivered, or the subscription ends)
   */
  conflate?: (message: T) => string | null;
  /**
   * With `conflate`: whether an incoming message replaces the unread one of its key. Messages of
   * one key can arrive out of order (snapshots of one batch published by two API instances), and
   * a late, older snapshot must not take the place of a newer one, least of all a batch's final
   * one. A message it refuses is dropped. It runs only while the reader is behind. Throwing ends
   * the subscription with its error, as `conflate` does.
   *
   * @default undefined (the incoming message always replaces the queued one)
   */
  supersedes?: (incoming: T, queued: T) => boolean;
  /**
   * Makes the message this subscriber receives when messages published on its channel may not have
   * reached it: the bus's broker connection was lost and is back (messages sent meanwhile are
   * gone), or some of another instance's notifications never arrived. It is queued as any message
   * (never conflated), after those that came before the loss was noticed, so a subscriber that
   * cannot see a gap in what it receives (a feed of many batches, a batch's last change) can read
   * again what it keeps current. While one is unread, another is not queued: reading again on the
   * first covers both. The in-process bus loses nothing and never sends it.
   *
   * @default undefined (the subscriber is not told)
   */
  missed?: () => T;
  /**
   * Whether this subscriber takes a message of the channel at all (a feed of many batches keeps
   * those its caller may see). A message it refuses is dropped on arrival: it is never queued, so
   * it neither takes a place under `limit` nor supersedes a queued one, and a reader that is behind
   * is not ended for messages it would never have been shown. Told losses (`missed`) are always
   * taken. One that throws ends this subscription with its error, as `conflate` does.
   *
   * @default undefined (every message of the channel)
   */
  accept?: (message: T) => boolean;
}

/**
 * Moves JSON-serialisable messages from publishers to subscribers of a channel. The
 * in-process bus below serves one API instance; an implementation over a broker serves
 * several, and nothing above this interface changes.
 */
export interface EventBus {
  /**
   * Sends the message to every subscriber of the channel, on every instance. `onHanded` runs once
   * the message has been handed to this process's own subscribers (given when they were handed it,
   * `performance.now()`): at once in process or for a snapshot, when it comes back over a broker. Their sockets
   * are written in the microtasks that follow, so the work it made is done by the next turn of the
   * event loop, where a publisher can time what the event cost (EventPublisher's hold). A message
   * lost on the way never calls it.
   */
  publish(channel: string, message: unknown, onHanded?: OnHanded, options?: PublishOptions): void;
  /**
   * Messages published on the channel from now on, until `signal` aborts, the caller stops
   * iterating (`return()`, or `break` out of `for await`), or the bus closes: each of these
   * ends the iterator cleanly at once. A subscriber that falls behind is bounded by `options`.
   */
  subscribe<T>(channel: string, signal?: AbortSignal, options?: SubscribeOptions<T>): AsyncIterableIterator<T>;
  /** Ends every subscription cleanly (their iterators finish, unread messages are dropped). */
  close(): Promise<void>;
}

/**
 * The JSON a bus over a broker sends for `message`, or undefined (reported to `onError`, nothing
 * sent) for one that is not JSON: thrown at the publisher, or sent as "undefined", it would fail
 * there or at every receiver.
 */
export function messageJson(name: string, message: unknown, onError: (error: unknown) => void): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(message);
  } catch (error) {
    onError(error);
    return undefined;
  }
  if (json === undefined) onError(new Error(`event on ${name} is not JSON: not sent`));
  return json;
}

export interface InProcessEventBus extends EventBus {
  /** Subscriptions open on the channel (each is one listener, removed the moment it ends). */
  listenerCount(channel: string): number;
  /**
   * Hands every subscriber that asked for it (`SubscribeOptions.missed`) its message saying that
   * messages may have been lost: called by a bus over a broker that serves its subscribers
   * through this one, once it is receiving again.
   */
  missed(): void;
}

export function createInProcessEventBus(): InProcessEventBus {
  const emitter = new EventEmitter();
  // Every open subscription is a listener; hundreds on one channel are expected, not a leak.
  emitter.setMaxListeners(0);
  const open = new Set<() => void>();
  /** Tells an open subscription that asked (SubscribeOptions.missed) that messages may have been lost. */
  const toldOfLosses = new Set<() => void>();
  let closed = false;
  return {
    publish(channel, message, onHanded) {
      const handedAt = performance.now();
      emitter.emit(channel, message);
      onHanded?.(handedAt);
    },
    subscribe<T>(
      channel: string,
      signal?: AbortSignal,
      { limit = DEFAULT_SUBSCRIBER_LIMIT, conflate, supersedes, missed, accept }: SubscribeOptions<T> = {},
    ) {
      const stop = () => subscription.end();
      const receive = (message: T) => subscription.receive(message);
      const tellLoss = () => {
        if (missed) subscription.receive(missed(), { loss: true });
      };
      const subscription = new BoundedSubscription<T>(channel, new BoundedQueue<T>(limit), { conflate, supersedes, accept }, () => {
        emitter.off(channel, receive);
        signal?.removeEventListener("abort", stop);
        open.delete(stop);
        toldOfLosses.delete(tellLoss);
      });
      if (closed || signal?.aborted) {
        subscription.end();
      } else {
        emitter.on(channel, receive);
        signal?.addEventListener("abort", stop, { once: true });
        open.add(stop);
        if (missed) toldOfLosses.add(tellLoss);
      }
      return subscription;
    },
    missed() {
      for (const tell of toldOfLosses) tell();
    },
    async close() {
      closed = true;
      for (const stop of open) stop();
    },
    listenerCount: (channel) => emitter.listenerCount(channel),
  };
}
