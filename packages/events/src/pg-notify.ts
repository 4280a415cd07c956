import type pg from "pg";
import { type InProcessEventBus, messageJson, type OnHanded, type PublishOptions } from "./bus";
import { type AwaitingHands, HANDED_HERE } from "./handed";
import { LossAnnouncer } from "./numbered";

// The PostgreSQL event bus's sending side (pg-bus.ts has the bus and its listening side).

/**
 * The largest NOTIFY payload PostgreSQL accepts, in bytes: it refuses one of 8,000 or more
 * (NOTIFY_PAYLOAD_MAX_LENGTH = BLCKSZ - NAMEDATALEN - 128 with the default 8 kB pages).
 */
export const NOTIFY_PAYLOAD_LIMIT = 7_999;

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

/** Payloads sent by one statement: a backlog goes out in statements of at most ~800 kB. */
const PAYLOADS_PER_STATEMENT = 100;

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
export function createSender(
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
  const losses = new LossAnnouncer({
    async sendNumber() {
      const n = ++sequence;
      await notifyNumber(n);
      return n;
    },
    // A flush under way or due carries the next number, or fails and tells of its loss again.
    busy: () => scheduled || flushing !== null || queue.length > 0,
    onError,
  });

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
    const last = payloads[payloads.length - 1]!.sequence;
    try {
      await pool.query(statement, values);
      losses.sent(last);
    } catch (first) {
      // Most often a connection that died idle: the pool opens another. Should the first have
      // been delivered after all, receivers drop the repeat by its sequence numbers.
      try {
        await pool.query(statement, values);
        losses.sent(last);
      } catch (error) {
        onError(first);
        onError(error);
        for (const payload of payloads) awaiting.forget(payload.sequence);
        losses.lost(last);
      }
    }
  }

  /** A notification of no messages, numbered `n`. */
  async function notifyNumber(n: number): Promise<void> {
    await pool.query("SELECT pg_notify($1, $2)", [channel, `${id} ${n}`]);
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
      const json = messageJson(name, message, onError);
      if (json === undefined) return;
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
        await notifyNumber(sequence);
      } catch (error) {
        onError(error);
      }
    },
    /**
     * Stops announcing losses (the bus is closing, everything published sent or given up on),
     * after one last try to announce one still untold (LossAnnouncer.close).
     */
    close(): Promise<void> {
      return losses.close();
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
