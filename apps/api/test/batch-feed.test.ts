// batchFeed's promise: its first event, LISTENING, comes only once the subscription is in place, so a
// change published after it (which a client reading on LISTENING may have missed in its read) is
// delivered. The resolver is driven here as graphql-ws drives it: subscribe, then pull events.
import type { BatchView } from "@fxbt/domain";
import { type BatchListMessage, channels, createInProcessEventBus } from "@fxbt/events";
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
