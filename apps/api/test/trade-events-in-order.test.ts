import type { TradeView } from "@fxbt/domain";
import { createInProcessEventBus, type TradeChannelMessage, type TradeStatusMessage } from "@fxbt/events";
import { describe, expect, it } from "vitest";
import { type ReadChangedTrades, tradeEventsInOrder } from "../src/graphql/trade-events-in-order";

/** A trade as the database holds it now: only its latest change and number. */
const trade = (id: string, sequence: number, status = "EXECUTING") => ({ id, sequence, status }) as unknown as TradeView;
const event = (id: string, sequence: number, status = "EXECUTING"): TradeStatusMessage => ({
  trade: trade(id, sequence, status),
  previousStatus: "PENDING",
});

/** The trade table of one batch, read as listTradesChangedAfter reads it; counts its reads. */
function database(trades: TradeView[]) {
  const reads: { after: number; through?: number | null }[] = [];
  const readChanged: ReadChangedTrades = async ({ after, through, limit }) => {
    reads.push({ after, through });
    return trades
      .filter((t) => t.sequence > after && (through == null || t.sequence <= through))
      .sort((a, b) => a.sequence - b.sequence)
      .slice(0, limit);
  };
  return { readChanged, reads };
}

/** Runs the ordering over a live channel fed by `feed`, until `count` events came out. */
async function deliver(
  count: number,
  options: { after: number; replay: boolean; readChanged: ReadChangedTrades; gapWaitMs?: number; pageSize?: number },
  feed: (publish: (message: TradeChannelMessage) => void) => void | Promise<void>,
) {
  const bus = createInProcessEventBus();
  const stop = new AbortController();
  const live = bus.subscribe<TradeChannelMessage>("trades", stop.signal, { limit: 10_000 });
  const out: { id: string; sequence: number; previousStatus: string | null }[] = [];
  const reading = (async () => {
    for await (const message of tradeEventsInOrder(live, options)) {
      out.push({ id: message.trade.id, sequence: message.trade.sequence, previousStatus: message.previousStatus });
      if (out.length === count) break;
    }
  })();
  await feed((message) => bus.publish("trades", message));
  await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 2_000))]);
  stop.abort();
  await bus.close();
  return out;
}

describe("tradeEventsInOrder", () => {
  it("reads what changed since its last number when the bus says messages were lost, though no later number shows a gap", async () => {
    // Trades a and b finished at 6 and 7 while the bus's connection was down: their events never came,
    // and they were the batch's last. The one loss message is all there is to go on.
    const db = database([trade("a", 6, "SUCCESS"), trade("b", 7, "SUCCESS")]);
    const bus = createInProcessEventBus();
    const stop = new AbortController();
    const live = bus.subscribe<TradeChannelMessage | { missed: true }>("trades", stop.signal, { missed: () => ({ missed: true }) });
    const out: [string, number, string | null][] = [];
    const reading = (async () => {
      for await (const message of tradeEventsInOrder(live, { after: 4, replay: false, ...db, gapWaitMs: 60_000 })) {
        out.push([message.trade.id, message.trade.sequence, message.previousStatus]);
        if (out.length === 3) break;
      }
    })();
    bus.publish("trades", event("a", 5));
    bus.missed();
    await Promise.race([reading, new Promise((resolve) => setTimeout(resolve, 2_000))]);
    stop.abort();
    expect(out).toEqual([
      ["a", 5, "PENDING"],
      ["a", 6, null],
      ["b", 7, null],
    ]);
    expect(db.reads).toEqual([{ after: 5, through: null }]);
  });

  it("replays what changed after the number, each trade once as it stands, then live events without a duplicate at the seam", async () => {
    // Trade a changed at 3 and 5 (the table has its latest), b at 4 then 6 (live), c at 7 (live).
    const db = database([trade("x", 2), trade("a", 5), trade("b", 4)]);
    const out = await deliver(4, { after: 2, replay: true, ...db }, (publish) => {
      // Published after the subscription opened and before (or while) the table was read: repeats.
      publish(event("a", 3));
      publish(event("b", 4));
      publish(event("a", 5));
      publish(event("b", 6));
      publish(event("c", 7));
    });
    expect(out.map((e) => [e.id, e.sequence])).toEqual([
      ["b", 4],
      ["a", 5],
      ["b", 6],
      ["c", 7],
    ]);
    expect(out.slice(0, 2).every((e) => e.previousStatus === null)).toBe(true);
  });

  it("puts live events that arrive out of order (from two instances) back in order", async () => {
    const db = database([]);
    const out = await deliver(4, { after: 10, replay: false, ...db }, (publish) => {
      publish(event("b", 12));
      publish(event("d", 14));
      publish(event("a", 11));
      publish(event("c", 13));
    });
    expect(out.map((e) => e.sequence)).toEqual([11, 12, 13, 14]);
    expect(db.reads).toEqual([]);
  });

  it("passes numbers announced as carrying no trade event without waiting or reading", async () => {
    const db = database([]);
    const started = Date.now();
    // A wait for the gap would last a whole minute; the bound below is half of it.
    const out = await deliver(2, { after: 0, replay: false, gapWaitMs: 60_000, ...db }, (publish) => {
      publish({ skippedSequences: [1] });
      publish(event("a", 2));
      publish({ skippedSequences: [3, 5] });
      publish(event("b", 4));
    });
    expect(out.map((e) => e.sequence)).toEqual([2, 4]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(db.reads).toEqual([]);
  });

  it("reads the numbers of a gap that stays open (a lost message) from the table, then goes on live", async () => {
    // 21 was lost: its trade e is in the table at 21; f moved at 22 and is in the table too.
    const db = database([trade("e", 21, "QUOTED"), trade("f", 22)]);
    const out = await deliver(3, { after: 20, replay: false, gapWaitMs: 50, ...db }, async (publish) => {
      publish(event("f", 22));
      await new Promise((resolve) => setTimeout(resolve, 150));
      publish(event("g", 23));
    });
    expect(out.map((e) => [e.id, e.sequence])).toEqual([
      ["e", 21],
      ["f", 22],
      ["g", 23],
    ]);
    expect(db.reads).toEqual([{ after: 20, through: 22 }]);
  });

  it("replays a long history in pages", async () => {
    const trades = Array.from({ length: 25 }, (_, i) => trade(`t${i + 1}`, i + 1));
    const db = database(trades);
    const out = await deliver(25, { after: 0, replay: true, pageSize: 10, ...db }, () => {});
    expect(out.map((e) => e.sequence)).toEqual(trades.map((t) => t.sequence));
    expect(db.reads.map((r) => r.after)).toEqual([0, 10, 20]);
  });

  it("ends when the batch is deleted", async () => {
    const bus = createInProcessEventBus();
    const live = bus.subscribe<TradeChannelMessage>("trades");
    const events = tradeEventsInOrder(live, { after: 0, replay: false, ...database([]) });
    const next = events.next();
    bus.publish("trades", { ended: "deleted" });
    await expect(next).resolves.toMatchObject({ done: true });
  });
});
