import { EventEmitter, on } from "node:events";

/**
 * Moves JSON-serialisable messages from publishers to subscribers of a channel. The
 * in-process bus below serves one API instance; an implementation over a broker serves
 * several, and nothing above this interface changes.
 */
export interface EventBus {
  publish(channel: string, message: unknown): void;
  /** Messages published on the channel from now on, until `signal` aborts or the caller stops iterating. */
  subscribe<T>(channel: string, signal?: AbortSignal): AsyncIterableIterator<T>;
  close(): Promise<void>;
}

export function createInProcessEventBus(): EventBus {
  const emitter = new EventEmitter();
  // Every open subscription is a listener; hundreds on one channel are expected, not a leak.
  emitter.setMaxListeners(0);
  const closing = new AbortController();
  return {
    publish(channel, message) {
      emitter.emit(channel, message);
    },
    subscribe<T>(channel: string, signal?: AbortSignal) {
      const stop = signal ? AbortSignal.any([signal, closing.signal]) : closing.signal;
      const events = on(emitter, channel, { signal: stop });
      return unwrapFirstArgument<T>(events);
    },
    async close() {
      closing.abort();
      emitter.removeAllListeners();
    },
  };
}

/** events.on yields each emit's argument list and rejects with AbortError on abort; subscribers want the message and a clean end. */
async function* unwrapFirstArgument<T>(events: AsyncIterableIterator<unknown[]>): AsyncIterableIterator<T> {
  try {
    for await (const args of events) yield args[0] as T;
  } catch (error) {
    if ((error as Error).name !== "AbortError") throw error;
  }
}
