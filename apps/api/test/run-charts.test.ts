import { recountAnswers, type TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANCEL, finishedBatch, RETRY, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;

beforeAll(async () => {
  db = await testDatabase();
  // Ordinary accounts are always booked; accounts ending 8888 are always refused at booking.
  app = await startTestApp(db.url, { BANK_SIM_LATENCY_MS: "5", BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_SEED: "run-charts" });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

interface Series {
  bucketSeconds: number;
  succeeded: number;
  failed: number;
  buckets: { start: string; succeeded: number; failed: number }[];
}
interface Figures {
  status: string;
  startedAt: string;
  completedAt: string;
  runSeconds: number;
  finishedRunSeconds: number;
  runStartedAt: string | null;
  answeredTrades: number;
  tradesPerSecond: number | null;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
}

const SERIES = "bucketSeconds succeeded failed buckets { start succeeded failed }";
const FIGURES = `query($id: ID!, $bucketSeconds: Int) { batch(id: $id) {
  status startedAt completedAt runSeconds finishedRunSeconds runStartedAt answeredTrades tradesPerSecond
  succeededTrades failedTrades cancelledTrades throughputSeries(bucketSeconds: $bucketSeconds) { ${SERIES} } } }`;
const VOLUME = `query($hours: Int) { tradeVolume(hours: $hours) { ${SERIES} } }`;

const figures = async (id: string, bucketSeconds?: number, as: TestApp = app) =>
  (await as.query<{ batch: Figures & { throughputSeries: Series } }>(FIGURES, { id, bucketSeconds })).batch;

/** Moves everything the batch's finished run left in time an hour back (its charts' rollup too): as if it had run then and sat idle since. */
async function happenedAnHourAgo(id: string) {
  await sql.query(
    `UPDATE batch SET started_at = started_at - interval '1 hour', completed_at = completed_at - interval '1 hour' WHERE id = $1`,
    [id],
  );
  await sql.query(
    `UPDATE trade_attempt a SET started_at = a.started_at - interval '1 hour', finished_at = a.finished_at - interval '1 hour'
     FROM trade t WHERE t.id = a.trade_id AND t.batch_id = $1`,
    [id],
  );
  await recountAnswers(sql, [id]);
}

const sum = (series: Series, field: "succeeded" | "failed") => series.buckets.reduce((total, bucket) => total + bucket[field], 0);

describe("honest run figures", () => {
  it("a batch retried an hour after its run shows the seconds it ran, not the hour; throughput counts the bank's answers", async () => {
    const account = (row: number) => (row <= 8 ? "1234567890" : "1000008888");
    const { id } = await stage(app, tradesCsv(10, account));
    await app.query(START, { id });
    await finishedBatch(app, id);
    const first = await figures(id);
    expect(first).toMatchObject({ status: "PARTIAL_SUCCESS", answeredTrades: 10, runStartedAt: null });
    expect(first.runSeconds).toBe(first.finishedRunSeconds);
    expect(first.runSeconds).toBeGreaterThan(0);
    expect(first.throughputSeries).toMatchObject({ succeeded: 8, failed: 2 });

    await happenedAnHourAgo(id);
    await app.query(RETRY, { id });
    await finishedBatch(app, id);
    const after = await figures(id);
    expect(after).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 8, failedTrades: 2, answeredTrades: 12 });
    const wallClock = (Date.parse(after.completedAt) - Date.parse(after.startedAt)) / 1_000;
    expect(wallClock).toBeGreaterThan(3_600);
    expect(after.runSeconds).toBeGreaterThan(first.runSeconds);
    expect(after.runSeconds).toBeLessThan(120);
    // A run shorter than a second has no rate (one trade would read as a huge one).
    expect(after.tradesPerSecond).toBe(after.runSeconds >= 1 ? 12 / after.runSeconds : null);

    // The series spans the hour (its gap is on the time axis) in at most 300 buckets: 3,600 s / 300 = 12 s, so 15 s buckets.
    const series = after.throughputSeries;
    expect(series.bucketSeconds).toBe(15);
    expect(series.buckets.length).toBeGreaterThan(200);
    expect(series.buckets.length).toBeLessThanOrEqual(300);
    expect({ succeeded: series.succeeded, failed: series.failed }).toEqual({ succeeded: 8, failed: 4 });
    expect({ succeeded: sum(series, "succeeded"), failed: sum(series, "failed") }).toEqual({ succeeded: 8, failed: 4 });
    for (const bucket of series.buckets) expect(Date.parse(bucket.start) % 15_000).toBe(0);
    // A bucket asked for that fits is kept.
    expect((await figures(id, 60)).throughputSeries.bucketSeconds).toBe(60);
  });

  it("a batch cancelled before it ran has no run time, no answers and no rate", async () => {
    const { id } = await stage(app, tradesCsv(3));
    await app.query(CANCEL, { id });
    const cancelled = await figures(id);
    expect(cancelled).toMatchObject({
      status: "CANCELLED",
      cancelledTrades: 3,
      answeredTrades: 0,
      runSeconds: 0,
      tradesPerSecond: null,
      throughputSeries: { succeeded: 0, failed: 0, buckets: [] },
    });
  });
});

describe("bad input", () => {
  it("refuses a bucketSeconds outside 1..86400, naming the argument", async () => {
    const { id } = await stage(app, tradesCsv(1));
    for (const bucketSeconds of [0, -5, 86_401]) {
      const answer = await app.request(FIGURES, { id, bucketSeconds });
      expect(answer.errors?.[0]).toMatchObject({
        message: `Batch.throughputSeries: bucketSeconds must be a whole number of seconds from 1 to 86400, got ${bucketSeconds}`,
        extensions: { code: "BAD_USER_INPUT", argument: "bucketSeconds" },
      });
    }
  });

  it("refuses hours outside 1..168, naming the argument", async () => {
    for (const hours of [0, 169]) {
      const answer = await app.request(VOLUME, { hours });
      expect(answer.errors?.[0]).toMatchObject({
        message: `tradeVolume: hours must be a whole number from 1 to 168, got ${hours}`,
        extensions: { code: "BAD_USER_INPUT", argument: "hours" },
      });
    }
  });

  it("an unknown batch is null, and the volume needs credentials", async () => {
    const unknown = await app.request<{ batch: null }>(FIGURES, { id: "00000000-0000-4000-8000-000000000000" });
    expect(unknown).toMatchObject({ data: { batch: null } });
    expect(unknown.errors).toBeUndefined();
    const anonymous = await app.as(null).request(VOLUME, {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("tradeVolume", () => {
  it("counts the last 24 hours per UTC hour; a partner sees only its own batches, a viewer may read it", async () => {
    const acme = app.as(await app.createKey("TRADER", "acme"));
    const globex = app.as(await app.createKey("VIEWER", "globex"));
    const viewer = app.as(await app.createKey("VIEWER"));
    const { id } = await stage(
      acme,
      tradesCsv(4, (row) => (row === 4 ? "1000008888" : "1234567890")),
    );
    await acme.query(START, { id });
    await finishedBatch(acme, id);

    const volume = async (as: TestApp) => (await as.query<{ tradeVolume: Series }>(VOLUME, {})).tradeVolume;
    const [ofAcme, ofGlobex, ofAll] = await Promise.all([volume(acme), volume(globex), volume(viewer)]);
    expect(ofAcme).toMatchObject({ bucketSeconds: 3_600, succeeded: 3, failed: 1 });
    expect(ofAcme.buckets).toHaveLength(24);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    expect(Date.parse(ofAcme.buckets.at(-1)!.start)).toBe(hour);
    expect(Date.parse(ofAcme.buckets[0]!.start)).toBe(hour - 23 * 3_600_000);
    expect(ofAcme.buckets.at(-1)).toMatchObject({ succeeded: 3, failed: 1 });
    expect(ofGlobex).toMatchObject({ succeeded: 0, failed: 0 });
    // Staff see every partner's answers and their own (the first test's batches ran in this window too).
    expect(ofAll.succeeded).toBeGreaterThanOrEqual(3 + 8);
    expect((await acme.query<{ tradeVolume: Series }>(VOLUME, { hours: 2 })).tradeVolume.buckets).toHaveLength(2);
    // The other partner cannot read the batch's own series either.
    expect((await globex.query<{ batch: null }>(FIGURES, { id })).batch).toBeNull();
  });

  it("a batch archived within the window stays in it, for the staff and for its partner", async () => {
    const initech = app.as(await app.createKey("TRADER", "initech"));
    const { id } = await stage(
      initech,
      tradesCsv(3, (row) => (row === 3 ? "1000008888" : "1234567890")),
    );
    await initech.query(START, { id });
    await finishedBatch(initech, id);
    const totals = async (as: TestApp) => {
      const { tradeVolume } = await as.query<{ tradeVolume: Series }>(VOLUME, {});
      return { succeeded: tradeVolume.succeeded, failed: tradeVolume.failed };
    };
    const before = { partner: await totals(initech), staff: await totals(app) };
    expect(before.partner).toEqual({ succeeded: 2, failed: 1 });

    await app.query(`mutation($id: ID!) { archiveBatch(id: $id) { id } }`, { id });
    const { rows } = await sql.query(
      `SELECT (SELECT count(*)::int FROM trade_attempt a JOIN trade t ON t.id = a.trade_id WHERE t.batch_id = $1) AS hot,
              (SELECT count(*)::int FROM trade_attempt_archive a JOIN trade_archive t ON t.id = a.trade_id WHERE t.batch_id = $1) AS archived`,
      [id],
    );
    // Every attempt moved to the archive (one a trade, more if a quote expired on the way).
    expect(rows[0].hot).toBe(0);
    expect(rows[0].archived).toBeGreaterThanOrEqual(3);
    expect({ partner: await totals(initech), staff: await totals(app) }).toEqual(before);
  });
});
