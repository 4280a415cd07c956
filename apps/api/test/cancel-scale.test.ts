import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_FIELDS,
  type BatchFields,
  eventually,
  finishedBatch,
  readBatch,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
  wsClient,
} from "./harness";
import { batchState, expectLedgerAgrees } from "./ledger";

/**
 * Issue 9: cancelling a running batch of 100,000 trades while the runner writes outcomes. The
 * cancel used to hold the batch row over every trade in one transaction; outcome writes queued
 * behind it until the pool ran dry ("Unable to start a transaction in the given time").
 */
const TOTAL = 100_000;
const CANCEL_WITH_REQUEST = `mutation($id: ID!) { cancelBatch(id: $id) { ${BATCH_FIELDS} cancelRequestedAt cancelledUnmovedTrades } }`;
const ARCHIVE = `mutation($id: ID!) { archiveBatch(id: $id) { id archivedAt } }`;
const FEED = `subscription { batchListChanged { batch { id status eventSequence cancelledUnmovedTrades } } }`;

interface FeedBatch {
  id: string;
  status: string;
  eventSequence: number;
  cancelledUnmovedTrades: number;
}

let db: TestDatabase;
let app: TestApp;
/** Every line the app logged, as JSON text. */
const lines: string[] = [];

beforeAll(async () => {
  db = await testDatabase();
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
  app = await startTestApp(
    db.url,
    {
      BANK_SIM_LATENCY_MS: "2",
      BANK_SIM_SUCCESS_RATE: "0.9",
      BANK_SIM_SEED: "cancel-scale",
      RUNNER_CONCURRENCY: "512",
      RUNNER_CLAIM_SIZE: "256",
      MAX_CSV_ROWS: String(TOTAL),
    },
    { log },
  );
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The batch's trades whose rows still say PENDING. */
async function unwrittenRows(batchId: string): Promise<number> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM trade WHERE batch_id = $1 AND status = 'PENDING'", [
      batchId,
    ]);
    return rows[0]!.n;
  } finally {
    await client.end();
  }
}

