import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, finishedBatch, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * The scheduled archival run (ARCHIVE_INTERVAL_MS) of two API instances on one database: each
 * instance's timer runs it, the advisory lock lets one instance work at a time, and every batch is
 * archived or deleted exactly once, by one of them. Retentions of a day, batches made old in SQL.
 */

const TICK_MS = 200;
const ARCHIVAL_ENV = {
  ARCHIVE_INTERVAL_MS: String(TICK_MS),
  ARCHIVE_RETENTION_DAYS: "1",
  STAGED_RETENTION_DAYS: "1",
  BANK_SIM_LATENCY_MS: "5",
  BANK_SIM_SUCCESS_RATE: "1",
};

interface LogLine {
  msg: string;
  batchUid?: string;
  skipped?: boolean;
}

/** An instance with its own log, read back as JSON lines. */
async function instance(url: string): Promise<{ app: TestApp; lines: LogLine[] }> {
  const lines: LogLine[] = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { app: await startTestApp(url, ARCHIVAL_ENV, { log }), lines };
}

let db: TestDatabase;
let sql: pg.Client;
let first: Awaited<ReturnType<typeof instance>>;
let second: Awaited<ReturnType<typeof instance>>;

beforeAll(async () => {
  db = await testDatabase();
  [first, second] = await Promise.all([instance(db.url), instance(db.url)]);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await Promise.all([first?.app.close(), second?.app.close()]);
  await db?.drop();
});

const finishedRuns = (lines: readonly LogLine[]) => lines.filter((line) => line.msg === "archival finished").length;

const BATCH = `query($id: ID!) { batch(id: $id) { id batchUid status archived } }`;
type BatchState = { id: string; batchUid: string; status: string; archived: boolean } | null;
const readBatch = async (id: string) => (await first.app.query<{ batch: BatchState }>(BATCH, { id })).batch;

async function ranBatch(app: TestApp): Promise<{ id: string; batchUid: string }> {
  const staged = await stage(app, tradesCsv(2));
  await app.query(START, { id: staged.id });
  const done = await finishedBatch(app, staged.id);
  return { id: done.id, batchUid: done.batchUid };
}

describe("the scheduled archival run", () => {
  it("archives an old finished batch and deletes an old staged one, each once, by one of two instances; young batches stay", async () => {
    const [oldFinished, youngFinished] = await Promise.all([ranBatch(first.app), ranBatch(second.app)]);
    const [oldStaged, youngStaged] = await Promise.all([stage(first.app, tradesCsv(1)), stage(second.app, tradesCsv(1))]);
    const { batchUid: oldStagedUid } = (await readBatch(oldStaged.id))!;
    // Both timers have been running all along, finding nothing old enough.
    await eventually(async () =>
      [first, second].every(({ lines }) => lines.some((line) => line.msg === "archival finished" && line.skipped === false)),
    );

    await sql.query(`UPDATE batch SET completed_at = now() - interval '3 days' WHERE id = $1`, [oldFinished.id]);
    await sql.query(`UPDATE batch SET created_at = now() - interval '3 days' WHERE id = $1`, [oldStaged.id]);
    // No deadline of its own: on a loaded machine a run can take seconds; the harness's default bounds the wait.
    await eventually(async () => (await readBatch(oldFinished.id))?.archived === true && (await readBatch(oldStaged.id)) === null);
    // Two more finished runs of each instance (counted, not a sleep that a slow machine fills with none): none takes the batches again.
    const runsSoFar = [first, second].map(({ lines }) => finishedRuns(lines));
    await eventually(async () => [first, second].every(({ lines }, i) => finishedRuns(lines) >= runsSoFar[i]! + 2));

    const { rows: trades } = await sql.query(
      `SELECT (SELECT count(*)::int FROM trade WHERE batch_id = $1) AS hot, (SELECT count(*)::int FROM trade_archive WHERE batch_id = $1) AS archived`,
      [oldFinished.id],
    );
    expect(trades[0]).toEqual({ hot: 0, archived: 2 });
    expect(await readBatch(youngFinished.id)).toMatchObject({ status: "SUCCESS", archived: false });
    expect(await readBatch(youngStaged.id)).toMatchObject({ status: "PENDING", archived: false });

    const { rows: audit } = await sql.query(
      `SELECT action, batch_id AS "batchId" FROM audit_event WHERE actor = 'archival' ORDER BY action`,
    );
    expect(audit).toEqual([
      { action: "ARCHIVE_BATCH", batchId: oldFinished.id },
      { action: "DELETE_BATCH", batchId: oldStaged.id },
    ]);
    const logged = (msg: string, batchUid: string) =>
      [first, second].flatMap(({ lines }) => lines).filter((line) => line.msg === msg && line.batchUid === batchUid);
    expect(logged("archived a batch", oldFinished.batchUid)).toHaveLength(1);
    expect(logged("deleted a staged batch never started", oldStagedUid)).toHaveLength(1);
  });
});
