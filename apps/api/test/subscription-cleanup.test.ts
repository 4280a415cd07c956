import type { TestDatabase } from "@fxbt/db/testing";
import { channels, type InProcessEventBus } from "@fxbt/events";
import { afterAll, beforeAll, describe, it } from "vitest";
import { eventually, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * A subscription the client ends (or whose socket closes) lets go of its bus listener at once,
 * not at the channel's next message: on a quiet channel that could be hours of a listener and
 * its buffer per gone subscriber.
 */
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

const listeners = (channel: string) => (app.app.bus as InProcessEventBus).listenerCount(channel);

describe("a subscription the client ends", () => {
  it.each([
    ["batchProgress", (id: string) => `subscription { batchProgress(id: "${id}") { sequence } }`, channels.batchProgress],
    ["tradeStatusChanged", (id: string) => `subscription { tradeStatusChanged(batchId: "${id}") { sequence } }`, channels.tradeStatus],
  ] as const)("%s: its bus listener goes at once, with no further message on the channel", async (_name, document, channel) => {
    const batch = await stage(app, tradesCsv(2));
    const subscription = app.collect(document(batch.id), {});
    await eventually(async () => listeners(channel(batch.id)) === 1 || null, 5_000);
    subscription.stop();
    await eventually(async () => listeners(channel(batch.id)) === 0 || null, 1_000);
  });

  it("batchesChanged: its listener goes at once too", async () => {
    const before = listeners(channels.batchList());
    const subscription = app.collect(`subscription { batchesChanged { id } }`, {});
    await eventually(async () => listeners(channels.batchList()) === before + 1 || null, 5_000);
    subscription.stop();
    await eventually(async () => listeners(channels.batchList()) === before || null, 1_000);
  });
});
