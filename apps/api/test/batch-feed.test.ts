// batchFeed's promise: its first event, LISTENING, comes only once the subscription is in place, so a
// change published after it (which a client reading on LISTENING may have missed in its read) is
// delivered. The resolver is driven here as graphql-ws drives it: subscribe, then pull events.
import type { BatchView } from "@fxbt/domain";
import { type BatchListMessage, channels, createInProcessEventBus, DEFAULT_SUBSCRIBER_LIMIT } from "@fxbt/events";
import { describe, expect, it } from "vitest";
import type { GraphQLContext } from "../src/graphql/context";
import { subscriptionResolvers } from "../src/graphql/subscriptions";

const batch = (id: string, partner: string | null = null) => ({ id, partner, status: "PENDING" }) as unknown as BatchView;

function feedOf(partner: string | null) {
  const bus = createInProcessEventBus();
  const context = { bus, caller: { partner } } as unknown as GraphQLContext;
  const feed = subscriptionResolvers.batchFeed.subscribe(null, {}, context);
  const resolve = (message: unknown) => subscriptionResolvers.batchFeed.resolve(message as BatchListMessage);
  return { bus, feed, resolve };
}

describe("batchFeed", () => {
  it("is listening once subscribed: a change published before its first event is pulled comes after LISTENING", async () => {
    const { bus, feed, resolve } = feedOf(null);
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("b1") } satisfies BatchListMessage);
    const first = await feed.next();
    // A feed that subscribed only when asked for its second event would have lost b1: it gets b2
    // (rather than waiting for good, a hang the test would report only at its time limit).
    const pulled = feed.next();
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("b2") } satisfies BatchListMessage);
    const second = await pulled;
    expect(resolve(first.value)).toEqual({ kind: "LISTENING", batch: null });
    expect(resolve(second.value)).toEqual({ kind: "CHANGED", batch: batch("b1") });
    await feed.return(undefined);
  });

  it("tells every caller it is listening, then only the changes of batches it may see", async () => {
    const { bus, feed, resolve } = feedOf("acme");
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("b1", "globex") } satisfies BatchListMessage);
    bus.publish(channels.batchList(), { kind: "deleted", batch: batch("b2", "acme") } satisfies BatchListMessage);
    expect(resolve((await feed.next()).value)).toEqual({ kind: "LISTENING", batch: null });
    expect(resolve((await feed.next()).value)).toEqual({ kind: "DELETED", batch: batch("b2", "acme") });
    await feed.return(undefined);
  });

  it("holds only the changes its caller may see: other partners' changes neither fill its buffer nor end it", async () => {
    const { bus, feed, resolve } = feedOf("acme");
    expect(resolve((await feed.next()).value)).toEqual({ kind: "LISTENING", batch: null });
    // The reader is behind (nothing pulled) while another partner changes more batches than a feed holds.
    for (let i = 0; i <= DEFAULT_SUBSCRIBER_LIMIT; i++) {
      bus.publish(channels.batchList(), { kind: "changed", batch: batch(`g${i}`, "globex") } satisfies BatchListMessage);
    }
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("a1", "acme") } satisfies BatchListMessage);
    // Ended with LIMIT_EXCEEDED before: the other partner's activity was counted against acme's reader.
    expect(resolve((await feed.next()).value)).toEqual({ kind: "CHANGED", batch: batch("a1", "acme") });
    await feed.return(undefined);
  });

  it("says LISTENING again, in order with the changes, when the bus says messages may have been lost", async () => {
    const { bus, feed, resolve } = feedOf(null);
    expect(resolve((await feed.next()).value)).toEqual({ kind: "LISTENING", batch: null });
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("b1") } satisfies BatchListMessage);
    bus.missed();
    bus.publish(channels.batchList(), { kind: "changed", batch: batch("b2") } satisfies BatchListMessage);
    const kinds = [];
    for (let i = 0; i < 3; i++) kinds.push(resolve((await feed.next()).value));
    expect(kinds).toEqual([
      { kind: "CHANGED", batch: batch("b1") },
      { kind: "LISTENING", batch: null },
      { kind: "CHANGED", batch: batch("b2") },
    ]);
    await feed.return(undefined);
  });

  it("ends its bus subscription when the client goes, even while it waits for a change", async () => {
    const { bus, feed } = feedOf(null);
    await feed.next();
    const waiting = feed.next();
    expect(bus.listenerCount(channels.batchList())).toBe(1);
    await feed.return(undefined);
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(bus.listenerCount(channels.batchList())).toBe(0);
  });
});

