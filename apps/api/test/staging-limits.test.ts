import { MAX_ROW_ERRORS, type RowError, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GraphQLResponse, STAGE, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * stageBatch over GraphQL HTTP with what a hostile or broken upload can hold: text PostgreSQL cannot
 * store (NUL, unpaired surrogates) in the file or the other inputs, and a file of nothing but errors.
 */

type StagePayload = {
  stageBatch: { batch: { id: string } | null; errors: RowError[] };
};

const HEADER = TRADE_CSV_COLUMNS.join(",");
const NUL_MESSAGE = "contains a NUL character (U+0000) at character 3, which cannot be stored; remove it";

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The raw HTTP answer to stageBatch: its body as sent, and parsed. */
async function stageOverHttp(input: Record<string, unknown>): Promise<{ bytes: number; response: GraphQLResponse<StagePayload> }> {
  const response = await fetch(app.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${app.key}` },
    body: JSON.stringify({ query: STAGE, variables: { input: { allowDuplicate: true, ...input } } }),
  });
  expect(response.status).toBe(200);
  const body = await response.text();
  return { bytes: Buffer.byteLength(body), response: JSON.parse(body) as GraphQLResponse<StagePayload> };
}

async function batchCount(): Promise<number> {
  return (await app.query<{ batches: { totalCount: number } }>(`{ batches(first: 1) { totalCount } }`)).batches.totalCount;
}

/** Stages input that must be refused with row errors (not a GraphQL error), checks nothing was saved, and returns the errors. */
async function refused(input: Record<string, unknown>): Promise<{ errors: RowError[]; bytes: number }> {
  const before = await batchCount();
  const { bytes, response } = await stageOverHttp(input);
  expect(response.errors).toBeUndefined();
  expect(response.data?.stageBatch.batch).toBeNull();
  expect(await batchCount()).toBe(before);
  return { errors: response.data!.stageBatch.errors, bytes };
}

describe("stageBatch refuses text that cannot be stored", () => {
  it("answers a NUL in a cell with the row error, not INTERNAL_SERVER_ERROR, and saves nothing", async () => {
    const csv = `${HEADER}\nC-1,Acme,1234567890,ZAR,USD,BUY,100.00,,R-1\nC-2,Ac\u0000me,1234567890,ZAR,USD,BUY,100.00,,R-2\n`;
    const { errors } = await refused({ csv });
    expect(errors).toEqual([{ row: 2, field: "client_name", message: `client_name ${NUL_MESSAGE}` }]);
  });

  it("answers an unpaired surrogate in a cell or a NUL in the header with its row error", async () => {
    const surrogate = await refused({ csv: `${HEADER}\nC-1,Acme,1234567890,ZAR,USD,BUY,100.00,,R-\uD800\n` });
    expect(surrogate.errors).toEqual([
      { row: 1, field: "reference", message: expect.stringContaining("unpaired UTF-16 surrogate, U+D800") },
    ]);
    const header = await refused({ csv: `${HEADER.replace("amount", "am\u0000ount")}\nC-1,Acme,1234567890,ZAR,USD,BUY,100.00,,\n` });
    expect(header.errors).toContainEqual({ row: 0, field: "am\uFFFDount", message: expect.stringContaining("NUL character") });
  });

  it("answers a name or an idempotencyKey with a NUL with that input's error", async () => {
    const csv = tradesCsv(2);
    expect((await refused({ csv, name: "Ma\u0000rch" })).errors).toEqual([{ row: null, field: "name", message: `name ${NUL_MESSAGE}` }]);
    expect((await refused({ csv, idempotencyKey: "k-\u0000" })).errors).toEqual([
      { row: null, field: "idempotencyKey", message: `idempotencyKey ${NUL_MESSAGE}` },
    ]);
    expect((await refused({ csv, name: "x\uDC00" })).errors).toEqual([
      { row: null, field: "name", message: expect.stringContaining("unpaired UTF-16 surrogate, U+DC00") },
    ]);
  });
});

describe("stageBatch caps the row errors it answers", () => {
  it("answers a 100,000-row file of bad rows with the first 1,000 errors and the total, in well under 1 MB", async () => {
    // every row has two problems: the account number and the direction
    const csv = `${HEADER}\n${"C-1,Acme,12AB,ZAR,USD,HOLD,100.00,,\n".repeat(100_000)}`;
    expect(Buffer.byteLength(csv)).toBeLessThan(20 * 1024 * 1024);
    const { errors, bytes } = await refused({ csv, name: "all bad" });
    expect(MAX_ROW_ERRORS).toBe(1_000);
    expect(errors).toHaveLength(1_001);
    expect(errors[0]).toMatchObject({ row: 1, field: "account_number" });
    expect(errors[999]).toMatchObject({ row: 500, field: "direction" });
    expect(errors[1_000]).toEqual({
      row: null,
      field: null,
      message: "1,000 of 200,000 problems are listed; fix these and upload the file again to see the rest",
    });
    expect(bytes).toBeLessThan(300 * 1024);
  });
});
