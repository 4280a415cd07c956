import { readFileSync } from "node:fs";
import type { TestDatabase } from "@fxbt/db/testing";
import { PERMANENT_FAILURE_CODES } from "@fxbt/domain";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_FIELDS,
  type BatchFields,
  finishedBatch,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";
import { retryAuditOf, tradeStatesOf } from "./retry-fixtures";

const RETRY_CODES = `mutation($id: ID!, $errorCodes: [String!]) { retryFailedTrades(id: $id, errorCodes: $errorCodes) { ${BATCH_FIELDS} } }`;
const TRADES_WITH_CODE = `query($id: ID!, $errorCode: String, $status: TradeStatus, $first: Int, $after: String) {
  batch(id: $id) { trades(first: $first, after: $after, errorCode: $errorCode, status: $status) {
    totalCount edges { cursor node { rowNumber status errorCode } } pageInfo { hasNextPage endCursor } } }
}`;

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;

beforeAll(async () => {
  db = await testDatabase();
  // Every trade of an ordinary account is booked: only the test accounts fail, always the same way.
  app = await startTestApp(db.url, { BANK_SIM_LATENCY_MS: "5", BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_SEED: "retry-by-code" });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
});

afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

/**
 * A finished batch of 7: rows 1, 2 booked; 3, 4, 5 INVALID_ACCOUNT (permanent); 6, 7
 * INSUFFICIENT_FUNDS (retryable; refused again on every attempt).
 */
async function failedBatch(): Promise<{ id: string; batch: BatchFields }> {
  const account = (row: number) => (row <= 2 ? "1234567890" : row <= 5 ? "1000009999" : "1000008888");
  const { id } = await stage(app, tradesCsv(7, account));
  await app.query(START, { id });
  const batch = await finishedBatch(app, id);
  expect(batch).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 5 });
  return { id, batch };
}

const tradesOf = (batchId: string) => tradeStatesOf(sql, batchId);
const auditOf = (batchId: string) => retryAuditOf(sql, batchId);

const retry = (id: string, errorCodes?: string[]) => app.request(RETRY_CODES, { id, errorCodes });

