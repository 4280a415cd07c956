import type { TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Query.batch takes a batch's batchUid as well as its id (the dashboard opens /batches/B-…),
 * with the same visibility: another partner's batch, an unknown uid and text that is no uid
 * all answer null, with no error.
 */

let db: TestDatabase;
let staff: TestApp;
let acme: TestApp;
let globex: TestApp;
let acmeBatch: { id: string; batchUid: string };
let staffBatch: { id: string; batchUid: string };

const BATCH_BY = `query($id: ID!) { batch(id: $id) { id batchUid totalTrades } }`;

async function stagedBy(app: TestApp, count: number): Promise<{ id: string; batchUid: string }> {
  const batch = (await stage(app, tradesCsv(count))) as { id: string; batchUid?: string };
  return { id: batch.id, batchUid: batch.batchUid! };
}

beforeAll(async () => {
  db = await testDatabase();
  staff = await startTestApp(db.url);
  acme = staff.as(await staff.createKey("TRADER", "acme"));
  globex = staff.as(await staff.createKey("TRADER", "globex"));
  staffBatch = await stagedBy(staff, 2);
  acmeBatch = await stagedBy(acme, 3);
});

afterAll(async () => {
  await staff?.close();
  await db?.drop();
});

describe("batch(id:) by batchUid", () => {
  it("answers the same batch by its uid as by its id", async () => {
    expect(acmeBatch.batchUid).toMatch(/^B-\d{8}-\d{4}$/);
    const byUid = await staff.request(BATCH, { id: acmeBatch.batchUid });
    const byId = await staff.request(BATCH, { id: acmeBatch.id });
    expect(byUid.errors).toBeUndefined();
    expect(byUid).toEqual(byId);
    expect(byUid.data).toMatchObject({ batch: { id: acmeBatch.id, batchUid: acmeBatch.batchUid, totalTrades: 3 } });
    // Two batches: each uid finds its own.
    expect(await staff.request(BATCH_BY, { id: staffBatch.batchUid })).toEqual({
      data: { batch: { id: staffBatch.id, batchUid: staffBatch.batchUid, totalTrades: 2 } },
    });
  });

  it("answers a partner its own batch by uid, and another partner's as null, as by id", async () => {
    expect(await acme.request(BATCH_BY, { id: acmeBatch.batchUid })).toEqual({
      data: { batch: { id: acmeBatch.id, batchUid: acmeBatch.batchUid, totalTrades: 3 } },
    });
    for (const id of [acmeBatch.batchUid, acmeBatch.id]) {
      expect(await globex.request(BATCH_BY, { id }), id).toEqual({ data: { batch: null } });
    }
    // Staff's batch (of no partner) is not a partner's either.
    expect(await acme.request(BATCH_BY, { id: staffBatch.batchUid })).toEqual({ data: { batch: null } });
  });

  it("answers null, with no error, for an unknown uid and for text that is no uid", async () => {
    const [, day] = acmeBatch.batchUid.split("-");
    const unknown = [`B-${day}-9999`, "B-19700101-0001", `B-${day}-99999999999999999999`];
    const malformed = [
      acmeBatch.batchUid.toLowerCase(),
      ` ${acmeBatch.batchUid}`,
      `${acmeBatch.batchUid} `,
      acmeBatch.batchUid.replace(/-(\d+)$/, "-1"),
      `${acmeBatch.batchUid}'; --`,
      "B-",
      "",
      "x".repeat(10_000),
    ];
    for (const id of [...unknown, ...malformed]) {
      expect(await staff.request(BATCH_BY, { id }), JSON.stringify(id.slice(0, 40))).toEqual({ data: { batch: null } });
    }
  });

  it("opens by uid only where the batch is read: commands still take the id", async () => {
    const answer = await staff.request(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: staffBatch.batchUid });
    expect(answer.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    // Not "does not exist": the batch does, and the answer says what to send instead (whether or not it exists).
    for (const id of [staffBatch.batchUid, "B-20000101-9999"]) {
      const refused = await staff.request(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id });
      expect(refused.errors?.[0]?.message).toBe(
        `${id} is a batchUid: this takes the batch's id (a UUID), which batch(id: "${id}") { id } reads`,
      );
    }
  });
});
