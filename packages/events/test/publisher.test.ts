import type { BatchRow } from "@fxbt/db";
import { batchRow, tradeRow } from "@fxbt/db/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BatchProgressMessage, channels, createInProcessEventBus, type EventBus, EventPublisher } from "../src";

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

describe("EventPublisher", () => {
  it("coalesces a batch's progress to one event per interval, with the latest counters", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus, progressIntervalMs: 30 });
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress(B1), 10, async () => {
      publisher.publish(batch({ succeededTrades: 0, eventSequence: 1 }));
      for (let done = 1; done <= 50; done++) publisher.publish(batch({ succeededTrades: done, eventSequence: 1 + done }));
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(events.map((e) => e.batch.succeededTrades)).toEqual([0, 50]);
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
