import type { TestDatabase } from "@fxbt/db/testing";
import { type BatchListMessage, channels, type InProcessEventBus, type TradeStatusMessage } from "@fxbt/events";
import type { Client } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { GENEROUS_LIMITS } from "./access-fixtures";
import { eventually, type GraphQLResponse, stage, startTestApp, type TestApp, testDatabase, tradesCsv, wsClient } from "./harness";

/**
 * Subscription fan-out executes a selection set once per event per group of subscribers (same
 * document, variables and visibility scope), through real sockets. Events are published on the
 * app's own bus, as the publisher does, with trades whose fields count how often they are read:
 * each execution reads `id` once, so the reads are the executions.
 */

let db: TestDatabase;
let app: TestApp;
let clients: Client[] = [];

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, GENEROUS_LIMITS);
});

afterEach(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  clients = [];
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** A socket of its own for each subscriber, as separate browsers or partner apps would have. */
function socket(key: string): Client {
  const client = wsClient(app.url, key);
  clients.push(client);
  return client;
}

/** Every result a subscriber receives, errors and all, as the client got it. */
function listen<T>(client: Client, query: string, variables: Record<string, unknown>): GraphQLResponse<T>[] {
  const results: GraphQLResponse<T>[] = [];
  client.subscribe<T>(
    { query, variables },
    { next: (result) => void results.push(result as GraphQLResponse<T>), error: () => {}, complete: () => {} },
  );
  return results;
}

const bus = () => app.app.bus as InProcessEventBus;

/** Waits until this many subscriptions listen on the batch's trade channel: then a publish reaches them all. */
async function listening(batchId: string, count: number): Promise<void> {
  await eventually(async () => bus().listenerCount(channels.tradeStatus(batchId)) === count, 10_000);
}

interface CountedTrade {
  message: TradeStatusMessage;
  /** How many times the trade's id was read: once per execution of a selection set that selects it. */
  reads: () => number;
}

/** The number of a batch's latest event: its next trade event must carry the one after it (subscriptions deliver in order). */
async function eventSequence(batchId: string): Promise<number> {
  const { batch } = await app.query<{ batch: { eventSequence: number } }>(`query($id: ID!) { batch(id: $id) { eventSequence } }`, {
    id: batchId,
  });
  return batch.eventSequence;
}

/**
 * A trade change as the publisher sends it (numbered `sequence` on its channel), with an id that
 * counts its reads and any fields overridden.
 */
function tradeEvent(
  sequence: number,
  batchId: string,
  fields: Record<string, unknown> = {},
  getters: PropertyDescriptorMap = {},
): CountedTrade {
  let reads = 0;
  const id = crypto.randomUUID();
  const trade = Object.defineProperties(
    {
      batchId,
      rowNumber: 1,
      clientId: "C-1",
      clientName: "Client 1",
      accountNumber: "1234567890",
      sellCurrency: "ZAR",
      buyCurrency: "USD",
      direction: "BUY",
      amount: "100.25",
      valueDate: null,
      reference: "REF-1",
      status: "SUCCESS",
      attempts: 1,
      sequence,
      ...fields,
    },
    {
      id: {
        enumerable: true,
        get: () => {
          reads++;
          return id;
        },
      },
      ...getters,
    },
  );
  return { message: { trade, previousStatus: "QUOTED" } as unknown as TradeStatusMessage, reads: () => reads };
}

/** Waits until every subscriber has this many results, and returns the last of each. */
async function lastResults<T>(subscribers: GraphQLResponse<T>[][], count: number): Promise<GraphQLResponse<T>[]> {
  await eventually(async () => subscribers.every((results) => results.length >= count), 10_000);
  return subscribers.map((results) => results[count - 1]!);
}

const TRADE_CHANGES = `subscription($id: ID!, $withReference: Boolean!) {
  tradeStatusChanged(batchId: $id) { previousStatus trade { id status reference @include(if: $withReference) } }
}`;

describe("one execution per event per group", () => {
  it("subscribers of the same document, variables and scope get the same result from one execution per event", async () => {
    const batch = await stage(app, tradesCsv(2));
    const subscribers = Array.from({ length: 5 }, () => listen(socket(app.key), TRADE_CHANGES, { id: batch.id, withReference: true }));
    await listening(batch.id, 5);
    const sequence = await eventSequence(batch.id);

    for (const [index, status] of ["EXECUTING", "SUCCESS"].entries()) {
      const event = tradeEvent(sequence + index + 1, batch.id, { status });
      bus().publish(channels.tradeStatus(batch.id), event.message);
      const received = await lastResults(subscribers, index + 1);
      expect(event.reads()).toBe(1);
      const expected = {
        data: { tradeStatusChanged: { previousStatus: "QUOTED", trade: { id: event.message.trade.id, status, reference: "REF-1" } } },
      };
      for (const result of received) expect(result).toEqual(expected);
    }
  });

  it("different variables are executed apart, each group once, and each subscriber gets its own group's result", async () => {
    const batch = await stage(app, tradesCsv(2));
    const withReference = [1, 2, 3].map(() => listen(socket(app.key), TRADE_CHANGES, { id: batch.id, withReference: true }));
    const without = [1, 2].map(() => listen(socket(app.key), TRADE_CHANGES, { id: batch.id, withReference: false }));
    await listening(batch.id, 5);

    const event = tradeEvent((await eventSequence(batch.id)) + 1, batch.id);
    bus().publish(channels.tradeStatus(batch.id), event.message);
    const [withResults, withoutResults] = [await lastResults(withReference, 1), await lastResults(without, 1)];
    expect(event.reads()).toBe(2);
    const trade = { id: event.message.trade.id, status: "SUCCESS" };
    for (const result of withResults)
      expect(result.data).toEqual({ tradeStatusChanged: { previousStatus: "QUOTED", trade: { ...trade, reference: "REF-1" } } });
    for (const result of withoutResults) expect(result.data).toEqual({ tradeStatusChanged: { previousStatus: "QUOTED", trade } });
  });

  it("a partner never gets staff's result (nor staff a partner's), while principals of one partner share theirs", async () => {
    const acmeKeys = [await app.createKey("TRADER", "acme"), await app.createKey("VIEWER", "acme")];
    const globex = await app.createKey("TRADER", "globex");
    const acmeBatch = await stage(app.as(acmeKeys[0]!), tradesCsv(2));
    const globexBatch = await stage(app.as(globex), tradesCsv(2));
    // Trade.batch reads through the caller's partner: the event claims a globex batch, which
    // staff may see and acme may not. Shared across scopes, acme would be shown globex's batch.
    const query = `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id batch { id partner } } } }`;
    const acme = [...acmeKeys, acmeKeys[0]!].map((key) => listen(socket(key), query, { id: acmeBatch.id }));
    const staff = [1, 2].map(() => listen(socket(app.key), query, { id: acmeBatch.id }));
    await listening(acmeBatch.id, 5);

    const event = tradeEvent((await eventSequence(acmeBatch.id)) + 1, globexBatch.id);
    bus().publish(channels.tradeStatus(acmeBatch.id), event.message);
    const [acmeResults, staffResults] = [await lastResults(acme, 1), await lastResults(staff, 1)];
    expect(event.reads()).toBe(2);
    const id = event.message.trade.id;
    for (const result of acmeResults) expect(result).toEqual({ data: { tradeStatusChanged: { trade: { id, batch: null } } } });
    for (const result of staffResults)
      expect(result).toEqual({ data: { tradeStatusChanged: { trade: { id, batch: { id: globexBatch.id, partner: "globex" } } } } });
  });

  it("an internal error raised in the one execution reaches every subscriber masked, with no detail", async () => {
    const batch = await stage(app, tradesCsv(2));
    const subscribers = [1, 2, 3].map(() => listen(socket(app.key), TRADE_CHANGES, { id: batch.id, withReference: true }));
    await listening(batch.id, 3);

    const event = tradeEvent(
      (await eventSequence(batch.id)) + 1,
      batch.id,
      {},
      {
        reference: {
          get: () => {
            throw new Error("relation trade_secret: password=hunter2");
          },
        },
      },
    );
    bus().publish(channels.tradeStatus(batch.id), event.message);
    const received = await lastResults(subscribers, 1);
    expect(event.reads()).toBe(1);
    for (const result of received) {
      expect(JSON.stringify(result)).not.toContain("hunter2");
      expect(result.data).toEqual({
        tradeStatusChanged: { previousStatus: "QUOTED", trade: { id: event.message.trade.id, status: "SUCCESS", reference: null } },
      });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: "Internal server error",
          path: ["tradeStatusChanged", "trade", "reference"],
          extensions: { code: "INTERNAL_SERVER_ERROR" },
        }),
      ]);
    }
  });

  it("real progress events of a running batch reach every subscriber, to the same final state", async () => {
    const batch = await stage(app, tradesCsv(20));
    const query = `subscription($id: ID!) { batchProgress(id: $id) { batch { id status processedTrades progress } } }`;
    type Progress = { batchProgress: { batch: { status: string; processedTrades: number } } };
    const subscribers = [1, 2, 3, 4].map(() => listen<Progress>(socket(app.key), query, { id: batch.id }));
    await eventually(async () => subscribers.every((results) => results.length >= 1), 10_000);
    await app.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id });

    const final = (results: GraphQLResponse<Progress>[]) => results.at(-1)?.data?.batchProgress.batch;
    await eventually(
      async () => subscribers.every((results) => ["SUCCESS", "PARTIAL_SUCCESS", "FAILED"].includes(final(results)?.status ?? "")),
      30_000,
    );
    const finals = subscribers.map(final);
    expect(finals[0]?.processedTrades).toBe(20);
    for (const state of finals) expect(state).toEqual(finals[0]);
  });
});

