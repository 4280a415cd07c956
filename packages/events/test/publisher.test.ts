import type { BatchRow } from "@fxbt/db";
import { batchRow, tradeRow } from "@fxbt/db/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type BatchProgressMessage,
  channels,
  createInProcessEventBus,
  DEFAULT_PROGRESS_INTERVAL_MS,
  type EventBus,
  EventPublisher,
} from "../src";

const B1 = batchRow().id;
const B2 = "00000000-0000-4000-8000-000000000002";
/** A committed batch as the publisher receives it. */
const batch = (overrides: Partial<BatchRow>) => ({ batches: [batchRow(overrides)] });

async function take<T>(bus: EventBus, channel: string, count: number, during: () => Promise<void> | void): Promise<T[]> {
  const stop = new AbortController();
  const received: T[] = [];
  const reading = (async () => {
    for await (const message of bus.subscribe<T>(channel, stop.signal)) {
      received.push(message);
      if (received.length === count) break;
    }
  })();
  await during();
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 200))]);
  stop.abort();
  return received;
}

afterEach(() => vi.useRealTimers());

/**
 * An in-process bus as a broker's looks to the publisher: this process's subscribers get a message,
 * and its onHanded runs, only when it comes back, `roundTripMs` after its publish (over Redis or
 * PostgreSQL). `lose` drops the messages it picks on the way (a listener reconnecting).
 */
function brokerLikeBus({ roundTripMs = 10, lose = (_message: unknown): boolean => false } = {}): EventBus {
  const bus = createInProcessEventBus();
  return {
    publish(channel, message, onHanded) {
      if (!lose(message)) setTimeout(() => bus.publish(channel, message, onHanded), roundTripMs);
    },
    subscribe: bus.subscribe,
    close: bus.close,
  };
}

/**
 * A publisher with a 200 ms interval (or the options given) on a fake clock, and a reader of B1's
 * progress. arrivals() stops reading and gives each event's succeededTrades and when it arrived, in
 * ms from this call; onArrival runs as each event is delivered (with how many have arrived), inside
 * that delivery: advancing the clock there is a delivery that takes that long.
 */
function withFakeClock(
  onArrival?: (count: number) => void,
  { bus = createInProcessEventBus(), ...options }: { progressIntervalMs?: number; bus?: EventBus } = { progressIntervalMs: 200 },
) {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
  const publisher = new EventPublisher({ bus, ...options });
  const stop = new AbortController();
  const arrived: [number, number][] = [];
  const start = performance.now();
  const reading = (async () => {
    for await (const message of bus.subscribe<BatchProgressMessage>(channels.batchProgress(B1), stop.signal)) {
      arrived.push([message.batch.succeededTrades, performance.now() - start]);
      onArrival?.(arrived.length);
    }
  })();
  const arrivals = async () => {
    stop.abort();
    await reading;
    return arrived;
  };
  return { publisher, arrivals };
}

