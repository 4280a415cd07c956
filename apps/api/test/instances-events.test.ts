import { randomUUID } from "node:crypto";
import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_FIELDS, type BatchFields, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

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
