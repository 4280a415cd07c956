import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@fxbt/db/testing";
import { type BatchStatus, isFinalBatchStatus } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, claimedTrades, createAdminKey, killApiProcesses, post, startApiProcess } from "./api-process";
import {
  BATCH_FIELDS,
  type BatchFields,
  eventually,
  STAGE,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
  wsClient,
} from "./harness";
import { finalDeliveriesPerTrade, resumingSubscriber } from "./resuming-subscriber";

/**
 * Two API instances on one database, as docker-compose runs them: events must cross from the
 * instance whose runner does the work to a subscriber connected to the other. The second
 * instance's runner is stopped, so every event its subscriber sees came from the first one.
 * The same run over each bus that crosses instances: Redis pub/sub, and PostgreSQL
 * LISTEN/NOTIFY on the instances' own database with no Redis at all.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

type ProgressEvent = { batchProgress: { batch: BatchFields } };
type TradeEvent = { tradeStatusChanged: { trade: { id: string; status: string } } };
type ListEvent = { batchListChanged: { kind: string; batch: { id: string; status: string } } };

function twoInstances(name: string, env: () => Record<string, string>): void {
  describe(`events across API instances (${name})`, () => {
    let db: TestDatabase;
    let worker: TestApp;
    let watcher: TestApp;

    beforeAll(async () => {
      db = await testDatabase();
      worker = await startTestApp(db.url, env());
      watcher = await startTestApp(db.url, env());
      await watcher.app.runner.stop();
    });

    afterAll(async () => {
      await watcher?.close();
      await worker?.close();
      await db?.drop();
    });

    it("a subscriber on one instance sees every change of a batch run by the other, to its final state", async () => {
      const lists = watcher.collect<ListEvent>(
        `subscription { batchListChanged { kind batch { id status } } }`,
        {},
        (event) => event.batchListChanged.batch.status === "SUCCESS" || event.batchListChanged.batch.status === "PARTIAL_SUCCESS",
      );
      const batch = await stage(worker, tradesCsv(40));
      const progress = watcher.collect<ProgressEvent>(`subscription($id: ID!) { batchProgress(id: $id) { batch { ${BATCH_FIELDS} } } }`, {
        id: batch.id,
      });
      const trades = watcher.collect<TradeEvent>(
        `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id status } } }`,
        { id: batch.id },
        (_event, all) => all.filter((e) => ["SUCCESS", "FAILED"].includes(e.tradeStatusChanged.trade.status)).length === 40,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      await worker.query(START, { id: batch.id });

      const events = await progress.done;
      const final = events.at(-1)!.batchProgress.batch;
      expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(final.status);
      expect(final.succeededTrades + final.failedTrades).toBe(40);
      const finals = (await trades.done).filter((e) => ["SUCCESS", "FAILED"].includes(e.tradeStatusChanged.trade.status));
      expect(new Set(finals.map((e) => e.tradeStatusChanged.trade.id)).size).toBe(40);
      const listed = await lists.done;
      expect(listed.some((e) => e.batchListChanged.batch.id === batch.id && e.batchListChanged.kind === "CHANGED")).toBe(true);
    });
  });
}

// One installation: the two share a prefix no other test run uses.
const prefix = `fxbt:test:${randomUUID()}:`;
twoInstances("REDIS_URL", () => ({ REDIS_URL, REDIS_EVENTS_PREFIX: prefix }));
// Notifications stay within their database: this file's own.
twoInstances("EVENT_BUS=postgres, no Redis", () => ({ EVENT_BUS: "postgres" }));

/**
 * Two API processes started as an operator starts a second instance: the same database and no
 * other setting, neither EVENT_BUS nor REDIS_URL (left out even when the test run has them). The
 * second one's runner looks for work once an hour, so it claims nothing of a batch started after
 * it is up (its /metrics say so): every event its subscribers see crossed from the first process.
 */