describe("retryFailedTrades chooses which failures", () => {
  it("by default retries only the retryable failures: permanent refusals stay FAILED, counters stay exact", async () => {
    const { id, batch } = await failedBatch();
    const answer = await retry(id);
    expect(answer.errors).toBeUndefined();
    const retried = (answer.data as { retryFailedTrades: BatchFields }).retryFailedTrades;
    expect(["PENDING", "RUNNING"]).toContain(retried.status);
    // Only the two INSUFFICIENT_FUNDS trades left the failed count.
    expect(retried.failedTrades).toBe(3);
    expect(retried.succeededTrades).toBe(2);
    expect(await auditOf(id)).toEqual([{ outcome: "SUCCEEDED", detail: `${batch.batchUid}: retried 2 INSUFFICIENT_FUNDS` }]);

    expect(await finishedBatch(app, id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 5 });
    expect((await tradesOf(id)).map(({ row, code, attempts }) => [row, code, attempts])).toEqual([
      [1, null, 1],
      [2, null, 1],
      [3, "INVALID_ACCOUNT", 1],
      [4, "INVALID_ACCOUNT", 1],
      [5, "INVALID_ACCOUNT", 1],
      [6, "INSUFFICIENT_FUNDS", 2],
      [7, "INSUFFICIENT_FUNDS", 2],
    ]);
  });

  it("with errorCodes retries exactly the failed trades with those codes, a permanent one too", async () => {
    const { id, batch } = await failedBatch();
    const answer = await retry(id, ["INVALID_ACCOUNT"]);
    expect(answer.errors).toBeUndefined();
    expect((answer.data as { retryFailedTrades: BatchFields }).retryFailedTrades.failedTrades).toBe(2);
    expect(await auditOf(id)).toEqual([{ outcome: "SUCCEEDED", detail: `${batch.batchUid}: retried 3 INVALID_ACCOUNT` }]);
    expect(await finishedBatch(app, id)).toMatchObject({ failedTrades: 5 });
    expect((await tradesOf(id)).map(({ attempts }) => attempts)).toEqual([1, 1, 2, 2, 2, 1, 1]);
  });

  it("refuses an empty list, and a code no failed trade has, naming it; nothing moves", async () => {
    const { id } = await failedBatch();
    const before = await tradesOf(id);

    const empty = await retry(id, []);
    expect(empty.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(empty.errors?.[0]?.message).toContain("errorCodes is empty");

    const unknown = await retry(id, ["INSUFFICIENT_FUNDS", "BOOKING_REJECTED"]);
    expect(unknown.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(unknown.errors?.[0]?.message).toContain('no failed trade has error code "BOOKING_REJECTED"');

    expect(await tradesOf(id)).toEqual(before);
    expect(await finishedBatch(app, id)).toMatchObject({ status: "PARTIAL_SUCCESS", failedTrades: 5 });
    expect(await auditOf(id)).toEqual([]);
  });

  it("says why when nothing is retryable, and records the refusal", async () => {
    const { id } = await stage(
      app,
      tradesCsv(4, (row) => (row === 1 ? "1234567890" : "1000009999")),
    );
    await app.query(START, { id });
    const finished = await finishedBatch(app, id);
    expect(finished).toMatchObject({ status: "PARTIAL_SUCCESS", failedTrades: 3 });

    const refused = await retry(id);
    expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(refused.errors?.[0]?.message).toBe(`batch ${finished.batchUid}: no retryable failures: 3 INVALID_ACCOUNT are permanent`);
    expect(await auditOf(id)).toEqual([{ outcome: "REFUSED", detail: refused.errors?.[0]?.message }]);
    expect((await tradesOf(id)).map(({ attempts }) => attempts)).toEqual([1, 1, 1, 1]);
  });

  it("two retries at once: one requeues each retryable trade once, the other is refused", async () => {
    const { id } = await failedBatch();
    const answers = await Promise.all([retry(id), retry(id)]);
    const succeeded = answers.filter((answer) => !answer.errors);
    const refused = answers.filter((answer) => answer.errors);
    expect(succeeded).toHaveLength(1);
    expect(refused.map((answer) => answer.errors?.[0]?.extensions?.code)).toEqual(["BAD_BATCH_STATE"]);
    expect((succeeded[0]!.data as { retryFailedTrades: BatchFields }).retryFailedTrades.failedTrades).toBe(3);

    expect(await finishedBatch(app, id)).toMatchObject({ succeededTrades: 2, failedTrades: 5, processedTrades: 7 });
    expect((await tradesOf(id)).map(({ attempts }) => attempts)).toEqual([1, 1, 1, 1, 1, 2, 2]);
    const {
      rows: [counters],
    } = await sql.query(
      `SELECT b.failed_trades = count(*) FILTER (WHERE t.status = 'FAILED') AS exact FROM batch b JOIN trade t ON t.batch_id = b.id
       WHERE b.id = $1 GROUP BY b.failed_trades`,
      [id],
    );
    expect(counters.exact).toBe(true);
  });
});

describe("the API's description", () => {
  it("names every permanent refusal the domain lists", () => {
    const sdl = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    const description = sdl.slice(0, sdl.indexOf("retryFailedTrades(id: ID!, errorCodes"));
    const said = description.slice(description.lastIndexOf('"""', description.lastIndexOf('"""') - 1));
    for (const code of PERMANENT_FAILURE_CODES) expect(said, code).toContain(code);
  });
});

describe("Batch.trades(errorCode:)", () => {
  it("lists the failed trades with that code, counted and paged like any filter", async () => {
    const { id } = await failedBatch();
    type Page = {
      batch: {
        trades: {
          totalCount: number;
          edges: { node: { rowNumber: number; status: string; errorCode: string } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      };
    };
    const read = async (variables: Record<string, unknown>) => (await app.query<Page>(TRADES_WITH_CODE, { id, ...variables })).batch.trades;

    const first = await read({ errorCode: "INVALID_ACCOUNT", first: 2 });
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((edge) => edge.node)).toEqual([
      { rowNumber: 3, status: "FAILED", errorCode: "INVALID_ACCOUNT" },
      { rowNumber: 4, status: "FAILED", errorCode: "INVALID_ACCOUNT" },
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const next = await read({ errorCode: "INVALID_ACCOUNT", first: 2, after: first.pageInfo.endCursor });
    expect(next.edges.map((edge) => edge.node.rowNumber)).toEqual([5]);
    expect(next.pageInfo.hasNextPage).toBe(false);

    expect((await read({ errorCode: "INSUFFICIENT_FUNDS", status: "FAILED" })).totalCount).toBe(2);
    expect(await read({ errorCode: "INSUFFICIENT_FUNDS", status: "SUCCESS" })).toMatchObject({ totalCount: 0, edges: [] });
    expect(await read({ errorCode: "NOPE" })).toMatchObject({ totalCount: 0, edges: [] });
  });
});