describe("EventPublisher", () => {
  it("coalesces the progress that comes while a batch's last event is delivered and held, to the latest counters", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus, progressIntervalMs: 30 });
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress(B1), 10, async () => {
      publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
      for (let done = 1; done <= 50; done++) publisher.publish(batch({ succeededTrades: done, eventSequence: 1 + done }));
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(events.map((e) => e.batch.succeededTrades)).toEqual([0, 50]);
  });

  it("holds a change for twice the time the batch's last event took to deliver, and sends one that comes after at once", async () => {
    const { publisher, arrivals } = withFakeClock(() => {
      // Each delivery takes 30 ms, as writing an event to a few hundred sockets can.
      vi.advanceTimersByTime(30);
    });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(20);
    // 20 ms after the first event's 30 ms delivery ended: held 40 ms more (a 60 ms hold, not the 200 ms interval).
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    await vi.advanceTimersByTimeAsync(200);
    // Long after that event's hold (60 ms from its delivery's end): no wait.
    publisher.publish(batch({ succeededTrades: 2, eventSequence: 3 }));
    await vi.advanceTimersByTimeAsync(200);
    expect(await arrivals()).toEqual([
      [0, 0],
      [1, 90],
      [2, 280],
    ]);
  });

  it("over a broker, holds a change for twice the time the batch's last event took to deliver once it came back", async () => {
    const { publisher, arrivals } = withFakeClock(() => vi.advanceTimersByTime(30), { progressIntervalMs: 200, bus: brokerLikeBus() });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await vi.advanceTimersByTimeAsync(5);
    // The first event is still on its way (back at 10 ms, delivered by 40): this one waits for that
    // delivery and then its 60 ms hold less the 10 ms it takes to come back, not for the 200 ms
    // interval. So it is back 60 ms after that delivery's end.
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    await vi.advanceTimersByTimeAsync(295);
    // The second event went at 90 and was delivered by 130: its hold ended at 180, so no wait
    // (the clock is at 360, 300 and the two deliveries' 30 ms).
    publisher.publish(batch({ succeededTrades: 2, eventSequence: 3 }));
    await vi.advanceTimersByTimeAsync(500);
    expect(await arrivals()).toEqual([
      [0, 10],
      [1, 100],
      [2, 370],
    ]);
  });

  it("over a broker that lost the batch's last event, holds a change until an interval after that event's publish", async () => {
    // The first snapshot's messages are lost.
    const bus = brokerLikeBus({ lose: (message) => (message as Partial<BatchProgressMessage>).batch?.succeededTrades === 0 });
    const { publisher, arrivals } = withFakeClock(undefined, { progressIntervalMs: 200, bus });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await vi.advanceTimersByTimeAsync(50);
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    await vi.advanceTimersByTimeAsync(500);
    // Its delivery never ends: at 200 it counts as delivered, and the held change goes.
    expect(await arrivals()).toEqual([[1, 210]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("holds progress for DEFAULT_PROGRESS_INTERVAL_MS at most when given no interval", async () => {
    // Delivering the first event takes 300 ms: twice that is more than the interval.
    const { publisher, arrivals } = withFakeClock((count) => count === 1 && vi.advanceTimersByTime(300), {});
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    await vi.advanceTimersByTimeAsync(DEFAULT_PROGRESS_INTERVAL_MS * 5);
    expect(await arrivals()).toEqual([
      [0, 0],
      [1, 300 + DEFAULT_PROGRESS_INTERVAL_MS],
    ]);
  });

  it("holds at most an interval, counted from the end of this process's delivery of the batch's last event", async () => {
    const { publisher, arrivals } = withFakeClock((count) => {
      // Delivering the first event takes 300 ms, as writing it to thousands of sockets can.
      if (count === 1) vi.advanceTimersByTime(300);
    });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(50);
    // 350 ms after the first event went out, but 50 ms after its delivery ended: held 150 ms more.
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    await vi.advanceTimersByTimeAsync(500);
    expect(await arrivals()).toEqual([
      [0, 0],
      [1, 500],
    ]);
  });

  it("holds a change that comes while this process is still delivering the batch's last event, for an interval after that delivery", async () => {
    const { publisher, arrivals } = withFakeClock((count) => {
      if (count > 1) return;
      // Delivering the first event takes 300 ms, and another commit of the batch is handled in
      // the same turn of the event loop (its database answer was already waiting): 300 ms after
      // the publish, but no time at all after the delivery.
      vi.advanceTimersByTime(300);
      queueMicrotask(() => publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 })));
    });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await arrivals()).toEqual([
      [0, 0],
      [1, 500],
    ]);
  });

  it("close sends what it holds and leaves no timer, though a delivery is under way and a change comes after it", async () => {
    const { publisher, arrivals } = withFakeClock();
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    // Held: the first event's delivery has not ended (its setImmediate is due).
    publisher.publish(batch({ succeededTrades: 1, eventSequence: 2 }));
    publisher.close();
    // A late commit, during the delivery of what close sent.
    publisher.publish(batch({ succeededTrades: 2, eventSequence: 3 }));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(vi.getTimerCount()).toBe(0);
    expect(await arrivals()).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
    ]);
  });

  it("close leaves no timer waiting for an event still on its way through a broker", async () => {
    // A broker that never brings the event back: nothing is left to time out either.
    const { publisher, arrivals } = withFakeClock(undefined, { progressIntervalMs: 200, bus: brokerLikeBus({ lose: () => true }) });
    publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
    publisher.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(await arrivals()).toEqual([]);
  });

  it("sends a change of status at once and drops late, older snapshots (lower event numbers)", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus, progressIntervalMs: 10_000 });
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress(B1), 10, () => {
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 1, eventSequence: 10 }));
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 99, eventSequence: 108 }));
      publisher.publish(batch({ status: "SUCCESS", succeededTrades: 100, eventSequence: 109 }));
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 99, eventSequence: 108 }));
    });
    expect(events.map((e) => [e.batch.status, e.batch.succeededTrades])).toEqual([
      ["RUNNING", 1],
      ["SUCCESS", 100],
    ]);
  });

  it("publishes every trade transition on its batch's channel and list changes on the list channel", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus });
    const trades = await take<{ previousStatus: string }>(bus, channels.tradeStatus(B1), 2, () => {
      const trade = tradeRow({ status: "EXECUTING" });
      publisher.publish({
        trades: [
          { trade, previousStatus: "PENDING" },
          { trade, previousStatus: "EXECUTING" },
        ],
      });
    });
    expect(trades.map((t) => t.previousStatus)).toEqual(["PENDING", "EXECUTING"]);
    const list = await take<{ kind: string }>(bus, channels.batchList(), 2, () => {
      publisher.publish(batch({ id: B2, status: "PENDING" }));
      publisher.publish({ deletedBatches: [batchRow({ id: B2, status: "PENDING" })] });
    });
    expect(list.map((m) => m.kind)).toEqual(["changed", "deleted"]);
  });

  it("ends subscriptions when the bus closes", async () => {
    const bus = createInProcessEventBus();
    const iterator = bus.subscribe("x");
    const next = iterator.next();
    await bus.close();
    await expect(next).resolves.toMatchObject({ done: true });
  });

  it("announces the numbers of a transaction's range that no trade event carries, after its trade events", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus });
    const messages = await take<object>(bus, channels.tradeStatus(B1), 4, () => {
      // A transaction numbered 5 to 8 whose trade events carry 6 and 8: 5 and 7 carry none.
      publisher.publish({
        trades: [
          { trade: tradeRow({ status: "CANCELLED", sequence: 6 }), previousStatus: "PENDING" },
          { trade: tradeRow({ id: "00000000-0000-4000-8000-0000000000a2", status: "CANCELLED", sequence: 8 }), previousStatus: "PENDING" },
        ],
        batches: [batchRow({ eventSequenceFrom: 5, eventSequence: 8 })],
      });
      // A transaction whose every number is a trade's announces nothing more.
      publisher.publish({
        trades: [{ trade: tradeRow({ status: "SUCCESS", sequence: 9 }), previousStatus: "QUOTED" }],
        batches: [batchRow({ eventSequenceFrom: 9, eventSequence: 9 })],
      });
    });
    expect(messages.map((m) => ("trade" in m ? (m as { trade: { sequence: number } }).trade.sequence : m))).toEqual([
      6,
      8,
      { skippedSequences: [5, 7] },
      9,
    ]);
  });
});