describe("events across API processes with no event setting at all (the default bus)", () => {
  const METRICS_TOKEN = "instances-events-metrics";
  let db: TestDatabase;
  afterAll(async () => {
    await killApiProcesses();
    await db?.drop();
  });

  it("a subscriber on the second process sees the batch the first one runs, to its final event", async () => {
    db = await testDatabase();
    const env = { DATABASE_URL: db.url, EVENT_BUS: undefined, REDIS_URL: undefined, METRICS_TOKEN, BANK_SIM_LATENCY_MS: "5" };
    const key = await createAdminKey(env);
    const [worker, watcher] = await Promise.all([startApiProcess(env), startApiProcess({ ...env, RUNNER_POLL_INTERVAL_MS: "3600000" })]);

    const TRADES = 40;
    const { stageBatch } = await post<{ stageBatch: { batch: { id: string } } }>(worker.url, key, STAGE, {
      input: { csv: tradesCsv(TRADES, (i) => (i % 10 === 0 ? "1234567777" : "1234567890")), allowDuplicate: true },
    });
    const batchId = stageBatch.batch.id;
    const { batch: staged } = await post<{ batch: { eventSequence: number } }>(
      worker.url,
      key,
      `query($id: ID!) { batch(id: $id) { eventSequence } }`,
      { id: batchId },
    );
    const progress = progressUntilFinal(watcher.url, key, batchId);
    // Its first event is the batch as it stands: the subscription is in place (or failed: then say so).
    await Promise.race([progress.first, progress.final]);
    // From the staged batch's last event on: whatever the watcher delivers after it came from the worker.
    const trades = resumingSubscriber({
      url: watcher.url,
      key,
      batchId,
      trades: TRADES,
      afterSequence: staged.eventSequence,
      maxConnectionMs: 600_000,
      timeoutMs: 60_000,
    });
    // Awaited below; should the test fail before then, its end when the processes go is no second failure.
    trades.catch(() => {});
    await post(worker.url, key, START, { id: batchId });

    const completedAt = await eventually(async () => {
      const { batch } = await post<{ batch: { completedAt: string | null } }>(
        worker.url,
        key,
        `query($id: ID!) { batch(id: $id) { completedAt } }`,
        { id: batchId },
      );
      return batch.completedAt;
    }, 60_000);
    expect(completedAt).not.toBeNull();
    // The batch is done; its final event has had time to cross, or it never will.
    const final = await Promise.race([
      progress.final,
      new Promise<never>((_, reject) =>
        setTimeout(
          () => reject(new Error(`no final batchProgress event on the second process; it saw ${progress.seen.join(", ")}`)),
          15_000,
        ),
      ),
    ]);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(final.status);
    expect(final.processedTrades).toBe(TRADES);
    const run = await trades;
    expect([...finalDeliveriesPerTrade(run.deliveries).values()]).toEqual(new Array(TRADES).fill(1));
    expect(await claimedTrades(watcher.url, METRICS_TOKEN)).toBe(0);
    expect(await claimedTrades(worker.url, METRICS_TOKEN)).toBeGreaterThanOrEqual(TRADES);
    expect([worker, watcher].map((api) => readyLine(api).events)).toEqual(["postgres", "postgres"]);
  }, 180_000);
});

/** The "API ready" log line of a process, as JSON. */
function readyLine(api: ApiProcess): { events?: string } {
  const line = api
    .output()
    .split("\n")
    .find((entry) => entry.includes("API ready"));
  return line ? JSON.parse(line) : {};
}

/**
 * batchProgress on one process: `first` once the subscription delivered the batch's current
 * state (so it is in place), `final` with the batch at its first final status, `seen` the
 * statuses delivered so far.
 */
function progressUntilFinal(url: string, key: string, batchId: string) {
  type Progress = { batchProgress: { batch: { status: BatchStatus; processedTrades: number } } };
  const client = wsClient(url, key);
  const seen: string[] = [];
  let delivered = () => {};
  const first = new Promise<void>((resolve) => {
    delivered = resolve;
  });
  const final = new Promise<Progress["batchProgress"]["batch"]>((resolve, reject) => {
    client.subscribe<Progress>(
      { query: `subscription($id: ID!) { batchProgress(id: $id) { batch { status processedTrades } } }`, variables: { id: batchId } },
      {
        next: ({ data, errors }) => {
          if (errors?.length || !data) return reject(new Error(JSON.stringify(errors)));
          const { batch } = data.batchProgress;
          seen.push(batch.status);
          delivered();
          if (isFinalBatchStatus(batch.status)) resolve(batch);
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => reject(new Error(`batchProgress completed without a final status after ${seen.join(", ")}`)),
      },
    );
  });
  void final.finally(() => client.dispose()).catch(() => {});
  return { first, final, seen };
}