describe("a socket that stops reading", () => {
  it("holds a bounded backlog: superseded snapshots are dropped on the server, the last one still arrives", async () => {
    // A raw graphql-transport-ws client whose TCP socket can stop being read, as a stalled browser tab.
    const socket = new WebSocket(app.url.replace("http", "ws"), "graphql-transport-ws");
    const messages: { type: string; payload?: { data?: { batchListChanged: { kind: string; batch: { name: string } } } } }[] = [];
    socket.on("message", (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${app.key}` } }));
    await eventually(async () => messages.some((message) => message.type === "connection_ack"), 10_000);
    const listeners = bus().listenerCount(channels.batchList());
    socket.send(
      JSON.stringify({ id: "1", type: "subscribe", payload: { query: "subscription { batchListChanged { kind batch { id name } } }" } }),
    );
    await eventually(async () => bus().listenerCount(channels.batchList()) === listeners + 1, 10_000);

    // 64 KB a snapshot, 1,000 of them: 64 MB, far beyond what the kernel's socket buffers take.
    const id = crypto.randomUUID();
    const padding = "x".repeat(64 * 1024);
    const snapshot = (name: string, kind: BatchListMessage["kind"] = "changed") =>
      ({ kind, batch: { id, name, status: "RUNNING", partner: null } }) as unknown as BatchListMessage;
    const stream = (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    stream.pause();
    const published = 1_000;
    for (let i = 1; i < published; i++) {
      bus().publish(channels.batchList(), snapshot(`${i} ${padding}`));
      // Room for the server to write each one out, until the socket's buffers are full.
      await new Promise((resolve) => setImmediate(resolve));
    }
    bus().publish(channels.batchList(), snapshot("last", "deleted"));
    stream.resume();

    const changes = () => messages.filter((message) => message.type === "next").map((message) => message.payload!.data!.batchListChanged);
    await eventually(async () => changes().at(-1)?.batch.name === "last", 20_000);
    const received = changes();
    expect(received.at(-1)).toEqual({ kind: "DELETED", batch: { id, name: "last" } });
    // Whatever was dropped, what arrived is in the order it was published.
    const numbers = received.slice(0, -1).map((change) => Number.parseInt(change.batch.name, 10));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(received.length).toBeLessThan(published / 2);
    socket.close();
  });
});
