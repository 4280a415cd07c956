import { randomUUID } from "node:crypto";
import { openTcpProxy, type TcpProxy } from "@fxbt/db/testing";
import Redis from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { createRedisEventBus, type EventBus, MissedEventsError } from "../src";

/** The machine's Redis (CI starts it when it is down); each test has channels of its own. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const open: EventBus[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});

/** Two API instances' buses on one Redis, with a prefix no other test uses. */
async function twoInstances(): Promise<[EventBus, EventBus]> {
  const prefix = `fxbt:test:${randomUUID()}:`;
  const buses = await Promise.all([createRedisEventBus({ url: REDIS_URL, prefix }), createRedisEventBus({ url: REDIS_URL, prefix })]);
  open.push(...buses);
  return buses as [EventBus, EventBus];
}

async function take<T>(iterator: AsyncIterator<T>, count: number, timeoutMs = 5_000): Promise<T[]> {
  const out: T[] = [];
  const deadline = setTimeout(() => void iterator.return?.(), timeoutMs);
  try {
    while (out.length < count) {
      const next = await iterator.next();
      if (next.done) break;
      out.push(next.value);
    }
  } finally {
    clearTimeout(deadline);
  }
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Two instances on one installation: `a` reaches Redis through a proxy the test may cut, `b` directly;
 * `b` has a subscriber of "batch-list" that asked to be told of losses. Closes both before the proxy.
 * `b` starts first, so it hears `a`'s number 0, unless `aFirst`.
 */
async function withCutAway(
  test: (context: {
    proxy: TcpProxy;
    a: EventBus;
    b: EventBus;
    told: AsyncIterator<{ n: number } | { missed: true }>;
    errorsOfA: unknown[];
  }) => Promise<void>,
  { aFirst = false } = {},
): Promise<void> {
  const proxy = await openTcpProxy(new URL(REDIS_URL));
  const prefix = `fxbt:test:${randomUUID()}:`;
  const throughProxy = new URL(REDIS_URL);
  throughProxy.port = String(proxy.port);
  const errorsOfA: unknown[] = [];
  const buses: EventBus[] = [];
  const startA = async () => {
    const a = await createRedisEventBus({ url: throughProxy.toString(), prefix, onError: (error) => errorsOfA.push(error) });
    buses.push(a);
    return a;
  };
  try {
    const early = aFirst ? await startA() : undefined;
    const b = await createRedisEventBus({ url: REDIS_URL, prefix });
    buses.push(b);
    const told = b.subscribe<{ n: number } | { missed: true }>("batch-list", undefined, { missed: () => ({ missed: true }) });
    const a = early ?? (await startA());
    await test({ proxy, a, b, told, errorsOfA });
  } finally {
    await proxy.restore();
    await Promise.all(buses.map((bus) => bus.close()));
    await proxy.close();
  }
}

/** Whether ioredis gave up on a publish (after its three reconnections), which the bus reports. */
const gaveUp = (errors: unknown[]) =>
  errors.some((error) => error instanceof Error && /max retries|MaxRetriesPerRequest/i.test(error.message));

describe("the Redis event bus", () => {
  it("delivers what one instance publishes to subscribers on both, in one order", async () => {
    const [a, b] = await twoInstances();
    const onA = a.subscribe<{ n: number }>("batch-progress:x");
    const onB = b.subscribe<{ n: number }>("batch-progress:x");
    for (let n = 1; n <= 200; n++) (n % 2 ? a : b).publish("batch-progress:x", { n });
    const [seenA, seenB] = await Promise.all([take(onA, 200), take(onB, 200)]);
    expect(seenA.map((m) => m.n)).toHaveLength(200);
    expect(seenB).toEqual(seenA);
    // Each instance's own messages stay in the order it sent them.
    expect(seenA.filter((m) => m.n % 2).map((m) => m.n)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i + 1));
  });

  it("hands a snapshot to this instance's subscribers at once, and once, and to another's through Redis", async () => {
    const [a, b] = await twoInstances();
    const onA = a.subscribe<{ n: number }>("batch-progress:s");
    const onB = b.subscribe<{ n: number }>("batch-progress:s");
    const handed: number[] = [];
    a.publish("batch-progress:s", { n: 1 }, (at) => handed.push(at), { snapshot: true });
    // Handed before publish returned, not a round trip later.
    expect(handed).toHaveLength(1);
    // Not a snapshot: this one comes back through Redis, after the snapshot's echo did.
    a.publish("batch-progress:s", { n: 2 });
    expect((await take(onA, 2)).map((m) => m.n)).toEqual([1, 2]);
    expect((await take(onB, 2)).map((m) => m.n)).toEqual([1, 2]);
    expect(handed).toHaveLength(1);
  });

  it("runs a message's onHanded once it is back and handed to this instance's subscribers, and not for another's", async () => {
    const [a, b] = await twoInstances();
    const onA = a.subscribe<{ n: number }>("batch-progress:h");
    const handed: string[] = [];
    a.publish("batch-progress:h", { n: 1 }, () => handed.push("a1"));
    // No subscriber on this channel here; and a message of b's with a different text in between.
    a.publish("batch-list", { n: 2 }, () => handed.push("a2"));
    b.publish("batch-progress:h", { n: 3 }, () => handed.push("b3"));
    a.publish("batch-progress:h", { n: 4 });
    a.publish("batch-progress:h", { n: 5 }, () => handed.push("a5"));
    expect((await take(onA, 4)).map((m) => m.n).sort()).toEqual([1, 3, 4, 5]);
    const deadline = Date.now() + 5_000;
    while (handed.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(handed.filter((name) => name.startsWith("a"))).toEqual(["a1", "a2", "a5"]);
    expect(handed.sort()).toEqual(["a1", "a2", "a5", "b3"]);
  });

  it("keeps channels and installations apart", async () => {
    const [a, b] = await twoInstances();
    const [other] = await twoInstances();
    const wanted = b.subscribe<{ n: number }>("trade-status:one");
    const elsewhere = other.subscribe<{ n: number }>("trade-status:one");
    a.publish("trade-status:two", { n: 1 });
    a.publish("trade-status:one", { n: 2 });
    expect(await take(wanted, 1)).toEqual([{ n: 2 }]);
    expect(await take(elsewhere, 1, 300)).toEqual([]);
  });

  it("bounds a slow subscriber's buffer as the in-process bus does (conflation by key)", async () => {
    const [a, b] = await twoInstances();
    const progress = b.subscribe<{ batch: string; done: number }>("batch-progress:y", undefined, { conflate: (m) => m.batch });
    for (let done = 1; done <= 50; done++) a.publish("batch-progress:y", { batch: "y", done });
    a.publish("batch-progress:y", { batch: "end", done: 0 });
    // Wait until the marker arrived: every snapshot before it was received (and superseded) by then.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await take(progress, 2)).toEqual([
      { batch: "y", done: 50 },
      { batch: "end", done: 0 },
    ]);
  });

  it("tells the subscribers that asked when its connection was lost and is back, before what is published since", async () => {
    const prefix = `fxbt:test:${randomUUID()}:`;
    const [a, b] = await Promise.all([createRedisEventBus({ url: REDIS_URL, prefix }), createRedisEventBus({ url: REDIS_URL, prefix })]);
    open.push(a, b);
    const told = b.subscribe<{ n: number } | { missed: true }>("batch-list", undefined, { missed: () => ({ missed: true }) });
    a.publish("batch-list", { n: 1 });
    expect(await take(told, 1)).toEqual([{ n: 1 }]);

    // Both instances' listening connections (named after the installation's prefix) are cut.
    const admin = new Redis(REDIS_URL);
    try {
      const clients = (await admin.client("LIST")) as string;
      const ids = clients
        .split("\n")
        .filter((line) => line.includes(` name=fxbt-events:${prefix} `))
        .map((line) => /\bid=(\d+)/.exec(line)![1]!);
      expect(ids).toHaveLength(2);
      for (const id of ids) await admin.client("KILL", "ID", id);
    } finally {
      admin.disconnect();
    }
    expect(await take(told, 1)).toEqual([{ missed: true }]);
    a.publish("batch-list", { n: 3 });
    expect(await take(told, 1)).toEqual([{ n: 3 }]);
  });

  it("tells the other instances of a publish it could not send once it can again, though it publishes nothing more", async () => {
    await withCutAway(async ({ proxy, a, told, errorsOfA }) => {
      a.publish("batch-list", { n: 1 });
      expect(await take(told, 1)).toEqual([{ n: 1 }]);

      await proxy.refuse();
      a.publish("batch-list", { n: 2 }); // given up on after ioredis's reconnections: lost to every instance
      await waitFor(() => gaveUp(errorsOfA));
      await proxy.restore();
      // a publishes nothing more, yet b learns that it missed something.
      expect(await take(told, 1, 8_000)).toEqual([{ missed: true }]);
    });
  }, 20_000);

  it("tells of a publish it could not send though it had sent none before (the others knew none of its numbers)", async () => {
    await withCutAway(async ({ proxy, a, told, errorsOfA }) => {
      await proxy.refuse();
      a.publish("batch-list", { n: 1 }); // a's first message, lost to every instance
      await waitFor(() => gaveUp(errorsOfA));
      await proxy.restore();
      expect(await take(told, 1, 8_000)).toEqual([{ missed: true }]);
    });
  }, 20_000);

  it("tells of a publish it could not send when it is closed before its announcement was due", async () => {
    await withCutAway(async ({ proxy, a, told, errorsOfA }) => {
      a.publish("batch-list", { n: 1 });
      expect(await take(told, 1)).toEqual([{ n: 1 }]);
      await proxy.refuse();
      a.publish("batch-list", { n: 2 }); // the last snapshot before shutdown, lost
      await waitFor(() => gaveUp(errorsOfA));
      await proxy.restore();
      await a.close(); // at once: the instance is shutting down
      expect(await take(told, 1, 4_000)).toEqual([{ missed: true }]);
    });
  }, 20_000);

  it("tells of a lost first publish by the next message, before it: the others heard its number 0", async () => {
    await withCutAway(async ({ proxy, a, told, errorsOfA }) => {
      await proxy.refuse();
      a.publish("batch-list", { n: 1 }); // a's first message, lost to every instance
      await waitFor(() => gaveUp(errorsOfA));
      a.publish("batch-list", { n: 2 }); // queued before the loss is announced, sent once Redis is back
      await proxy.restore();
      expect(await take(told, 2, 8_000)).toEqual([{ missed: true }, { n: 2 }]);
    });
  }, 20_000);

  it("tells of a publish it could not send to an instance started after it, which never heard its numbers", async () => {
    await withCutAway(
      async ({ proxy, a, told, errorsOfA }) => {
        await proxy.refuse();
        a.publish("batch-list", { n: 1 }); // what b's subscriber waits for, lost
        await waitFor(() => gaveUp(errorsOfA));
        await proxy.restore();
        expect(await take(told, 1, 8_000)).toEqual([{ missed: true }]);
      },
      { aFirst: true }, // a has published nothing since b started: b knows none of its numbers
    );
  }, 20_000);

  it("closes within seconds while Redis takes connections and drops them, a publish of its on the way", async () => {
    await withCutAway(async ({ proxy, a, errorsOfA }) => {
      a.publish("batch-list", { n: 1 });
      // Written to the connection, which is lost before Redis answers; each reconnection is
      // accepted and dropped (a proxy before a server that is down), so ioredis keeps the publish
      // to send again once it is back, and keeps the listening connection's setup commands queued.
      proxy.cut();
      await waitFor(() => errorsOfA.length > 0);
      const started = Date.now();
      const closed = await Promise.race([
        a.close().then(() => "closed"),
        new Promise((resolve) => setTimeout(resolve, 8_000, "still closing")),
      ]);
      expect(closed).toBe("closed");
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  }, 20_000);

  it("takes a message delivered twice once, and tells of the numbers of a bus that never arrived", async () => {
    const prefix = `fxbt:test:${randomUUID()}:`;
    const errors: unknown[] = [];
    const b = await createRedisEventBus({ url: REDIS_URL, prefix, onError: (error) => errors.push(error) });
    open.push(b);
    const told = b.subscribe<{ n: number } | { missed: true }>("batch-list", undefined, { missed: () => ({ missed: true }) });
    // Another instance's messages as they travel, the way ioredis resends one whose answer was lost.
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${prefix}batch-list`, 'other 1\n{"n":1}');
      await raw.publish(`${prefix}batch-list`, 'other 1\n{"n":1}');
      await raw.publish(`${prefix}batch-list`, 'other 2\n{"n":2}');
      await raw.publish(`${prefix}batch-list`, 'other 5\n{"n":5}');
    } finally {
      raw.disconnect();
    }
    expect(await take(told, 4)).toEqual([{ n: 1 }, { n: 2 }, { missed: true }, { n: 5 }]);
    expect(errors.filter((error) => error instanceof MissedEventsError).map((error) => (error as MissedEventsError).missed)).toEqual([2]);
  });

  it("reports a message that is not numbered (plain JSON, as before the numbering) rather than taking it for a number", async () => {
    const prefix = `fxbt:test:${randomUUID()}:`;
    const errors: unknown[] = [];
    const b = await createRedisEventBus({ url: REDIS_URL, prefix, onError: (error) => errors.push(error) });
    open.push(b);
    const told = b.subscribe<{ n: number }>("batch-list");
    const raw = new Redis(REDIS_URL);
    try {
      await raw.publish(`${prefix}batch-list`, '{"n":1}');
      await raw.publish(`${prefix}batch-list`, "other 0x2");
      await raw.publish(`${prefix}batch-list`, 'other 3\n{"n":3}');
    } finally {
      raw.disconnect();
    }
    expect(await take(told, 1)).toEqual([{ n: 3 }]);
    expect(errors.map((error) => String(error))).toEqual([
      expect.stringMatching(/malformed event message: \{"n":1\}/),
      expect.stringMatching(/malformed event message: other 0x2/),
    ]);
  });

  it("reports a message that is not JSON, sends nothing for it, and goes on with the next (no loss told)", async () => {
    const prefix = `fxbt:test:${randomUUID()}:`;
    const errorsOfA: unknown[] = [];
    const [a, b] = await Promise.all([
      createRedisEventBus({ url: REDIS_URL, prefix, onError: (error) => errorsOfA.push(error) }),
      createRedisEventBus({ url: REDIS_URL, prefix }),
    ]);
    open.push(a, b);
    const told = b.subscribe<{ n: number } | { missed: true }>("batch-list", undefined, { missed: () => ({ missed: true }) });
    expect(() => a.publish("batch-list", { n: 1n })).not.toThrow();
    a.publish("batch-list", undefined);
    a.publish("batch-list", { n: 2 });
    expect(await take(told, 1)).toEqual([{ n: 2 }]);
    expect(await take(told, 1, 300)).toEqual([]);
    expect(errorsOfA.map((error) => String(error))).toEqual([expect.stringMatching(/BigInt/), expect.stringMatching(/not JSON: not sent/)]);
  });

  it("ends its subscriptions on close, and refuses to start without Redis", async () => {
    const [a] = await twoInstances();
    const subscription = a.subscribe("batch-list");
    await a.close();
    expect(await subscription.next()).toEqual({ done: true, value: undefined });
    await expect(createRedisEventBus({ url: "redis://127.0.0.1:1" })).rejects.toThrow(/cannot reach Redis for events/);
  });
});
