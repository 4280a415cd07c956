import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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
    // tradeStatusChanged sends nothing until a trade moves, so it is subscribed first, on the same
    // socket: once batchProgress's first event (the current state) has arrived, it is live too.
    // A fixed pause instead was too short on a loaded machine.
    const trades = app.collect(`subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id } } }`, { id: batch.id });
    const progress = app.collect<ProgressEvent>(`subscription($id: ID!) { batchProgress(id: $id) { deleted batch { id status } } }`, {
      id: batch.id,
    });
    await vi.waitFor(() => expect(progress.events).toHaveLength(1), { timeout: 15_000 });
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
