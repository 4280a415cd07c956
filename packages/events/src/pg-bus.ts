import { randomBytes } from "node:crypto";
import pg from "pg";
import { createInProcessEventBus, type EventBus, type InProcessEventBus, type SubscribeOptions } from "./bus";
import { AwaitingHands, HANDED_HERE } from "./handed";
import { FIRST_RECONNECT_DELAY_MS, HeardNumbers, MAX_RECONNECT_DELAY_MS, MissedEventsError, readNumber } from "./numbered";
import { createSender, EventTooLargeError, NOTIFY_PAYLOAD_LIMIT } from "./pg-notify";

export { EventTooLargeError, MissedEventsError, NOTIFY_PAYLOAD_LIMIT };

/** Options of {@link createPostgresEventBus}. */
export interface PostgresEventBusOptions {
  /** postgresql:// of the database every API instance shares (the product's own). */
  url: string;
  /**
   * The NOTIFY channel every instance listens on. Notifications never leave their database, so
   * installations on one server are already apart; a different channel keeps apart buses that
   * share one database (test runs). At most 63 bytes. Default "fxbt_events".
   */
  channel?: string;
  /**
   * Hears what goes wrong without stopping the bus: a lost listener (it reconnects), a failed
   * NOTIFY (retried once, then its messages are dropped), a message too large for one
   * notification ({@link EventTooLargeError}), notifications missed while the listener was away
   * ({@link MissedEventsError}). Default: ignored.
   */
  onError?: (error: unknown) => void;
}

/**
 * Events across API instances over PostgreSQL LISTEN/NOTIFY, for several instances without
 * Redis: every instance publishes with NOTIFY and hears every message through one LISTEN, then
 * hands each to its own subscribers through an in-process bus (with its bounded, conflating
 * buffers), as the Redis bus does.
 *
 * The LISTEN is in place before this resolves, so before the API serves: a GraphQL
 * subscription that subscribes and then reads the current state cannot miss a message sent in
 * between. Every instance receives every message; one without a subscriber for a channel drops
 * that message before parsing it.
 *
 * The messages themselves travel, not ids to read back: ours are small JSON (bench/events-bus.ts
 * measures the largest a trade's or a batch's can be), so the receivers add no reads to the
 * database. Messages published in one tick, and
 * those published while the previous NOTIFY was in flight, go out together, packed into as
 * few notifications as fit under {@link NOTIFY_PAYLOAD_LIMIT}, by one statement on a
 * connection of the bus's own, one statement at a time. PostgreSQL delivers a transaction's
 * notifications in the order they were sent and transactions in commit order, so subscribers on
 * every instance see one order: each instance's messages in the order it published them,
 * interleaved as its NOTIFYs committed. Local subscribers get local messages back through
 * PostgreSQL so that they share it; a message's `onHanded` runs when it is back and handed to them.
 * A snapshot (PublishOptions) is handed to them at once instead, and not again when it is back.
 *
 * Each notification carries its bus's id and a sequence number, which keeps identical
 * payloads distinct (PostgreSQL folds identical notifications of one transaction into one),
 * drops a notification delivered twice after a retried NOTIFY, and tells (onError) when some
 * were missed: notifications sent while a listener was reconnecting are lost, as they are
 * with Redis pub/sub. Either way the subscribers that asked (`SubscribeOptions.missed`) are told
 * too, once the listener hears again, so they can read again what they keep current.
 */
