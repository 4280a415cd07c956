import { createEmptyDatabase, openTcpProxy, type TcpProxy, type TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPostgresEventBus, type EventBus, EventTooLargeError, MissedEventsError, NOTIFY_PAYLOAD_LIMIT } from "../src";

/** The buses need no tables: an empty database of the machine's server, dropped afterwards. */
let db: TestDatabase;
let sql: pg.Client;
beforeAll(async () => {
  db = await createEmptyDatabase("fxbt_events");
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await db?.drop();
});

const open: EventBus[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((bus) => bus.close()));
});

let channelCount = 0;
/** Buses of one installation: a NOTIFY channel no other test uses. */
async function instances(count: number, onError?: (error: unknown) => void): Promise<{ buses: EventBus[]; channel: string }> {
  const channel = `fxbt_test_${++channelCount}`;
  const buses = await Promise.all(Array.from({ length: count }, () => createPostgresEventBus({ url: db.url, channel, onError })));
  open.push(...buses);
  return { buses, channel };
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

/** Notifications on a channel as they arrive, read on a connection of the test's own. */
async function rawListener(channel: string): Promise<{ payloads: string[]; end(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const payloads: string[] = [];
  client.on("notification", (n) => payloads.push(n.payload ?? ""));
  await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
  return { payloads, end: () => client.end() };
}

/**
 * Runs `test` with a proxy to the test database that it may cut (its URL given) and a channel of
 * its own; closes the buses opened meanwhile before the proxy.
 */
async function withProxy(test: (proxy: TcpProxy, throughProxy: string, channel: string) => Promise<void>): Promise<void> {
  const proxy = await openTcpProxy(new URL(db.url));
  try {
    const throughProxy = new URL(db.url);
    throughProxy.port = String(proxy.port);
    await test(proxy, throughProxy.toString(), `fxbt_test_${++channelCount}`);
  } finally {
    await Promise.all(open.splice(0).map((bus) => bus.close()));
    await proxy.close();
  }
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const listenerPids = async () =>
  (
    await sql.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fxbt-events-listener' ORDER BY pid",
    )
  ).rows.map((row) => row.pid);

describe("the PostgreSQL event bus", () => {
  it("delivers what each instance publishes to subscribers on both, in one order, across many notifications", async () => {
    const {
      buses: [a, b],
    } = await instances(2);
    const onA = a!.subscribe<{ n: number }>("batch-progress:x", undefined, { limit: 2_000 });
    const onB = b!.subscribe<{ n: number }>("batch-progress:x", undefined, { limit: 2_000 });
    // Several ticks, some while a NOTIFY is in flight, with messages of ~1 kB like a trade's.
    const padding = "p".repeat(1_000);
    for (let n = 1; n <= 1_000; n++) {
      (n % 2 ? a! : b!).publish("batch-progress:x", { n, padding });
      if (n % 97 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const [seenA, seenB] = await Promise.all([take(onA, 1_000), take(onB, 1_000)]);
    expect(seenA).toHaveLength(1_000);
    expect(seenB.map((m) => m.n)).toEqual(seenA.map((m) => m.n));
    for (const parity of [0, 1]) {
      const own = seenA.filter((m) => m.n % 2 === parity).map((m) => m.n);
      expect(own).toEqual([...own].sort((x, y) => x - y));
      expect(own).toHaveLength(500);
    }
  });

  it("runs a message's onHanded once it is back and handed to this instance's subscribers, and not for another's", async () => {
    const {
      buses: [a, b],
    } = await instances(2);
    const onA = a!.subscribe<{ n: number }>("batch-progress:h");
    const handed: [string, number][] = [];
    const published = performance.now();
    const padding = "p".repeat(3_000);
    // Four messages in two notifications (the 8,000-byte limit); batch-list has no subscriber here.
    a!.publish("batch-progress:h", { n: 1, padding }, (at) => handed.push(["a1", at]));
    a!.publish("batch-list", { n: 2, padding }, (at) => handed.push(["a2", at]));
    a!.publish("batch-progress:h", { n: 3, padding });
    a!.publish("batch-progress:h", { n: 4 }, (at) => handed.push(["a4", at]));
    // Another instance's message is handed to a's subscribers, but its onHanded runs on b alone.
    b!.publish("batch-progress:h", { n: 5 }, (at) => handed.push(["b5", at]));
    expect((await take(onA, 4)).map((m) => m.n).sort()).toEqual([1, 3, 4, 5]);
    await waitFor(() => handed.length === 4);
    expect(handed.map(([name]) => name).sort()).toEqual(["a1", "a2", "a4", "b5"]);
    expect(handed.map(([name]) => name).filter((name) => name.startsWith("a"))).toEqual(["a1", "a2", "a4"]);
    for (const [, at] of handed) expect(at).toBeGreaterThan(published);
  });

  it("hands a snapshot to this instance's subscribers at once, and once, and to another's through PostgreSQL", async () => {
    const {
      buses: [a, b],
    } = await instances(2);
    const onA = a!.subscribe<{ n: number }>("batch-progress:s");
    const onB = b!.subscribe<{ n: number }>("batch-progress:s");
    const handed: number[] = [];
    a!.publish("batch-progress:s", { n: 1 }, (at) => handed.push(at), { snapshot: true });
    // Handed before publish returned, not a round trip later.
    expect(handed).toHaveLength(1);
    // Not a snapshot: this one comes back through PostgreSQL, after the snapshot's notification did.
    a!.publish("batch-progress:s", { n: 2 });
    expect((await take(onA, 2)).map((m) => m.n)).toEqual([1, 2]);
    expect((await take(onB, 2)).map((m) => m.n)).toEqual([1, 2]);
    expect(handed).toHaveLength(1);
  });

  it("never runs the onHanded of a message it did not send", async () => {
    const {
      buses: [a],
    } = await instances(1);
    const handed: number[] = [];
    a!.publish("batch-list", { s: "x".repeat(NOTIFY_PAYLOAD_LIMIT) }, () => handed.push(1));
    a!.publish("batch-list", { n: 2 }, () => handed.push(2));
    await waitFor(() => handed.length > 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(handed).toEqual([2]);
  });

  it("keeps channels and installations apart", async () => {
    const {
      buses: [a, b],
    } = await instances(2);
    const {
      buses: [other],
    } = await instances(1);
    const wanted = b!.subscribe<{ n: number }>("trade-status:one");
    const elsewhere = other!.subscribe<{ n: number }>("trade-status:one");
    a!.publish("trade-status:two", { n: 1 });
    a!.publish("trade-status:one", { n: 2 });
    expect(await take(wanted, 1)).toEqual([{ n: 2 }]);
    expect(await take(elsewhere, 1, 300)).toEqual([]);
  });

  it("packs messages into as few notifications as fit under the 8,000-byte limit, each a distinct one", async () => {
    const {
      buses: [a],
      channel,
    } = await instances(1);
    const raw = await rawListener(channel);
    try {
      const sizes = Array.from({ length: 60 }, (_, i) => 200 + ((i * 761) % 3_000));
      // Identical messages of a notification each too: PostgreSQL folds identical notifications of one transaction.
      for (const size of [...sizes, 5_000, 5_000, 5_000]) a!.publish("trade-status:z", { s: "x".repeat(size) });
      const expected = sizes.length + 3;
      const lines = () => raw.payloads.flatMap((payload) => payload.split("\n").slice(1));
      await waitFor(() => lines().length >= expected);
      expect(lines()).toHaveLength(expected);
      const bytes = raw.payloads.map((payload) => Buffer.byteLength(payload));
      expect(Math.max(...bytes)).toBeLessThanOrEqual(NOTIFY_PAYLOAD_LIMIT);
      // Greedy: no notification could have taken the next one's first message.
      for (let i = 0; i + 1 < raw.payloads.length; i++) {
        const nextFirst = raw.payloads[i + 1]!.split("\n")[1]!;
        expect(bytes[i]! + 1 + Buffer.byteLength(nextFirst)).toBeGreaterThan(NOTIFY_PAYLOAD_LIMIT);
      }
      const total = [...sizes, 5_000, 5_000, 5_000].reduce((sum, size) => sum + size, 0);
      expect(raw.payloads.length).toBeLessThanOrEqual(Math.ceil(total / 4_000));
    } finally {
      await raw.end();
    }
  });

  it("reports a message too large for one notification and goes on with the others", async () => {
    const errors: unknown[] = [];
    const {
      buses: [a, b],
    } = await instances(2, (error) => errors.push(error));
    const seen = b!.subscribe<{ n: number; s?: string }>("batch-list");
    a!.publish("batch-list", { n: 1 });
    a!.publish("batch-list", { n: 2, s: "x".repeat(NOTIFY_PAYLOAD_LIMIT) });
    a!.publish("batch-list", { n: 3, s: "é".repeat(3_000) }); // 6,000 bytes of UTF-8 in 3,000 characters: fits
    a!.publish("batch-list", { n: 4, s: "é".repeat(4_000) }); // 8,000 bytes: does not
    a!.publish("batch-list", { n: 5 });
    expect((await take(seen, 3)).map((m) => m.n)).toEqual([1, 3, 5]);
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => error instanceof EventTooLargeError && error.channel === "batch-list")).toBe(true);
  });

  it("listens again after its connection is killed, and says what was missed meanwhile", async () => {
    const errors: unknown[] = [];
    const {
      buses: [a],
      channel,
    } = await instances(1);
    const before = await listenerPids();
    const watcher = await createPostgresEventBus({ url: db.url, channel, onError: (error) => errors.push(error) });
    open.push(watcher);
    const [pid] = (await listenerPids()).filter((p) => !before.includes(p));
    expect(pid).toBeDefined();
    const seen = watcher.subscribe<{ n: number }>("batch-progress:r");
    // A subscriber that asked to be told of losses: it can read again what it keeps current.
    const told = watcher.subscribe<{ n: number } | { missed: true }>("batch-progress:r", undefined, { missed: () => ({ missed: true }) });
    a!.publish("batch-progress:r", { n: 1 });
    expect(await take(seen, 1)).toEqual([{ n: 1 }]);
    expect(await take(told, 1)).toEqual([{ n: 1 }]);

    await sql.query("SELECT pg_terminate_backend($1)", [pid]);
    a!.publish("batch-progress:r", { n: 2 }); // sent while the watcher listens no more: lost to it
    await waitFor(async () => (await listenerPids()).some((p) => p !== pid && !before.includes(p)));
    // Told once it listens again, before anything published since.
    expect(await take(told, 1)).toEqual([{ missed: true }]);
    a!.publish("batch-progress:r", { n: 3 });
    expect(await take(seen, 1)).toEqual([{ n: 3 }]);
    // And again when the gap in a's numbers shows, just before the message after it.
    expect(await take(told, 2)).toEqual([{ missed: true }, { n: 3 }]);
    expect(errors.some((error) => error instanceof Error && /lost its connection/.test(error.message))).toBe(true);
    expect(errors.some((error) => error instanceof MissedEventsError && error.missed === 1)).toBe(true);
  });

  it("tells the other instances of a NOTIFY it could not send once it can again, though it publishes nothing more", async () => {
    // Instance a reaches PostgreSQL through a proxy the test cuts; b directly.
    await withProxy(async (proxy, throughProxy, channel) => {
      const errors: unknown[] = [];
      const a = await createPostgresEventBus({ url: throughProxy, channel, onError: (error) => errors.push(error) });
      const b = await createPostgresEventBus({ url: db.url, channel });
      open.push(a, b);
      const told = b.subscribe<{ n: number } | { missed: true }>("batch-progress:q", undefined, { missed: () => ({ missed: true }) });
      a.publish("batch-progress:q", { n: 1 });
      expect(await take(told, 1)).toEqual([{ n: 1 }]);

      proxy.cut();
      a.publish("batch-progress:q", { n: 2 }); // its NOTIFY and the retry fail: lost to every instance
      await waitFor(() => errors.length >= 2);
      await proxy.restore();
      // a publishes nothing more, yet b learns that it missed something.
      expect(await take(told, 1, 4_000)).toEqual([{ missed: true }]);
    });
  });

  it("tells of a NOTIFY it could not send though it had sent none before (the others knew none of its numbers)", async () => {
    await withProxy(async (proxy, throughProxy, channel) => {
      const b = await createPostgresEventBus({ url: db.url, channel });
      open.push(b);
      const told = b.subscribe<{ n: number } | { missed: true }>("batch-progress:f", undefined, { missed: () => ({ missed: true }) });
      const errors: unknown[] = [];
      const a = await createPostgresEventBus({ url: throughProxy, channel, onError: (error) => errors.push(error) });
      open.push(a);

      proxy.cut();
      a.publish("batch-progress:f", { n: 1 }); // a's first message, lost to every instance
      await waitFor(() => errors.length >= 2);
      await proxy.restore();
      expect(await take(told, 1, 4_000)).toEqual([{ missed: true }]);
    });
  });

  it("tells of a NOTIFY it could not send when it is closed before its announcement was due", async () => {
    await withProxy(async (proxy, throughProxy, channel) => {
      const errors: unknown[] = [];
      const a = await createPostgresEventBus({ url: throughProxy, channel, onError: (error) => errors.push(error) });
      const b = await createPostgresEventBus({ url: db.url, channel });
      open.push(a, b);
      const told = b.subscribe<{ n: number } | { missed: true }>("batch-progress:c", undefined, { missed: () => ({ missed: true }) });
      a.publish("batch-progress:c", { n: 1 });
      expect(await take(told, 1)).toEqual([{ n: 1 }]);

      proxy.cut();
      a.publish("batch-progress:c", { n: 2 }); // the last snapshot before shutdown, lost
      await waitFor(() => errors.length >= 2);
      await proxy.restore();
      await a.close(); // at once: the instance is shutting down
      expect(await take(told, 1, 2_000)).toEqual([{ missed: true }]);
    });
  });

  it("ends its subscriptions and its connections on close, sending what was published before", async () => {
    const {
      buses: [a, b],
    } = await instances(2);
    const onA = a!.subscribe("batch-list");
    const onB = b!.subscribe<{ last: boolean }>("batch-list");
    a!.publish("batch-list", { last: true });
    await a!.close();
    expect(await onA.next()).toEqual({ done: true, value: undefined });
    expect(await take(onB, 1)).toEqual([{ last: true }]);
    await b!.close();
    expect(await onB.next()).toEqual({ done: true, value: undefined });
    await waitFor(async () => (await listenerPids()).length === 0);
    const publishers = await sql.query(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'fxbt-events-publisher' AND datname = current_database()",
    );
    expect(publishers.rowCount).toBe(0);
  });

  it("refuses to start when it cannot LISTEN", async () => {
    await expect(createPostgresEventBus({ url: "postgresql://postgres@127.0.0.1:1/none" })).rejects.toThrow(/cannot LISTEN for events/);
  });
});
