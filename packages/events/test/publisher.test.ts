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
      publisher.publish(batch({ succeededTrades: 0 }));
      for (let done = 1; done <= 50; done++) publisher.publish(batch({ succeededTrades: done }));
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(events.map((e) => e.batch.succeededTrades)).toEqual([0, 50]);
  });

  it("sends a change of status at once and drops late, older snapshots", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus, progressIntervalMs: 10_000 });
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress(B1), 10, () => {
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 1 }));
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 99 }));
      publisher.publish(batch({ status: "SUCCESS", succeededTrades: 100 }));
      publisher.publish(batch({ status: "RUNNING", succeededTrades: 99 }));
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
});
