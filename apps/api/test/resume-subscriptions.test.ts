import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimedTrades, createAdminKey, killApiProcesses, post, startApiProcess } from "./api-process";
import { eventually, STAGE, START, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";
import { finalDeliveriesPerTrade, outOfOrder, resumingSubscriber } from "./resuming-subscriber";

/**
 * Resuming subscriptions (issue 9): a subscriber that drops its connection at random moments and
 * resumes each time with `afterSequence` = the last sequence it received ends with every trade's
 * final state exactly once, in strictly increasing sequence; on one instance, on two API processes
 * sharing one database (both running the batch), and on the embedded database `npm start` uses.
 */

/** One account in 25 is refused by the simulated bank, so batches end with failures too. */
const accounts = (i: number) => (i % 25 === 0 ? "1234567777" : "1234567890");

async function stageBatch(url: string, key: string, trades: number): Promise<{ id: string; eventSequence: number }> {
  const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(url, key, STAGE, {
    input: { csv: tradesCsv(trades, accounts), allowDuplicate: true },
  });
  const { batch } = await post<{ batch: { id: string; eventSequence: number } }>(
    url,
    key,
    `query($id: ID!) { batch(id: $id) { id eventSequence } }`,
    { id: stageBatch.batch.id },
  );
  return batch;
}

/** Every check a resumed stream must pass, with what the batch says in the end. */
async function expectResumedCompletely(
  url: string,
  key: string,
  batchId: string,
  trades: number,
  run: Run,
  { resumed = true }: { resumed?: boolean } = {},
) {
  expect(outOfOrder(run.deliveries), "deliveries at or below the one before them").toEqual([]);
  const finals = finalDeliveriesPerTrade(run.deliveries);
  expect(finals.size).toBe(trades);
  expect([...finals.values()].every((count) => count === 1)).toBe(true);
  // The last state delivered of each trade is its state now.
  const last = new Map(run.deliveries.map((d) => [d.id, d.status]));
  const stored = await eventually(async () => {
    const { batch } = await post<{ batch: { completedAt: string | null; trades: { edges: { node: { id: string; status: string } }[] } } }>(
      url,
      key,
      `query($id: ID!) { batch(id: $id) { completedAt trades(first: 100) { edges { node { id status } } } } }`,
      { id: batchId },
    );
    return batch.completedAt ? batch : null;
  });
  for (const { node } of stored.trades.edges) expect(last.get(node.id)).toBe(node.status);
  // It did resume: more than one connection.
  if (resumed) expect(run.connections).toBeGreaterThan(2);
}

describe("resuming after a lost connection, one instance", () => {
  let db: TestDatabase;
  let api: TestApp;
  beforeAll(async () => {
    db = await testDatabase();
    api = await startTestApp(db.url, { BANK_SIM_LATENCY_MS: "40", RUNNER_CONCURRENCY: "8" });
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it("tradeStatusChanged: every trade's final state exactly once, in increasing sequence, across random disconnects", async () => {
    const TRADES = 100;
    const batch = await stageBatch(api.url, api.key, TRADES);
    const subscriber = resumingSubscriber({
      url: api.url,
      key: api.key,
      batchId: batch.id,
      trades: TRADES,
      afterSequence: batch.eventSequence,
    });
    await api.query(START, { id: batch.id });
    const run = await subscriber;
    await expectResumedCompletely(api.url, api.key, batch.id, TRADES, run);
    // A replay delivers each trade as it stands, without the status it left.
    expect(run.deliveries.some((d) => d.previousStatus === null)).toBe(true);
  });

  it("Batch.eventSequence read before the run, then a subscription with it: nothing that happened in between is missed", async () => {
    const TRADES = 40;
    const batch = await stageBatch(api.url, api.key, TRADES);
    await api.query(START, { id: batch.id });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const events = await api.collect<{ tradeStatusChanged: { sequence: number; trade: { id: string; status: string; sequence: number } } }>(
      `subscription($id: ID!, $after: Int) { tradeStatusChanged(batchId: $id, afterSequence: $after) { sequence trade { id status sequence } } }`,
      { id: batch.id, after: batch.eventSequence },
      (_event, all) =>
        new Set(
          all.filter((e) => ["SUCCESS", "FAILED"].includes(e.tradeStatusChanged.trade.status)).map((e) => e.tradeStatusChanged.trade.id),
        ).size === TRADES,
    ).done;
    const sequences = events.map((e) => e.tradeStatusChanged.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(new Set(sequences).size).toBe(sequences.length);
    // A trade carries the number of its latest change, so a client can tell a late read from a newer event.
    expect(events.every((e) => e.tradeStatusChanged.trade.sequence === e.tradeStatusChanged.sequence)).toBe(true);
    const lastEventOf = new Map(events.map((e) => [e.tradeStatusChanged.trade.id, e.tradeStatusChanged.sequence]));
    const { batch: read } = await api.query<{ batch: { trades: { edges: { node: { id: string; sequence: number } }[] } } }>(
      `query($id: ID!) { batch(id: $id) { trades(first: 100) { edges { node { id sequence } } } } }`,
      { id: batch.id },
    );
    expect(read.trades.edges.map(({ node }) => [node.id, node.sequence])).toEqual(
      read.trades.edges.map(({ node }) => [node.id, lastEventOf.get(node.id)]),
    );
  });

  it("batchProgress: resumed after its last sequence, it sends only newer snapshots and ends with the final one", async () => {
    const TRADES = 60;
    const batch = await stageBatch(api.url, api.key, TRADES);
    await api.query(START, { id: batch.id });
    type Progress = { batchProgress: { sequence: number; batch: { status: string; succeededTrades: number; failedTrades: number } } };
    const received: Progress["batchProgress"][] = [];
    let after: number | null = batch.eventSequence;
    let connections = 0;
    while (!["SUCCESS", "PARTIAL_SUCCESS", "FAILED"].includes(received.at(-1)?.batch.status ?? "")) {
      const subscription = api.collect<Progress>(
        `subscription($id: ID!, $after: Int) { batchProgress(id: $id, afterSequence: $after) { sequence batch { status succeededTrades failedTrades } } }`,
        { id: batch.id, after },
      );
      await Promise.race([subscription.done, new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200))]);
      subscription.stop();
      for (const event of subscription.events) received.push(event.batchProgress);
      after = received.at(-1)?.sequence ?? after;
      connections++;
    }
    const sequences = received.map((e) => e.sequence);
    expect(sequences).toEqual([...new Set(sequences)].sort((a, b) => a - b));
    expect(received.at(-1)!.batch.succeededTrades + received.at(-1)!.batch.failedTrades).toBe(TRADES);
    expect(connections).toBeGreaterThan(1);
    // A finished batch resumed after its last sequence has nothing more: the subscription completes at once, empty.
    const again = await api.collect<Progress>(
      `subscription($id: ID!, $after: Int) { batchProgress(id: $id, afterSequence: $after) { sequence } }`,
      {
        id: batch.id,
        after,
      },
    ).done;
    expect(again).toEqual([]);
  });

  it("refuses a sequence the batch has not reached, naming the argument", async () => {
    const batch = await stageBatch(api.url, api.key, 2);
    const failure = api.collect(`subscription($id: ID!) { tradeStatusChanged(batchId: $id, afterSequence: 99) { sequence } }`, {
      id: batch.id,
    }).done;
    await expect(failure).rejects.toThrow(/afterSequence 99 is not an event of batch/);
    const negative = api.collect(`subscription($id: ID!) { batchProgress(id: $id, afterSequence: -1) { sequence } }`, {
      id: batch.id,
    }).done;
    await expect(negative).rejects.toThrow(/BAD_USER_INPUT/);
  });
});

describe("two API processes on one database, both running the batch (Redis between them)", () => {
  let db: TestDatabase;
  afterAll(async () => {
    await killApiProcesses();
    await db?.drop();
  });

  it("a subscriber on each sees the same events, and one that resumes at random ends with every final state once", async () => {
    db = await testDatabase();
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_EVENTS_PREFIX: `fxbt:test:${randomUUID()}:`,
      BANK_SIM_LATENCY_MS: "30",
      RUNNER_CONCURRENCY: "8",
      METRICS_TOKEN,
    };
    const key = await createAdminKey(env);
    const [first, second] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
    const TRADES = 200;
    const batch = await stageBatch(first.url, key, TRADES);
    let connected = 0;
    let bothConnected = () => {};
    const connections = new Promise<void>((resolve) => {
      bothConnected = resolve;
    });
    const plain = [first, second].map((api) =>
      resumingSubscriber({
        url: api.url,
        key,
        batchId: batch.id,
        trades: TRADES,
        afterSequence: batch.eventSequence,
        maxConnectionMs: 600_000,
        onConnected: () => (++connected === 2 ? bothConnected() : undefined),
      }),
    );
    const resuming = resumingSubscriber({ url: second.url, key, batchId: batch.id, trades: TRADES, afterSequence: batch.eventSequence });
    // Both plain subscribers live before the run: one still being set up when it started began with a
    // replay of the first 60–80 events from the database (no previous status), not live events, and
    // too few were shared below. The subscribe message follows the connection's acknowledgement; on a
    // process just started its set-up (the caller's checks, a first GraphQL execution) took a few
    // hundred milliseconds.
    await connections;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await post(first.url, key, START, { id: batch.id });
    const [onFirst, onSecond] = (await Promise.all(plain)) as [Run, Run];
    // Both processes' runners took part.
    const claimed = await Promise.all([first, second].map((api) => claimedTrades(api.url, METRICS_TOKEN)));
    // Each process's subscriber: every trade's final state once, in increasing sequence, its last
    // state of each trade the stored one. Events both delivered live agree on what each number is
    // (a number is one change, whichever process published it); a gap left open a second (an event
    // very late on a loaded machine) is filled from the database, with latest states only.
    for (const run of [onFirst, onSecond]) await expectResumedCompletely(first.url, key, batch.id, TRADES, run, { resumed: false });
    const live = (run: Run) =>
      new Map(run.deliveries.filter((d) => d.previousStatus !== null).map((d) => [d.sequence, `${d.id}:${d.status}`]));
    const [liveFirst, liveSecond] = [live(onFirst), live(onSecond)];
    const shared = [...liveFirst.keys()].filter((n) => liveSecond.has(n));
    expect(shared.length).toBeGreaterThan(TRADES);
    expect(shared.filter((n) => liveFirst.get(n) !== liveSecond.get(n))).toEqual([]);
    await expectResumedCompletely(first.url, key, batch.id, TRADES, await resuming);
    expect(claimed.every((n) => n > 0)).toBe(true);
    expect(claimed[0]! + claimed[1]!).toBeGreaterThanOrEqual(TRADES);
  }, 180_000);
});

describe("the embedded database (npm start with no DATABASE_URL)", () => {
  let dataDir: string;
  afterAll(async () => {
    await killApiProcesses();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("a subscriber that resumes at random ends with every trade's final state once", async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "fxbt-embedded-"));
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await freePort()), BANK_SIM_LATENCY_MS: "40", RUNNER_CONCURRENCY: "8" };
    const api = await startApiProcess(env);
    const key = await createAdminKey(env);
    const TRADES = 100;
    const batch = await stageBatch(api.url, key, TRADES);
    const subscriber = resumingSubscriber({ url: api.url, key, batchId: batch.id, trades: TRADES, afterSequence: batch.eventSequence });
    await post(api.url, key, START, { id: batch.id });
    await expectResumedCompletely(api.url, key, batch.id, TRADES, await subscriber);
  }, 180_000);
});

type Run = Awaited<ReturnType<typeof resumingSubscriber>>;

const METRICS_TOKEN = "resume-test-metrics";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
