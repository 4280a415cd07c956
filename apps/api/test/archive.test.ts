import { insertFinishedBatch } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishedBatch, readSample, START, stage, startTestApp, type TestApp, testDatabase } from "./harness";

/**
 * archiveBatch and the archived reads, through GraphQL over HTTP and graphql-ws: a batch run by
 * the real runner against the simulated bank, archived, then read every way a person or a tool
 * reads a batch, and every command on it refused.
 */

const TRADE_FIELDS = `id rowNumber status clientId accountNumber amount sellCurrency buyCurrency rate valueDate reference
  quoteId transactionId errorCode errorMessage attempts createdAt updatedAt history { number idempotencyKey outcome transactionId errorCode sellAmount buyAmount startedAt finishedAt }`;
const FULL_BATCH = `query($id: ID!) { batch(id: $id) {
  id batchUid status archived archivedAt totalTrades succeededTrades failedTrades cancelledTrades eventSequence resultsCsvPath failuresCsvPath
  trades(first: 100) { totalCount edges { node { ${TRADE_FIELDS} } } }
  failed: trades(first: 100, status: FAILED) { totalCount }
  throughputSeries { bucketSeconds succeeded failed buckets { start succeeded failed } }
} }`;
const RESULTS = `query($id: ID!) { batchResults(id: $id) { succeededTrades failedTrades cancelledTrades totalsByCurrency { currency amount } errorsByCode { errorCode count } } }`;
const ARCHIVE = `mutation($id: ID!) { archiveBatch(id: $id) { id status archived archivedAt } }`;
const LIST = `query($filter: BatchFilter) { batches(first: 100, filter: $filter) { totalCount edges { node { id archived } } } }`;
const HISTORY = `query($filter: TradeFilter) { trades(first: 100, filter: $filter) { totalCount edges { node { id batch { id } } } } }`;

interface FullBatch {
  id: string;
  batchUid: string;
  status: string;
  archived: boolean;
  archivedAt: string | null;
  eventSequence: number;
  resultsCsvPath: string;
  failuresCsvPath: string;
  succeededTrades: number;
  trades: { totalCount: number; edges: { node: { id: string; status: string } }[] };
}

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
let pool: pg.Pool;
/** A batch run to its end with booked and refused trades (account 8888: INSUFFICIENT_FUNDS at booking). */
let finished: FullBatch;
let before: { batch: FullBatch; results: unknown; csv: string; failuresCsv: string };

