import { describe, expect, it } from "vitest";
import { createInProcessEventBus, DEFAULT_SUBSCRIBER_LIMIT, SlowConsumerError } from "../src";

const CHANNEL = "batch-progress:b1";
const PENDING = Symbol("pending");

/** The next `count` messages the iterator already holds or gets. */
async function read<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const result = await iterator.next();
    if (result.done) throw new Error(`the iterator ended after ${out.length} messages`);
    out.push(result.value);
  }
  return out;
}

/** What the next `next()` settles with by now, or PENDING (that call then stays outstanding). */
function settled<T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T> | typeof PENDING> {
  return Promise.race([iterator.next(), new Promise<typeof PENDING>((resolve) => setImmediate(() => resolve(PENDING)))]);
}

interface Snapshot {
  batch: string;
  done: number;
}
const byBatch = (message: Snapshot) => message.batch;

describe("in-process event bus", () => {
  it("hands `missed` to the subscribers that asked, in order with the messages, never conflated with them, and to no one once ended", async () => {
    const bus = createInProcessEventBus();
    type Message = { batch: string; n: number } | { missed: true };
    const conflate = (message: Message) => ("batch" in message ? message.batch : null);
    const asked = bus.subscribe<Message>(CHANNEL, undefined, { conflate, missed: () => ({ missed: true }) });
    const other = bus.subscribe<Message>(CHANNEL);
    bus.publish(CHANNEL, { batch: "b1", n: 1 });
    bus.missed();
    bus.missed();
    bus.publish(CHANNEL, { batch: "b1", n: 2 });
    // The second snapshot of b1 replaced the first, unread; the loss stays in its place, and the
    // second loss, told while the first was unread, adds nothing to it.
    expect(await read(asked, 2)).toEqual([{ missed: true }, { batch: "b1", n: 2 }]);
    expect(await read(other, 2)).toEqual([
      { batch: "b1", n: 1 },
      { batch: "b1", n: 2 },
    ]);
    await asked.return?.();
    bus.missed();
    expect(await asked.next()).toEqual({ done: true, value: undefined });
  });

  it("ends no reader that is behind for being told of losses again and again: one unread loss covers the next", async () => {
    const bus = createInProcessEventBus();
    type Message = { batch: string; n: number } | { missed: true };
    const conflate = (message: Message) => ("batch" in message ? message.batch : null);
    const behind = bus.subscribe<Message>(CHANNEL, undefined, { limit: 3, conflate, missed: () => ({ missed: true }) });
    bus.publish(CHANNEL, { batch: "b1", n: 1 });
    // A broker that keeps losing its connection, or many gaps, while the reader reads nothing.
    for (let i = 0; i < 5; i++) bus.missed();
    bus.publish(CHANNEL, { batch: "b2", n: 1 });
    // It reads again when it reads the loss: what was lost since is read then too.
    expect(await read(behind, 3)).toEqual([{ batch: "b1", n: 1 }, { missed: true }, { batch: "b2", n: 1 }]);
    // Once read, the next loss is told again.
    bus.missed();
    expect(await read(behind, 1)).toEqual([{ missed: true }]);
    await behind.return?.();
  });

  it("drops on arrival what `accept` refuses: it takes no place under `limit` and supersedes nothing; losses are always taken", async () => {
    const bus = createInProcessEventBus();
    type Message = Snapshot | { missed: true };
    const mine = (message: Message) => !("batch" in message) || message.batch.startsWith("mine");
    const conflate = (message: Message) => ("batch" in message ? message.batch : null);
    const messages = bus.subscribe<Message>(CHANNEL, undefined, { limit: 2, accept: mine, conflate, missed: () => ({ missed: true }) });
    bus.publish(CHANNEL, { batch: "mine-1", done: 1 });
    for (let i = 0; i < 10; i++) bus.publish(CHANNEL, { batch: `theirs-${i}`, done: i });
    bus.missed();
    bus.publish(CHANNEL, { batch: "theirs-0", done: 99 });
    expect(await read(messages, 2)).toEqual([{ batch: "mine-1", done: 1 }, { missed: true }]);
    // A reader waiting is not woken by a refused message either.
    const waiting = messages.next();
    bus.publish(CHANNEL, { batch: "theirs-1", done: 1 });
    bus.publish(CHANNEL, { batch: "mine-2", done: 2 });
    expect(await waiting).toEqual({ done: false, value: { batch: "mine-2", done: 2 } });
    await messages.return?.();
  });

  it("ends the subscription with the error of an `accept` that throws", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL, undefined, {
      accept: () => {
        throw new Error("broken filter");
      },
    });
    bus.publish(CHANNEL, 1);
    await expect(messages.next()).rejects.toThrow("broken filter");
    expect(bus.listenerCount(CHANNEL)).toBe(0);
  });

  it("delivers in the order published", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL);
    for (const n of [5, 3, 9, 1]) bus.publish(CHANNEL, n);
    expect(await read(messages, 4)).toEqual([5, 3, 9, 1]);
    expect(await settled(messages)).toBe(PENDING);
  });

  it("holds up to `limit` unread messages", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL, undefined, { limit: 3 });
    for (const n of [1, 2, 3]) bus.publish(CHANNEL, n);
    expect(bus.listenerCount(CHANNEL)).toBe(1);
    expect(await read(messages, 3)).toEqual([1, 2, 3]);
    bus.publish(CHANNEL, 4);
    expect(await read(messages, 1)).toEqual([4]);
  });

  it("holds 1,000 by default", async () => {
    expect(DEFAULT_SUBSCRIBER_LIMIT).toBe(1_000);
    const bus = createInProcessEventBus();
    const full = bus.subscribe<number>("full");
    const over = bus.subscribe<number>("over");
    for (let n = 0; n < 1_000; n++) bus.publish("full", n);
    for (let n = 0; n < 1_001; n++) bus.publish("over", n);
    expect(await read(full, 1_000)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    expect(await settled(full)).toBe(PENDING);
    await expect(over.next()).rejects.toThrow("1000 messages were queued unread");
  });

  it("ends a subscriber one message past its limit: the listener goes at once, the next read throws, nothing queued is delivered", async () => {
    const bus = createInProcessEventBus();
    const slow = bus.subscribe<number>(CHANNEL, undefined, { limit: 3 });
    const other = bus.subscribe<number>(CHANNEL, undefined, { limit: 10 });
    for (const n of [1, 2, 3, 4]) bus.publish(CHANNEL, n);
    expect(bus.listenerCount(CHANNEL)).toBe(1);
    const error = await slow.next().then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(SlowConsumerError);
    expect(error).toMatchObject({ name: "SlowConsumerError", channel: CHANNEL, limit: 3 });
    expect((error as Error).message).toBe(
      "The subscriber to batch-progress:b1 fell behind: 3 messages were queued unread, so the subscription ended. " +
        "Read the current state again and subscribe anew.",
    );
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    bus.publish(CHANNEL, 5);
    expect(await slow.next()).toEqual({ value: undefined, done: true });
    expect(await read(other, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it("keeps only the newest unread snapshot of each batch, in the order the newest were published", async () => {
    const bus = createInProcessEventBus();
    const progress = bus.subscribe<Snapshot>(CHANNEL, undefined, { conflate: byBatch });
    const published: Snapshot[] = [
      { batch: "A", done: 1 },
      { batch: "B", done: 1 },
      { batch: "A", done: 2 },
      { batch: "C", done: 1 },
      { batch: "A", done: 3 },
    ];
    for (const snapshot of published) bus.publish(CHANNEL, snapshot);
    expect(await read(progress, 3)).toEqual([
      { batch: "B", done: 1 },
      { batch: "C", done: 1 },
      { batch: "A", done: 3 },
    ]);
    expect(await settled(progress)).toBe(PENDING);
  });

  it("with supersedes, keeps a queued snapshot that a late, older one of its batch arrives after", async () => {
    const bus = createInProcessEventBus();
    const newer = (incoming: Snapshot, queued: Snapshot) => incoming.done >= queued.done;
    const progress = bus.subscribe<Snapshot>(CHANNEL, undefined, { conflate: byBatch, supersedes: newer });
    for (const snapshot of [
      { batch: "A", done: 5 },
      { batch: "B", done: 1 },
      { batch: "A", done: 3 },
    ])
      bus.publish(CHANNEL, snapshot);
    expect(await read(progress, 2)).toEqual([
      { batch: "A", done: 5 },
      { batch: "B", done: 1 },
    ]);
    bus.publish(CHANNEL, { batch: "A", done: 7 });
    bus.publish(CHANNEL, { batch: "A", done: 6 });
    expect(await read(progress, 1)).toEqual([{ batch: "A", done: 7 }]);
    // The reader waits: what comes now is handed over at once, whatever its number.
    const waiting = progress.next();
    bus.publish(CHANNEL, { batch: "A", done: 4 });
    expect(await waiting).toEqual({ value: { batch: "A", done: 4 }, done: false });
  });

  it("never loses the last snapshot of a batch, however far behind its reader is", async () => {
    const bus = createInProcessEventBus();
    const progress = bus.subscribe<Snapshot>(CHANNEL, undefined, { limit: 2, conflate: byBatch });
    for (let done = 1; done <= 10_000; done++) {
      bus.publish(CHANNEL, { batch: "A", done });
      bus.publish(CHANNEL, { batch: "B", done: done * 2 });
    }
    expect(bus.listenerCount(CHANNEL)).toBe(1);
    expect(await read(progress, 2)).toEqual([
      { batch: "A", done: 10_000 },
      { batch: "B", done: 20_000 },
    ]);
    bus.publish(CHANNEL, { batch: "A", done: 10_001 });
    expect(await read(progress, 1)).toEqual([{ batch: "A", done: 10_001 }]);
  });

  it("counts messages conflate keeps (null) against the limit", async () => {
    const bus = createInProcessEventBus();
    type Message = { kind: "progress"; batch: string } | { kind: "status"; n: number };
    const messages = bus.subscribe<Message>(CHANNEL, undefined, {
      limit: 2,
      conflate: (message) => (message.kind === "progress" ? message.batch : null),
    });
    bus.publish(CHANNEL, { kind: "status", n: 1 });
    bus.publish(CHANNEL, { kind: "progress", batch: "A" });
    bus.publish(CHANNEL, { kind: "progress", batch: "A" });
    expect(bus.listenerCount(CHANNEL)).toBe(1);
    bus.publish(CHANNEL, { kind: "status", n: 2 });
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    await expect(messages.next()).rejects.toThrow(SlowConsumerError);
  });

  it("ends only the subscription whose conflate throws, with its error", async () => {
    const bus = createInProcessEventBus();
    const broken = bus.subscribe<number>(CHANNEL, undefined, {
      conflate: () => {
        throw new Error("bad key");
      },
    });
    const healthy = bus.subscribe<number>(CHANNEL);
    expect(() => bus.publish(CHANNEL, 1)).not.toThrow();
    bus.publish(CHANNEL, 2);
    await expect(broken.next()).rejects.toThrow("bad key");
    expect(await read(healthy, 2)).toEqual([1, 2]);
  });

  it("refuses a limit that is not a positive whole number", () => {
    const bus = createInProcessEventBus();
    expect(() => bus.subscribe(CHANNEL, undefined, { limit: 0 })).toThrow(RangeError);
    expect(bus.listenerCount(CHANNEL)).toBe(0);
  });

  it("removes the listener when the signal aborts and ends a pending read", async () => {
    const bus = createInProcessEventBus();
    const stop = new AbortController();
    const messages = bus.subscribe<number>(CHANNEL, stop.signal);
    bus.publish(CHANNEL, 1);
    expect(await read(messages, 1)).toEqual([1]);
    const pending = messages.next();
    expect(bus.listenerCount(CHANNEL)).toBe(1);
    stop.abort();
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    expect(await pending).toEqual({ value: undefined, done: true });
    bus.publish(CHANNEL, 2);
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it("drops unread messages when the signal aborts", async () => {
    const bus = createInProcessEventBus();
    const stop = new AbortController();
    const messages = bus.subscribe<number>(CHANNEL, stop.signal);
    bus.publish(CHANNEL, 1);
    stop.abort();
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it("never listens for a signal already aborted", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL, AbortSignal.abort());
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it("removes the listener on return(), and on break out of for await", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL, undefined, { limit: 1 });
    const pending = messages.next();
    expect(await messages.return?.()).toEqual({ value: undefined, done: true });
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    expect(await pending).toEqual({ value: undefined, done: true });

    const seen: number[] = [];
    const reading = (async () => {
      for await (const n of bus.subscribe<number>(CHANNEL)) {
        seen.push(n);
        if (n === 2) break;
      }
    })();
    for (const n of [1, 2, 3]) bus.publish(CHANNEL, n);
    await reading;
    expect(seen).toEqual([1, 2]);
    expect(bus.listenerCount(CHANNEL)).toBe(0);
  });

  it("does not throw an overflow after return()", async () => {
    const bus = createInProcessEventBus();
    const messages = bus.subscribe<number>(CHANNEL, undefined, { limit: 1 });
    bus.publish(CHANNEL, 1);
    bus.publish(CHANNEL, 2);
    await messages.return?.();
    expect(await messages.next()).toEqual({ value: undefined, done: true });
  });

  it("ends every subscription cleanly when it closes, and any opened after", async () => {
    const bus = createInProcessEventBus();
    const waiting = bus.subscribe<number>(CHANNEL);
    const behind = bus.subscribe<number>("other");
    const pending = waiting.next();
    bus.publish("other", 1);
    await bus.close();
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    expect(bus.listenerCount("other")).toBe(0);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await behind.next()).toEqual({ value: undefined, done: true });
    const late = bus.subscribe<number>(CHANNEL);
    expect(bus.listenerCount(CHANNEL)).toBe(0);
    expect(await late.next()).toEqual({ value: undefined, done: true });
  });

  it("loses nothing to a reader that keeps up, across 10,000 messages", async () => {
    const bus = createInProcessEventBus();
    const received: number[] = [];
    const reading = (async () => {
      for await (const n of bus.subscribe<number>(CHANNEL)) {
        received.push(n);
        if (n === 9_999) return;
      }
    })();
    // Bursts of 500 (below the default limit), with the event loop turning between them as it does between commits.
    for (let n = 0; n < 10_000; n++) {
      bus.publish(CHANNEL, n);
      if (n % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    await reading;
    expect(received).toEqual(Array.from({ length: 10_000 }, (_, n) => n));
    expect(bus.listenerCount(CHANNEL)).toBe(0);
  });
});
