import type { BatchView } from "@fxbt/domain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type BatchProgressMessage, channels, createInProcessEventBus, type EventBus, EventPublisher } from "../src";

const view = (overrides: Partial<BatchView>): BatchView => ({
  id: "b1",
  batchUid: "B-20261121-0001",
  name: null,
  status: "RUNNING",
  priority: 0,
  totalTrades: 100,
  succeededTrades: 0,
  failedTrades: 0,
  cancelledTrades: 0,
  createdAt: "2026-11-21T00:00:00.000Z",
  updatedAt: "2026-11-21T00:00:00.000Z",
  queuedAt: null,
  startedAt: null,
  completedAt: null,
  cancelRequestedAt: null,
  ...overrides,
});

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
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress("b1"), 10, async () => {
      publisher.batchChanged(view({ succeededTrades: 0 }));
      for (let done = 1; done <= 50; done++) publisher.batchChanged(view({ succeededTrades: done }));
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(events.map((e) => e.batch.succeededTrades)).toEqual([0, 50]);
  });

  it("sends a change of status at once and drops late, older snapshots", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus, progressIntervalMs: 10_000 });
    const events = await take<BatchProgressMessage>(bus, channels.batchProgress("b1"), 10, () => {
      publisher.batchChanged(view({ status: "RUNNING", succeededTrades: 1 }));
      publisher.batchChanged(view({ status: "RUNNING", succeededTrades: 99 }));
      publisher.batchChanged(view({ status: "SUCCESS", succeededTrades: 100 }));
      publisher.batchChanged(view({ status: "RUNNING", succeededTrades: 99 }));
    });
    expect(events.map((e) => [e.batch.status, e.batch.succeededTrades])).toEqual([
      ["RUNNING", 1],
      ["SUCCESS", 100],
    ]);
  });

  it("publishes every trade transition on its batch's channel and list changes on the list channel", async () => {
    const bus = createInProcessEventBus();
    const publisher = new EventPublisher({ bus });
    const trades = await take<{ previousStatus: string }>(bus, channels.tradeStatus("b1"), 2, () => {
      const trade = { id: "t1", batchId: "b1", status: "EXECUTING" } as never;
      publisher.tradeStatusChanged([
        { trade, previousStatus: "PENDING" },
        { trade, previousStatus: "EXECUTING" },
      ]);
    });
    expect(trades.map((t) => t.previousStatus)).toEqual(["PENDING", "EXECUTING"]);
    const list = await take<{ kind: string }>(bus, channels.batchList(), 2, () => {
      publisher.batchChanged(view({ id: "b2", status: "PENDING" }));
      publisher.batchDeleted(view({ id: "b2", status: "PENDING" }));
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