describe("cancelling a running batch of 100,000 trades while the runner writes outcomes", () => {
  it("answers at once, ends CANCELLED with every trade accounted for, no transaction timeouts, and the bank's ledger agrees", async () => {
    const batch = await stage(app, tradesCsv(TOTAL));
    expect(batch.totalTrades).toBe(TOTAL);
    await app.query(START, { id: batch.id });
    // Some thousands of trades finished, and the runner writing more.
    const running = await eventually(async () => {
      const now = await readBatch(app, batch.id);
      return now.processedTrades >= 3_000 && now;
    }, 120_000);

    // What the dashboard's feed hears: the rows written later reach it as events, the last with none left.
    const feed: FeedBatch[] = [];
    const socket = wsClient(app.url, app.key);
    const stopFeed = socket.subscribe<{ batchListChanged: { batch: FeedBatch } }>(
      { query: FEED },
      {
        next: ({ data }) => {
          if (data?.batchListChanged.batch.id === batch.id) feed.push(data.batchListChanged.batch);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // The feed is live once it has delivered one of the running batch's events.
    await eventually(async () => feed.length > 0, 60_000);

    const asked = performance.now();
    const response = await app.request<{
      cancelBatch: BatchFields & { cancelRequestedAt: string | null; cancelledUnmovedTrades: number };
    }>(CANCEL_WITH_REQUEST, {
      id: batch.id,
    });
    const answeredMs = performance.now() - asked;
    expect(response.errors).toBeUndefined();
    const answer = response.data!.cancelBatch;
    expect(answer.cancelRequestedAt).not.toBeNull();
    expect(["RUNNING", "CANCELLED"]).toContain(answer.status);
    // The answer comes after the request counted every PENDING trade as cancelled.
    expect(answer.cancelledTrades).toBeGreaterThan(TOTAL / 2);
    // From then on no read shows a PENDING trade, though most rows are written later, chunk by chunk.
    const { batch: read } = await app.query<{
      batch: { pending: { totalCount: number; edges: unknown[] }; cancelled: { totalCount: number } };
    }>(
      `query($id: ID!) { batch(id: $id) {
        pending: trades(status: PENDING, first: 5) { totalCount edges { node { id } } }
        cancelled: trades(status: CANCELLED, first: 1) { totalCount } } }`,
      { id: batch.id },
    );
    expect(read.pending).toEqual({ totalCount: 0, edges: [] });
    expect(read.cancelled.totalCount).toBeGreaterThanOrEqual(answer.cancelledTrades);
    // Most of those rows are still to be written, which the batch says, and archiving waits for.
    expect(answer.cancelledUnmovedTrades).toBeGreaterThan(0);
    // Once CANCELLED (at once, or when the bookings in flight answer), while rows are still to write.
    const cancelledEarly = await eventually(async () => {
      const { batch: now } = await app.query<{ batch: { status: string; cancelledUnmovedTrades: number } }>(
        `query($id: ID!) { batch(id: $id) { status cancelledUnmovedTrades } }`,
        { id: batch.id },
      );
      return now.status === "CANCELLED" && now;
    }, 60_000);
    expect(cancelledEarly.cancelledUnmovedTrades).toBeGreaterThan(0);
    const early = await app.request(ARCHIVE, { id: batch.id });
    expect(early.errors?.[0]).toMatchObject({
      extensions: { code: "BAD_BATCH_STATE" },
      message: expect.stringMatching(/cancelled trades are still being written; archive it once they are/),
    });

    const final = await finishedBatch(app, batch.id, 120_000);
    const cancelledMs = performance.now() - asked;
    console.log(
      `cancel of ${TOTAL} trades (${running.processedTrades} processed before): answered in ${Math.round(answeredMs)} ms ` +
        `(${answer.status}, ${answer.succeededTrades + answer.failedTrades} processed, ${answer.cancelledTrades} cancelled), ` +
        `CANCELLED after ${Math.round(cancelledMs)} ms; ${final.succeededTrades} succeeded, ${final.failedTrades} failed, ${final.cancelledTrades} cancelled`,
    );

    for (const line of lines.filter((l) => l.includes("cancelled trades of a batch"))) console.log(line);
    expect(final.status).toBe("CANCELLED");
    expect(final.succeededTrades + final.failedTrades + final.cancelledTrades).toBe(TOTAL);
    expect(final.cancelledTrades).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes("Unable to start a transaction"))).toEqual([]);
    expect(lines.filter((line) => line.includes("writing a trade's result failed") || line.includes("could not write"))).toEqual([]);
    // Every booked trade is SUCCESS with its deal; counters equal the trades' statuses.
    const ledger = await expectLedgerAgrees(db.url, batch.id);
    expect(ledger.booked).toBe(final.succeededTrades);
    // The runner writes every cancelled row in the end.
    await eventually(
      async () => (await batchState(db.url, batch.id)).trades.PENDING === undefined && (await unwrittenRows(batch.id)) === 0,
      120_000,
    );
    await expectLedgerAgrees(db.url, batch.id);
    // The feed's newest snapshot of the batch says every row is written: the dashboard offers Archive from it.
    const newest = await eventually(async () => {
      const last = feed.reduce((a, b) => (b.eventSequence > a.eventSequence ? b : a));
      return last.cancelledUnmovedTrades === 0 && last;
    }, 30_000);
    expect(newest.status).toBe("CANCELLED");
    expect(feed.some((event) => event.status === "CANCELLED" && event.cancelledUnmovedTrades > 0)).toBe(true);
    stopFeed();
    await socket.dispose();
    const archived = await app.request<{ archiveBatch: { archivedAt: string | null } }>(ARCHIVE, { id: batch.id });
    expect(archived.errors).toBeUndefined();
    expect(archived.data!.archiveBatch.archivedAt).not.toBeNull();
  }, 300_000);
});