export async function createPostgresEventBus(options: PostgresEventBusOptions): Promise<EventBus> {
  const channel = options.channel ?? "fxbt_events";
  if (Buffer.byteLength(channel) > 63) throw new Error(`event channel "${channel}" is longer than PostgreSQL's 63 bytes`);
  const onError = options.onError ?? (() => {});
  const local = createInProcessEventBus();
  const id = randomBytes(6).toString("hex");
  const awaiting = new AwaitingHands();
  const receiver = createReceiver(local, id, awaiting, onError);
  // Notifications sent while the listener was away are lost: the subscribers that asked are told.
  const listener = await startListener(
    options.url,
    channel,
    (payload) => receiver(payload),
    onError,
    () => local.missed(),
  );
  // A pool of one: publishes stay in order, and a connection lost between two is replaced. Kept
  // open when idle, so the first event after a quiet spell does not wait for a new connection.
  const pool = new pg.Pool({ connectionString: options.url, max: 1, idleTimeoutMillis: 0, application_name: "fxbt-events-publisher" });
  pool.on("error", onError);
  const sender = createSender(pool, channel, id, awaiting, local, onError);
  await sender.introduce();
  let closed = false;
  return {
    publish(name, message, onHanded, publishOptions) {
      if (closed) {
        onError(new Error(`event on ${name} published after the bus closed: not sent`));
        return;
      }
      sender.publish(name, message, onHanded, publishOptions);
    },
    subscribe<T>(name: string, signal?: AbortSignal, subscribeOptions?: SubscribeOptions<T>) {
      return local.subscribe<T>(name, signal, subscribeOptions);
    },
    async close() {
      if (closed) return;
      closed = true;
      // What was published before close still reaches the other instances (the last snapshots at shutdown).
      await sender.drained();
      await sender.close();
      await local.close();
      await listener.stop();
      awaiting.clear();
      await pool.end();
    },
  };
}

/** Turns each notification back into messages for the local subscribers. */
function createReceiver(local: InProcessEventBus, ownId: string, awaiting: AwaitingHands, onError: (error: unknown) => void) {
  const heard = new HeardNumbers((missed) => {
    onError(missed);
    local.missed();
  });
  return (payload: string) => {
    const lines = payload.split("\n");
    const numbered = readNumber(lines[0] ?? "");
    if (!numbered) {
      onError(new Error(`malformed event notification: ${payload.slice(0, 80)}`));
      return;
    }
    const { sender, sequence } = numbered;
    if (!heard.take(sender, sequence, lines.length === 1)) return;
    const hands = sender === ownId ? awaiting.take(sequence) : undefined;
    for (let i = 1; i < lines.length; i++) {
      // A snapshot of ours, handed to this process's subscribers when it was published.
      if (hands?.[i - 1] === HANDED_HERE) continue;
      const line = lines[i]!;
      const tab = line.indexOf("\t");
      const name = line.slice(0, tab);
      const handedAt = performance.now();
      if (local.listenerCount(name) > 0) {
        try {
          local.publish(name, JSON.parse(line.slice(tab + 1)));
        } catch (error) {
          onError(error);
        }
      }
      hands?.[i - 1]?.(handedAt);
    }
  };
}

/**
 * One dedicated connection that LISTENs, and listens again after it is lost (backing off from
 * 0.1 s to 5 s). The first LISTEN must succeed: the API does not start without its events.
 */
async function startListener(
  url: string,
  channel: string,
  receive: (payload: string) => void,
  onError: (error: unknown) => void,
  /** Called each time it listens again after losing its connection. */
  onListeningAgain: () => void,
) {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  let delay = FIRST_RECONNECT_DELAY_MS;

  async function listen(): Promise<pg.Client> {
    // TCP keepalive from 10 s: a listener cut off without a word (a dead route) is noticed within
    // minutes (the system's probe interval and count), not after the usual two idle hours.
    const connection = new pg.Client({
      connectionString: url,
      application_name: "fxbt-events-listener",
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    connection.on("notification", (notification) => {
      if (notification.channel === channel && notification.payload !== undefined) receive(notification.payload);
    });
    connection.on("error", onError);
    try {
      await connection.connect();
      await connection.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await connection.end().catch(() => {});
      throw error;
    }
    connection.once("end", () => {
      if (client !== connection || stopped) return;
      client = null;
      onError(new Error("the events listener lost its connection: listening again (notifications meanwhile are lost)"));
      reconnect();
    });
    return connection;
  }

  function reconnect(): void {
    retry = setTimeout(async () => {
      retry = null;
      try {
        const connection = await listen();
        if (stopped) {
          await connection.end();
          return;
        }
        client = connection;
        delay = FIRST_RECONNECT_DELAY_MS;
        onListeningAgain();
      } catch (error) {
        onError(error);
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
        if (!stopped) reconnect();
      }
    }, delay);
  }

  try {
    client = await listen();
  } catch (error) {
    throw new Error(`cannot LISTEN for events on PostgreSQL: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    async stop(): Promise<void> {
      stopped = true;
      if (retry) clearTimeout(retry);
      const connection = client;
      client = null;
      await connection?.end().catch(() => {});
    },
  };
}