describe("batchProgress after the bus lost messages", () => {
  const snapshot = (eventSequence: number, status = "RUNNING") =>
    ({ id: "6f1c0a4e-0000-4000-8000-000000000001", status, eventSequence }) as unknown as BatchView;

  async function progressOf(reads: (BatchView | null)[]) {
    const bus = createInProcessEventBus();
    const queries = { batch: async () => reads.shift() ?? null };
    const context = { bus, caller: { partner: null }, queries } as unknown as GraphQLContext;
    const progress = (await subscriptionResolvers.batchProgress.subscribe(
      null,
      { id: snapshot(0).id },
      context,
    )) as AsyncGenerator<unknown>;
    const next = async () => {
      const result = await progress.next();
      return result.done ? "done" : subscriptionResolvers.batchProgress.resolve(result.value as never);
    };
    return { bus, next };
  }

  it("reads the batch again: a final snapshot that was lost ends the subscription", async () => {
    const { bus, next } = await progressOf([snapshot(3), snapshot(9, "SUCCESS")]);
    expect(await next()).toMatchObject({ batch: { eventSequence: 3 }, deleted: false });
    bus.missed();
    expect(await next()).toMatchObject({ batch: { eventSequence: 9, status: "SUCCESS" }, sequence: 9 });
    expect(await next()).toBe("done");
  });

  it("ends with the deletion when the batch is gone", async () => {
    const { bus, next } = await progressOf([snapshot(3), null]);
    await next();
    bus.missed();
    expect(await next()).toMatchObject({ batch: { eventSequence: 3 }, deleted: true });
    expect(await next()).toBe("done");
  });

  it("sends nothing when the batch has not changed since", async () => {
    const { bus, next } = await progressOf([snapshot(3), snapshot(3), snapshot(4, "SUCCESS")]);
    await next();
    const sent = next();
    bus.missed();
    // Read again, unchanged: nothing is sent. The next loss reads it again.
    await new Promise((resolve) => setImmediate(resolve));
    bus.missed();
    expect(await sent).toMatchObject({ batch: { eventSequence: 4 } });
  });
});

describe("tradeStatusChanged after the bus lost messages", () => {
  const batchId = "6f1c0a4e-0000-4000-8000-000000000002";
  const running = { id: batchId, status: "RUNNING", eventSequence: 4, archivedAt: null } as unknown as BatchView;

  it("ends when the batch is gone: its end (deleted) may have been the message lost", async () => {
    const bus = createInProcessEventBus();
    const reads: (BatchView | null)[] = [running, null];
    const queries = { batch: async () => reads.shift() ?? null, tradesChangedAfter: async () => [] };
    const context = { bus, caller: { partner: null }, queries } as unknown as GraphQLContext;
    const changes = (await subscriptionResolvers.tradeStatusChanged.subscribe(null, { batchId }, context)) as AsyncGenerator<unknown>;
    const next = changes.next();
    // Deleted while the bus's connection was down: its `ended` never came, only the loss is told.
    bus.missed();
    const waited = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1_000));
    expect(await Promise.race([next, waited])).toEqual({ done: true, value: undefined });
    expect(bus.listenerCount(channels.tradeStatus(batchId))).toBe(0);
    await changes.return(undefined);
  });

  it("stays open while the batch is there", async () => {
    const bus = createInProcessEventBus();
    const queries = { batch: async () => running, tradesChangedAfter: async () => [] };
    const context = { bus, caller: { partner: null }, queries } as unknown as GraphQLContext;
    const changes = (await subscriptionResolvers.tradeStatusChanged.subscribe(null, { batchId }, context)) as AsyncGenerator<unknown>;
    const next = changes.next();
    bus.missed();
    const waited = new Promise((resolve) => setTimeout(() => resolve("still waiting"), 200));
    expect(await Promise.race([next, waited])).toBe("still waiting");
    await changes.return(undefined);
    expect(bus.listenerCount(channels.tradeStatus(batchId))).toBe(0);
  });
});
