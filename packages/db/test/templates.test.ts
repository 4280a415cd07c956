import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertStagedBatch } from "../src/sql/stage-batch";
import {
  countTemplateStaging,
  deleteBatchTemplate,
  findBatchTemplate,
  insertBatchTemplate,
  isTemplateNameTaken,
  type NewBatchTemplate,
  pageBatchTemplates,
  renameBatchTemplate,
  templateRows,
} from "../src/sql/templates";
import { batchInstructions } from "../src/sql/templates-rows";
import { openTestDatabase, type TestContext, tradeRows } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

let counter = 0;
const template = (fields: Partial<NewBatchTemplate> = {}): NewBatchTemplate => ({
  name: `Template ${++counter}`,
  namePattern: null,
  priority: 0,
  rows: null,
  sourceBatchUid: null,
  partner: null,
  createdById: null,
  createdBy: "db test",
  ...fields,
});

async function refusal(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error("expected a refusal");
}

describe("batch templates in the database", () => {
  it("reads a batch's trades as instructions: amounts exact at their minor units, dates as text, row order", async () => {
    const rows = tradeRows(3, (i) => ({
      amount: i === 1 ? "98765432109.99" : i === 2 ? "123456789" : "0.50",
      buyCurrency: i === 2 ? "JPY" : "USD",
      valueDate: i === 3 ? "2099-01-02" : null,
      clientName: i === 3 ? null : `Client ${i}`,
    }));
    const batch = await insertStagedBatch(t.db.prisma, { name: "source", priority: 0, rows });
    const instructions = await batchInstructions(t.db.prisma, batch);
    expect(instructions).toEqual(rows.map(({ rowNumber: _, ...instruction }) => instruction));
  });

  it("keeps names unique per owner whatever their case; another owner may use the name", async () => {
    const first = await insertBatchTemplate(t.db.prisma, template({ name: "Month End", partner: "acme" }));
    const error = await refusal(insertBatchTemplate(t.db.prisma, template({ name: "month end", partner: "acme" })));
    expect(isTemplateNameTaken(error)).toBe(true);
    expect(isTemplateNameTaken(new Error("something else"))).toBe(false);
    await insertBatchTemplate(t.db.prisma, template({ name: "MONTH END", partner: "globex" }));
    await insertBatchTemplate(t.db.prisma, template({ name: "month end", partner: null }));
    const renamed = refusal(
      renameBatchTemplate(t.db.prisma, (await insertBatchTemplate(t.db.prisma, template({ partner: "acme" }))).id, "acme", "MONTH end"),
    );
    expect(isTemplateNameTaken(await renamed)).toBe(true);
    expect(await findBatchTemplate(t.db.prisma, first.id, "acme")).toMatchObject({ name: "Month End", rowCount: 0 });
  });

  it("reaches only the owner's templates: find, rows, rename, delete and the list", async () => {
    const rows = tradeRows(2).map(({ rowNumber: _, ...instruction }) => instruction);
    const own = await insertBatchTemplate(t.db.prisma, template({ partner: "initech", rows }));
    expect(own.rowCount).toBe(2);
    expect("rows" in own).toBe(false);
    for (const other of ["globex", null]) {
      expect(await findBatchTemplate(t.db.prisma, own.id, other)).toBeNull();
      expect(await templateRows(t.db.prisma, own.id, other)).toBeNull();
      expect(await renameBatchTemplate(t.db.prisma, own.id, other, "taken over")).toBeNull();
      expect(await deleteBatchTemplate(t.db.prisma, own.id, other)).toBeNull();
    }
    expect(await templateRows(t.db.prisma, own.id, "initech")).toEqual(rows);
    const page = await pageBatchTemplates(t.db.prisma, { partner: "initech", first: 10 });
    expect(page.rows.map((row) => row.id)).toEqual([own.id]);
    expect(page.totalCount).toBe(1);
    expect(await deleteBatchTemplate(t.db.prisma, own.id, "initech")).toMatchObject({ id: own.id });
    expect(await findBatchTemplate(t.db.prisma, own.id, "initech")).toBeNull();
  });

  it("pages in case-insensitive name order after a cursor, and searches with LIKE's wildcards taken literally", async () => {
    for (const name of ["b", "A", "c", "50%_off"]) await insertBatchTemplate(t.db.prisma, template({ name, partner: "paging" }));
    const first = await pageBatchTemplates(t.db.prisma, { partner: "paging", first: 2 });
    expect(first.rows.map((row) => row.name)).toEqual(["50%_off", "A", "b"]);
    const next = await pageBatchTemplates(t.db.prisma, { partner: "paging", first: 2, afterName: "a" });
    expect(next.rows.map((row) => row.name)).toEqual(["b", "c"]);
    expect((await pageBatchTemplates(t.db.prisma, { partner: "paging", first: 10, search: "%_" })).rows.map((row) => row.name)).toEqual([
      "50%_off",
    ]);
  });

  it("counts a staging only while the count is the one expected", async () => {
    const row = await insertBatchTemplate(t.db.prisma, template());
    expect(await countTemplateStaging(t.db.prisma, row.id, 0)).toBe(1);
    expect(await countTemplateStaging(t.db.prisma, row.id, 0)).toBeNull();
    expect(await countTemplateStaging(t.db.prisma, row.id, 1)).toBe(2);
    expect((await findBatchTemplate(t.db.prisma, row.id, null))?.lastStagedAt).toBeInstanceOf(Date);
  });
});
