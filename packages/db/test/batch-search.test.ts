// The batch list's search (pageBatches' filter.search) answers what ILIKE on batch_uid and name
// answers, and reads the trigram index of migration 20261129052000_search_lowered, which is on
// the very expression the search writes (foundIn).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BatchRow } from "../src/rows";
import { batchSearch, pageBatches } from "../src/sql/batch-reads";
import { containing } from "../src/sql/fragments";
import { openTestDatabase, stageBatch, type TestContext } from "./helpers";

let t: TestContext;
let batches: BatchRow[];
beforeAll(async () => {
  t = await openTestDatabase();
  batches = [];
  for (const name of ["Müller Payroll", "ÆRØ Ω desk", "50% off_sale", "PAYROLL müller", "back\\slash", null]) {
    batches.push(await stageBatch(t.db, 1, name === null ? {} : { name }));
  }
});
afterAll(() => t.close());

/** Every batch the search finds, walking pages of two, and each page's totalCount. */
async function searched(search: string): Promise<{ ids: string[]; counts: number[] }> {
  const ids: string[] = [];
  const counts = new Set<number>();
  let after: { value: string; id: string } | null = null;
  for (;;) {
    const page = await pageBatches(t.db.prisma, {
      first: 2,
      after,
      filter: { search },
      orderBy: { field: "CREATED_AT", descending: true },
    });
    counts.add(page.totalCount);
    ids.push(...page.rows.slice(0, 2).map((row) => row.id));
    if (page.rows.length <= 2) return { ids: ids.sort(), counts: [...counts] };
    const last = page.rows[1]!;
    after = { value: last.createdAt.toISOString(), id: last.id };
  }
}

/** What the search must find: ILIKE on each column, no index involved. */
async function matching(search: string): Promise<string[]> {
  const pattern = containing(search);
  const rows = await t.db.prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM batch WHERE archived_at IS NULL AND (batch_uid ILIKE ${pattern} OR name ILIKE ${pattern})`;
  return rows.map((row) => row.id).sort();
}

describe("batch search", () => {
  it("answers what ILIKE on batchUid and name answers: any case (beyond ASCII), anywhere, wildcards literal, never across the two", async () => {
    const uid = batches[0]!.batchUid;
    const searches = [
      "payroll",
      "MÜLLER",
      "müller payroll",
      "æRø ω",
      "Ω DESK",
      "50%",
      "%",
      "off_s",
      "_",
      "\\",
      "k\\s",
      uid,
      uid.toLowerCase(),
    ];
    // Each would match the two columns joined by a line feed, and neither column alone.
    const across = [`${uid}\nMüller`, `${uid.slice(-2)}\nmü`, `${batches[4]!.batchUid}\nBACK`];
    for (const search of across) expect(await matching(search), search).toEqual([]);
    for (const search of [...searches, ...across, "no such batch"]) {
      const want = await matching(search);
      expect(await searched(search), search).toEqual({ ids: want, counts: [want.length] });
    }
    expect((await searched("MÜLLER")).ids).toHaveLength(2);
    expect((await searched("%")).ids).toEqual([batches[2]!.id]);
  });

  it("reads its trigram index (the index's expression is the search's)", async () => {
    for (const search of ["payroll", `${batches[0]!.batchUid}\nMüller`]) {
      const plan = await t.db.prisma.$transaction(async (tx) => {
        // A handful of rows: without this the planner rightly prefers to read the table.
        await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
        return tx.$queryRaw<{ "QUERY PLAN": string }[]>`EXPLAIN SELECT count(*) FROM batch WHERE ${batchSearch(search)}`;
      });
      expect(plan.map((row) => row["QUERY PLAN"]).join("\n"), search).toContain("batch_search_text_trgm_idx");
    }
  });
});
