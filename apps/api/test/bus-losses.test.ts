// What a subscriber learns when the API's event bus lost its connection to PostgreSQL (its LISTEN
// connection killed with pg_terminate_backend): notifications sent meanwhile are gone, and the
// subscriptions that cannot see a gap in their numbers are told. Over the WebSocket, on the
// default (PostgreSQL) bus.
import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;
beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, { EVENT_BUS: "postgres" });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

/** Kills the API's LISTEN connection; resolves once it listens on a new one. */
async function killListener(): Promise<void> {
  const listeners = async () =>
    (
      await sql.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'fxbt-events-listener'",
      )
    ).rows.map((row) => row.pid);
  const [pid] = await listeners();
  expect(pid).toBeDefined();
  await sql.query("SELECT pg_terminate_backend($1)", [pid]);
  await eventually(async () => (await listeners()).some((other) => other !== pid), 10_000);
}

describe("the batch feed when the bus lost its connection", () => {
  it("says LISTENING again once the bus listens again, and a list read then holds what was staged meanwhile", async () => {
    type FeedEvent = { batchFeed: { kind: string; batch: { id: string } | null } };
    const feed = app.collect<FeedEvent>(
      `subscription { batchFeed { kind batch { id } } }`,
      {},
      (_, all) => all.filter((event) => event.batchFeed.kind === "LISTENING").length === 2,
    );
    await eventually(async () => feed.events.length > 0, 10_000);
    const killed = killListener();
    // Staged while the bus does not listen: its change may never reach the feed.
    const staged = await stage(app, tradesCsv(1));
    await killed;
    const events = await feed.done;
    expect(events.map((event) => event.batchFeed.kind).filter((kind) => kind === "LISTENING")).toHaveLength(2);
    // What the dashboard does on LISTENING: read the list. It has the batch, whatever the feed said.
    const { batches } = await app.query<{ batches: { edges: { node: { id: string } }[] } }>(
      `{ batches(first: 50) { edges { node { id } } } }`,
    );
    expect(batches.edges.map((edge) => edge.node.id)).toContain(staged.id);
  });
});