const readFull = async (id: string) => (await app.query<{ batch: FullBatch | null }>(FULL_BATCH, { id })).batch;
const download = async (path: string) => {
  const response = await fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${app.key}` } });
  expect(response.status).toBe(200);
  return response.text();
};
const ids = (connection: { edges: { node: { id: string } }[] }) => connection.edges.map((edge) => edge.node.id);

beforeAll(async () => {
  db = await testDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  app = await startTestApp(db.url, { BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_SEED: "archive" });
  const csv = readSample("trades-small.csv")
    .split("\n")
    .map((line, i) => (i === 2 ? line.replace("1234567890", "1234568888") : line))
    .join("\n");
  const staged = await stage(app, csv, { name: "to archive" });
  await app.query(START, { id: staged.id });
  await finishedBatch(app, staged.id);
  finished = (await readFull(staged.id))!;
  before = {
    batch: finished,
    results: await app.query(RESULTS, { id: finished.id }),
    csv: await download(finished.resultsCsvPath),
    failuresCsv: await download(finished.failuresCsvPath),
  };
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await app?.close();
  await db?.drop();
});

describe("archiveBatch", () => {
  it("a batch with booked trades cannot be deleted; it is archived instead, and reads exactly as before", async () => {
    expect(finished).toMatchObject({ status: "PARTIAL_SUCCESS", archived: false, archivedAt: null, succeededTrades: 5 });
    const refused = await app.request(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: finished.id });
    expect(refused.errors?.[0]).toMatchObject({
      message: `batch ${finished.batchUid}: 5 of its trades were booked by the bank, and booked trades are records that are never deleted`,
      extensions: { code: "BAD_BATCH_STATE" },
    });

    const { archiveBatch } = await app.query<{ archiveBatch: { archived: boolean; archivedAt: string; status: string } }>(ARCHIVE, {
      id: finished.id,
    });
    expect(archiveBatch).toMatchObject({ archived: true, status: "PARTIAL_SUCCESS" });
    expect(Date.parse(archiveBatch.archivedAt)).toBeGreaterThan(Date.now() - 60_000);

    // Every trade moved (a batch of one chunk moves before the answer), none left in the hot table.
    const { rows } = await pool.query(
      `SELECT (SELECT count(*)::int FROM trade WHERE batch_id = $1) AS hot, (SELECT count(*)::int FROM trade_archive WHERE batch_id = $1) AS archived,
              (SELECT count(*)::int FROM trade_attempt_archive a JOIN trade_archive t ON t.id = a.trade_id WHERE t.batch_id = $1) AS attempts`,
      [finished.id],
    );
    expect(rows[0]).toEqual({ hot: 0, archived: 6, attempts: expect.any(Number) });
    expect(rows[0].attempts).toBeGreaterThanOrEqual(6);

    const after = (await readFull(finished.id))!;
    const { archived, archivedAt, eventSequence, ...rest } = after;
    const { archived: _a, archivedAt: _b, eventSequence: _c, ...was } = before.batch;
    expect(rest).toEqual(was);
    expect(after.archivedAt).toBe(archiveBatch.archivedAt);
    expect(await app.query(RESULTS, { id: finished.id })).toEqual(before.results);
    expect(await download(finished.resultsCsvPath)).toBe(before.csv);
    expect(await download(finished.failuresCsvPath)).toBe(before.failuresCsv);
    // By batchUid too, and each trade by its id, with its attempts.
    expect(
      (await app.query<{ batch: { id: string } }>(`query($id: ID!) { batch(id: $id) { id } }`, { id: finished.batchUid })).batch.id,
    ).toBe(finished.id);
    const first = before.batch.trades.edges[0]!.node;
    const { trade } = await app.query<{ trade: unknown }>(`query($id: ID!) { trade(id: $id) { ${TRADE_FIELDS} } }`, { id: first.id });
    expect(trade).toEqual(first);
  });

  it("it leaves the default lists and the hot trade history, and appears under archived: true", async () => {
    const hot = await app.query<{ batches: { edges: { node: { id: string } }[] } }>(LIST, {});
    expect(ids(hot.batches)).not.toContain(finished.id);
    const notArchived = await app.query<{ batches: { edges: { node: { id: string } }[] } }>(LIST, { filter: { archived: false } });
    expect(ids(notArchived.batches)).not.toContain(finished.id);
    const archived = await app.query<{ batches: { totalCount: number; edges: { node: { id: string; archived: boolean } }[] } }>(LIST, {
      filter: { archived: true },
    });
    expect(archived.batches.edges.map((edge) => edge.node)).toContainEqual({ id: finished.id, archived: true });
    expect(archived.batches.edges.every((edge) => edge.node.archived)).toBe(true);
    const recent = await app.query<{ recentBatches: { id: string }[] }>(`{ recentBatches(limit: 100) { id } }`);
    expect(recent.recentBatches.map((batch) => batch.id)).not.toContain(finished.id);

    const tradeIds = ids(before.batch.trades);
    const hotTrades = await app.query<{ trades: { edges: { node: { id: string } }[] } }>(HISTORY, { filter: { batchId: finished.id } });
    expect(hotTrades.trades.edges).toEqual([]);
    const archivedTrades = await app.query<{ trades: { totalCount: number; edges: { node: { id: string } }[] } }>(HISTORY, {
      filter: { batchId: finished.id, archived: true },
    });
    expect(new Set(ids(archivedTrades.trades))).toEqual(new Set(tradeIds));
    expect(archivedTrades.trades.totalCount).toBe(6);
    const failedOnly = await app.query<{ trades: { totalCount: number; edges: unknown[] } }>(HISTORY, {
      filter: { archived: true, status: ["FAILED"], batchId: finished.id },
    });
    expect(failedOnly.trades).toMatchObject({ totalCount: 1, edges: [expect.anything()] });
    const searched = await app.query<{ trades: { totalCount: number; edges: unknown[] } }>(HISTORY, {
      filter: { archived: true, search: "karoo" },
    });
    expect(searched.trades.totalCount).toBe(1);
  });

  it("every command on an archived batch is refused, saying it is archived, and audited", async () => {
    const reason = `batch ${finished.batchUid}: the batch is archived and can no longer be changed; it stays readable under the Archived filter`;
    for (const mutation of ["startBatch", "retryFailedTrades", "cancelBatch", "approveBatch", "archiveBatch"]) {
      const answer = await app.request(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id: finished.id });
      expect(answer.errors?.[0], mutation).toMatchObject({
        message: reason,
        extensions: { code: "BAD_BATCH_STATE", status: "PARTIAL_SUCCESS" },
      });
    }
    const deleted = await app.request(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: finished.id });
    expect(deleted.errors?.[0]).toMatchObject({ message: reason, extensions: { code: "BAD_BATCH_STATE" } });
    const audit = await app.query<{ auditLog: { edges: { node: { action: string; outcome: string } }[] } }>(
      `query($id: ID!) { auditLog(first: 50, filter: { batchId: $id }) { edges { node { action outcome } } } }`,
      { id: finished.id },
    );
    const actions = audit.auditLog.edges.map((edge) => edge.node);
    expect(actions).toContainEqual({ action: "ARCHIVE_BATCH", outcome: "SUCCEEDED" });
    expect(actions).toContainEqual({ action: "ARCHIVE_BATCH", outcome: "REFUSED" });
    expect(actions).toContainEqual({ action: "START_BATCH", outcome: "SUCCEEDED" });
  });

  it("subscriptions to an archived batch answer at once and complete: it is finished", async () => {
    const progress = await app.collect<{ batchProgress: { batch: { status: string; archived: boolean } } }>(
      `subscription($id: ID!) { batchProgress(id: $id) { batch { status archived } } }`,
      { id: finished.id },
    ).done;
    expect(progress).toEqual([{ batchProgress: { batch: { status: "PARTIAL_SUCCESS", archived: true } } }]);
    const replayed = await app.collect<{ tradeStatusChanged: { trade: { id: string } } }>(
      `subscription($id: ID!) { tradeStatusChanged(batchId: $id, afterSequence: 0) { trade { id } } }`,
      { id: finished.id },
    ).done;
    expect(new Set(replayed.map((event) => event.tradeStatusChanged.trade.id))).toEqual(new Set(ids(before.batch.trades)));
    const live = await app.collect(`subscription($id: ID!) { tradeStatusChanged(batchId: $id) { sequence } }`, { id: finished.id }).done;
    expect(live).toEqual([]);
  });

  it("refuses a batch that is not finished, an unknown id and a malformed one, naming them", async () => {
    const pending = await stage(app, readSample("trades-small.csv"), { name: "pending" });
    const notFinished = await app.request(ARCHIVE, { id: pending.id });
    expect(notFinished.errors?.[0]).toMatchObject({
      message: expect.stringMatching(
        /^batch B-\d{8}-\d{4}: a PENDING batch cannot be archived; only a finished batch \(SUCCESS, PARTIAL_SUCCESS, FAILED, CANCELLED\) can$/,
      ),
      extensions: { code: "BAD_BATCH_STATE", id: pending.id, status: "PENDING" },
    });
    const unknown = "00000000-0000-4000-8000-00000000dead";
    expect((await app.request(ARCHIVE, { id: unknown })).errors?.[0]).toMatchObject({
      message: `batch ${unknown} does not exist`,
      extensions: { code: "NOT_FOUND" },
    });
    // An id that cannot name a batch answers as an unknown one does (apps/api/src/ids.ts).
    expect((await app.request(ARCHIVE, { id: "nope" })).errors?.[0]).toMatchObject({
      message: "batch nope does not exist",
      extensions: { code: "NOT_FOUND" },
    });
    const wrongType = await app.request(LIST, { filter: { archived: "yes" } });
    expect(wrongType.errors?.[0]?.message).toMatch(/archived/);
  });

  it("is for ADMIN; partners see only their own archived batches and trades", async () => {
    const trader = app.as(await app.createKey("TRADER"));
    expect((await trader.request(ARCHIVE, { id: finished.id })).errors?.[0]).toMatchObject({
      message: "archive needs the ADMIN role or higher; you have TRADER",
      extensions: { code: "FORBIDDEN" },
    });
    const ours = await insertFinishedBatch(pool, { trades: 3, completedDaysAgo: 1, partner: "acme" });
    const theirs = await insertFinishedBatch(pool, { trades: 3, completedDaysAgo: 1, partner: "globex" });
    for (const batch of [ours, theirs]) await app.query(ARCHIVE, { id: batch.id });
    const acme = app.as(await app.createKey("VIEWER", "acme"));
    const listed = await acme.query<{ batches: { edges: { node: { id: string } }[] } }>(LIST, { filter: { archived: true } });
    expect(ids(listed.batches)).toEqual([ours.id]);
    const trades = await acme.query<{ trades: { totalCount: number; edges: { node: { batch: { id: string } } }[] } }>(HISTORY, {
      filter: { archived: true },
    });
    expect(trades.trades.totalCount).toBe(3);
    expect(new Set(trades.trades.edges.map((edge) => edge.node.batch.id))).toEqual(new Set([ours.id]));
    expect((await acme.query<{ batch: unknown }>(FULL_BATCH, { id: theirs.id })).batch).toBeNull();
    expect((await acme.query<{ batch: { id: string } }>(FULL_BATCH, { id: ours.id })).batch.id).toBe(ours.id);
  });
});
