import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  createInProcessEventBus,
  type EventBus,
  type InProcessEventBus,
  type OnHanded,
  type PublishOptions,
  type SubscribeOptions,
} from "./bus";
import { AwaitingHands, HANDED_HERE } from "./handed";

/**
 * The largest NOTIFY payload PostgreSQL accepts, in bytes: it refuses one of 8,000 or more
 * (NOTIFY_PAYLOAD_MAX_LENGTH = BLCKSZ - NAMEDATALEN - 128 with the default 8 kB pages).
 */
export const NOTIFY_PAYLOAD_LIMIT = 7_999;

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

/** A message whose JSON cannot fit in one notification: it is not sent. */
export class EventTooLargeError extends Error {
  constructor(
    readonly channel: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`event on ${channel} is ${bytes} bytes of JSON, more than the ${limit} one notification can carry: not sent`);
    this.name = "EventTooLargeError";
  }
}

/** Notifications of one publishing instance that never arrived (the listener was away, or a NOTIFY failed). */
export class MissedEventsError extends Error {
  constructor(
    readonly sender: string,
    readonly missed: number,
  ) {
    super(`${missed} event notification(s) from bus ${sender} were missed: their subscribers skipped some messages`);
    this.name = "MissedEventsError";
  }
}

/** The longest wait between two attempts to listen again, in ms. */
const MAX_RECONNECT_DELAY_MS = 5_000;
const FIRST_RECONNECT_DELAY_MS = 100;
/** Payloads sent by one statement: a backlog goes out in statements of at most ~800 kB. */
const PAYLOADS_PER_STATEMENT = 100;

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
  /** The last sequence number heard from each bus: one entry per bus that ever published. */
  const lastSeen = new Map<string, number>();
  return (payload: string) => {
    const lines = payload.split("\n");
    const [sender = "", sequenceText = ""] = (lines[0] ?? "").split(" ");
    const sequence = Number(sequenceText);
    if (!sender || !Number.isSafeInteger(sequence)) {
      onError(new Error(`malformed event notification: ${payload.slice(0, 80)}`));
      return;
    }
    const previous = lastSeen.get(sender);
    if (previous !== undefined && sequence <= previous) return;
    if (previous !== undefined && sequence > previous + 1) {
      onError(new MissedEventsError(sender, sequence - previous - 1));
      local.missed();
    }
    lastSeen.set(sender, sequence);
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

interface Queued {
  line: string;
  bytes: number;
  onHanded: OnHanded | undefined;
}

interface Payload {
  text: string;
  sequence: number;
}

/**
 * Collects messages and sends them, packed, one statement at a time. A payload is
 * "<bus id> <sequence>" then one "<channel>\t<JSON>" line per message: JSON never holds a raw
 * newline, and channel names with a tab or newline are refused.
 */
function createSender(
  pool: pg.Pool,
  channel: string,
  id: string,
  awaiting: AwaitingHands,
  local: InProcessEventBus,
  onError: (error: unknown) => void,
) {
  // Room for the header with any sequence number this bus can reach.
  const largestLine = NOTIFY_PAYLOAD_LIMIT - Buffer.byteLength(`${id} ${Number.MAX_SAFE_INTEGER}\n`);
  let sequence = 0;
  let queue: Queued[] = [];
  let scheduled = false;
  let flushing: Promise<void> | null = null;
  /** The wait before announcing that payloads were lost (announceLoss). */
  let announcing: NodeJS.Timeout | null = null;
  /** Payloads were given up on, and no notification of a later number has gone through since. */
  let lossUntold = false;
  let closed = false;

  /** The payloads, each with its sequence number; their messages' onHanded wait in `awaiting`. */
  function pack(messages: Queued[]): Payload[] {
    const payloads: Payload[] = [];
    let lines: string[] = [];
    let hands: (OnHanded | undefined)[] = [];
    let size = 0;
    const close = () => {
      payloads.push({ text: lines.join("\n"), sequence });
      awaiting.add(sequence, hands);
      lines = [];
      hands = [];
    };
    for (const message of messages) {
      if (lines.length > 0 && size + 1 + message.bytes > NOTIFY_PAYLOAD_LIMIT) close();
      if (lines.length === 0) {
        lines.push(`${id} ${++sequence}`);
        size = Buffer.byteLength(lines[0]!);
      }
      lines.push(message.line);
      hands.push(message.onHanded);
      size += 1 + message.bytes;
    }
    if (lines.length > 0) close();
    return payloads;
  }

  async function send(payloads: Payload[]): Promise<void> {
    // Each payload is a parameter of its own, not an element of one text[] parameter: pg writes an
    // array as a literal, escaping every quote of the JSON with a regular expression, and that
    // escaping was the largest single cost of the runner's events in Node (README, "What bounds
    // the runner"). ARRAY[…] keeps the payloads, so the notifications, in order.
    const statement = `SELECT pg_notify($1, x) FROM unnest(ARRAY[${payloads.map((_, i) => `$${i + 2}`).join(", ")}]::text[]) x`;
    const values = [channel, ...payloads.map((payload) => payload.text)];
    try {
      await pool.query(statement, values);
      lossUntold = false;
    } catch (first) {
      // Most often a connection that died idle: the pool opens another. Should the first have
      // been delivered after all, receivers drop the repeat by its sequence numbers.
      try {
        await pool.query(statement, values);
        lossUntold = false;
      } catch (error) {
        onError(first);
        onError(error);
        for (const payload of payloads) awaiting.forget(payload.sequence);
        lossUntold = true;
        announceLoss(FIRST_RECONNECT_DELAY_MS);
      }
    }
  }

  /** A notification of no messages, its number next: receivers see the gap before it. */
  async function announce(): Promise<void> {
    await pool.query("SELECT pg_notify($1, $2)", [channel, `${id} ${++sequence}`]);
    lossUntold = false;
  }

  /**
   * After payloads could not be sent: receivers find a loss only from the next number they get
   * from this bus, so one is sent (a payload of no messages) as soon as a NOTIFY goes through
   * again, unless a publish sends one first. Otherwise an instance whose last event was lost (a
   * batch's final snapshot, say) left every subscriber waiting until it published again.
   */
  function announceLoss(delayMs: number): void {
    if (closed || announcing !== null) return;
    announcing = setTimeout(async () => {
      announcing = null;
      // A flush under way or due carries the next number, or fails and announces again.
      if (closed || !lossUntold || scheduled || flushing !== null || queue.length > 0) return;
      try {
        await announce();
      } catch (error) {
        onError(error);
        announceLoss(Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS));
      }
    }, delayMs);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    while (queue.length > 0) {
      const payloads = pack(queue);
      queue = [];
      for (let i = 0; i < payloads.length; i += PAYLOADS_PER_STATEMENT) await send(payloads.slice(i, i + PAYLOADS_PER_STATEMENT));
    }
  }

  function schedule(): void {
    if (scheduled || flushing !== null) return;
    scheduled = true;
    // One tick collects what a committed transaction publishes synchronously.
    setImmediate(() => {
      flushing = flush().finally(() => {
        flushing = null;
        if (queue.length > 0) schedule();
      });
    });
  }

  return {
    publish(name: string, message: unknown, onHanded?: OnHanded, options?: PublishOptions): void {
      if (/[\t\n]/.test(name)) {
        onError(new Error(`event channel names cannot hold a tab or newline: ${JSON.stringify(name)}`));
        return;
      }
      let json: string | undefined;
      try {
        json = JSON.stringify(message);
      } catch (error) {
        onError(error);
        return;
      }
      if (json === undefined) {
        onError(new Error(`event on ${name} is not JSON: not sent`));
        return;
      }
      const line = `${name}\t${json}`;
      const bytes = Buffer.byteLength(line);
      if (bytes > largestLine) {
        onError(new EventTooLargeError(name, bytes, largestLine));
        return;
      }
      if (options?.snapshot) {
        const handedAt = performance.now();
        local.publish(name, message);
        onHanded?.(handedAt);
        queue.push({ line, bytes, onHanded: HANDED_HERE });
      } else {
        queue.push({ line, bytes, onHanded });
      }
      schedule();
    },
    /**
     * Number 0, before any message: the instances listening already (this one too) know this
     * bus's numbers from the start, so they see a loss of its very first payloads as well (a
     * receiver sees a gap only after a number it has heard). Not sent, that case stays untold.
     */
    async introduce(): Promise<void> {
      try {
        await pool.query("SELECT pg_notify($1, $2)", [channel, `${id} ${sequence}`]);
      } catch (error) {
        onError(error);
      }
    },
    /**
     * Stops announcing losses (the bus is closing, everything published sent or given up on),
     * after one last try to announce one still untold: the lost payloads may be its last (the
     * final snapshots at shutdown), and it will send no other number.
     */
    async close(): Promise<void> {
      closed = true;
      if (announcing) clearTimeout(announcing);
      announcing = null;
      if (!lossUntold) return;
      try {
        await announce();
      } catch (error) {
        onError(error);
      }
    },
    /** Resolves once everything published so far has been sent (or given up on). */
    async drained(): Promise<void> {
      while (scheduled || flushing !== null || queue.length > 0) {
        if (flushing !== null) await flushing;
        else await new Promise((resolve) => setImmediate(resolve));
      }
    },
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
