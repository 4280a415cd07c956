import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url);
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

type ProgressEvent = { batchProgress: { deleted: boolean; batch: { id: string; status: string } } };

describe("deleting a batch", () => {
  it("ends its open subscriptions: batchProgress with a last event that says so, tradeStatusChanged by completing", async () => {
    const batch = await stage(app, tradesCsv(3));
    const progress = app.collect<ProgressEvent>(`subscription($id: ID!) { batchProgress(id: $id) { deleted batch { id status } } }`, {
      id: batch.id,
    });
    const trades = app.collect(`subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id } } }`, { id: batch.id });
    // Both are live once the first progress event (the current state) has arrived.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(progress.events).toEqual([{ batchProgress: { deleted: false, batch: { id: batch.id, status: "PENDING" } } }]);

    await app.query(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: batch.id });

    // Both complete (done resolves only on completion); the progress stream's last event is the deleted batch.
    expect(await progress.done).toEqual([
      { batchProgress: { deleted: false, batch: { id: batch.id, status: "PENDING" } } },
      { batchProgress: { deleted: true, batch: { id: batch.id, status: "PENDING" } } },
    ]);
    expect(await trades.done).toEqual([]);
  });
});
