// The trade history (issue 9): each page a walk down an index in the history's order, and a
// totalCount that stays cheap — exact from the batches' counters where they answer, else
// counted up to TRADE_HISTORY_COUNT_LIMIT + 1.
import type { TradeStatus } from "@fxbt/domain";
import { TRADE_HISTORY_COUNT_LIMIT } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "../src/queryable";
import type { TradeRow } from "../src/rows";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { pageTradeHistory, type TradeHistoryFilter } from "../src/sql/trade-reads";
import { emptyTables, openTestDatabase, type TestContext, tradeRows } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
  await emptyTables(t.db.prisma);
});
afterAll(() => t.close());

const STATUSES: TradeStatus[] = ["PENDING", "EXECUTING", "QUOTED", "SUCCESS", "FAILED", "CANCELLED"];

/** Puts the batch's trades in statuses by row (cycling through `statuses`) and sets its counters to match. */
async function setStatuses(db: Queryable, batchId: string, statuses: readonly TradeStatus[]): Promise<void> {
  await db.$executeRaw`
    UPDATE trade SET status = (${[...statuses]}::"TradeStatus"[])[1 + (row_number - 1) % ${statuses.length}::int]
    WHERE batch_id = ${batchId}::uuid`;
  await db.$executeRaw`
    UPDATE batch SET succeeded_trades = c.s, failed_trades = c.f, cancelled_trades = c.c
    FROM (SELECT count(*) FILTER (WHERE status = 'SUCCESS')::int AS s, count(*) FILTER (WHERE status = 'FAILED')::int AS f,
                 count(*) FILTER (WHERE status = 'CANCELLED')::int AS c FROM trade WHERE batch_id = ${batchId}::uuid) AS c
    WHERE id = ${batchId}::uuid`;
}

async function stage(partner: string | null, count: number, name: string, createdAt: string) {
  const batch = await insertStagedBatch(t.db.prisma, {
    name,
    priority: 0,
    partner,
    rows: tradeRows(count, (i) => ({ clientId: `${name}-C${i}`, reference: i % 4 === 0 ? `Invoice ${name}/${i}` : `REF-${i}` })),
  });
  // Distinct, known times; two batches share one to check the tie-break by row and id.
  await t.db.prisma.$executeRaw`UPDATE batch SET created_at = ${createdAt}::timestamptz WHERE id = ${batch.id}::uuid`;
  await t.db.prisma.$executeRaw`UPDATE trade SET created_at = ${createdAt}::timestamptz WHERE batch_id = ${batch.id}::uuid`;
  return batch;
}

/** Every page of `first` rows, following the cursors, and every page's totalCount. */
async function walk(filter: TradeHistoryFilter | null, partner: string | null = null, first = 3) {
  const rows: TradeRow[] = [];
  const counts = new Set<number>();
  let after: { createdAt: string; rowNumber: number; id: string } | null = null;
  for (;;) {
    const page = await pageTradeHistory(t.db.prisma, { first, after, filter, partner });
    counts.add(page.totalCount);
    rows.push(...page.rows.slice(0, first));
    if (page.rows.length <= first) break;
    const last = page.rows[first - 1]!;
    after = { createdAt: last.createdAt.toISOString(), rowNumber: last.rowNumber ?? 0, id: last.id };
  }
  return { ids: rows.map((row) => row.id), counts: [...counts] };
}

/** What the history must hold: every trade of the filter, sorted by the full key in one query (no index involved). */
async function expected(conditions: string, partner: string | null = null): Promise<string[]> {
  const rows = await t.db.prisma.$queryRawUnsafe<{ id: string }[]>(
    `SELECT trade.id::text AS id FROM trade JOIN batch ON batch.id = trade.batch_id
     WHERE (${conditions}) AND ($1::text IS NULL OR batch.partner = $1)
     ORDER BY trade.created_at DESC, coalesce(trade.row_number, 0) DESC, trade.id::text DESC`,
    partner,
  );
  // uuid order in PostgreSQL is byte order, which the text of a lower-case uuid keeps.
  return rows.map((row) => row.id);
}

describe("pageTradeHistory", () => {
  let ids: { acme: string; globex: string; staff: string; tie: string };

  beforeAll(async () => {
    const acme = await stage("acme", 9, "A", "2026-05-01T10:00:00Z");
    const globex = await stage("globex", 7, "G", "2026-05-02T10:00:00Z");
    const staff = await stage(null, 8, "S", "2026-05-03T10:00:00Z");
    const tie = await stage("acme", 5, "T", "2026-05-02T10:00:00Z");
    await setStatuses(t.db.prisma, acme.id, ["SUCCESS", "FAILED", "PENDING"]);
    await setStatuses(t.db.prisma, globex.id, ["FAILED", "QUOTED", "SUCCESS", "CANCELLED"]);
    await setStatuses(t.db.prisma, staff.id, STATUSES);
    await setStatuses(t.db.prisma, tie.id, ["EXECUTING", "SUCCESS"]);
    ids = { acme: acme.id, globex: globex.id, staff: staff.id, tie: tie.id };
  });

  const cases: { name: string; filter: TradeHistoryFilter | null; sql: (ids: Record<string, string>) => string }[] = [
    { name: "no filter", filter: null, sql: () => "true" },
    { name: "one status", filter: { status: ["FAILED"] }, sql: () => "trade.status = 'FAILED'" },
    {
      name: "several statuses (merged walks)",
      filter: { status: ["PENDING", "FAILED", "EXECUTING"] },
      sql: () => "trade.status IN ('PENDING', 'FAILED', 'EXECUTING')",
    },
    { name: "a status twice", filter: { status: ["SUCCESS", "SUCCESS"] }, sql: () => "trade.status = 'SUCCESS'" },
    { name: "a search", filter: { search: "invoice" }, sql: () => "trade.reference ILIKE '%invoice%'" },
    { name: "a search of a client id", filter: { search: "g-c3" }, sql: () => "trade.client_id ILIKE '%g-c3%'" },
    {
      name: "a search and statuses",
      filter: { search: "REF", status: ["SUCCESS", "QUOTED"] },
      sql: () => "trade.reference ILIKE '%ref%' AND trade.status IN ('SUCCESS', 'QUOTED')",
    },
  ];

  for (const { name, filter, sql } of cases) {
    it(`pages ${name} in the history's order, without gaps or repeats, for staff and for a partner`, async () => {
      for (const partner of [null, "acme", "globex", "nobody"]) {
        const want = await expected(sql(ids), partner);
        const got = await walk(filter, partner);
        expect(got.ids, `${name}, partner ${partner}`).toEqual(want);
        expect(got.counts, `${name}, partner ${partner}`).toEqual([want.length]);
      }
    });
  }

  it("filters by batch, alone and with statuses; another partner's batch has no trades", async () => {
    for (const status of [null, ["FAILED"], ["PENDING", "SUCCESS"]] as (TradeStatus[] | null)[]) {
      const statusSql = status ? `AND trade.status IN (${status.map((s) => `'${s}'`).join(", ")})` : "";
      const want = await expected(`trade.batch_id = '${ids.acme}' ${statusSql}`);
      expect(await walk({ batchId: ids.acme, status }, null, 2)).toEqual({ ids: want, counts: [want.length] });
      expect(await walk({ batchId: ids.acme, status }, "acme", 2)).toEqual({ ids: want, counts: [want.length] });
      expect(await walk({ batchId: ids.acme, status }, "globex", 2)).toEqual({ ids: [], counts: [0] });
    }
  });

  it("counts from the batches' counters without reading trades when they answer, and bounds every other count", async () => {
    const big = await stage("big", TRADE_HISTORY_COUNT_LIMIT + 50, "B", "2026-05-04T10:00:00Z");
    try {
      const total = 9 + 7 + 8 + 5 + TRADE_HISTORY_COUNT_LIMIT + 50;
      const count = async (filter: TradeHistoryFilter | null, partner: string | null = null) =>
        (await pageTradeHistory(t.db.prisma, { first: 1, filter, partner })).totalCount;
      // Exact: the counters hold these (PENDING trades, SUCCESS none yet in the big batch).
      expect(await count(null)).toBe(total);
      expect(await count(null, "big")).toBe(TRADE_HISTORY_COUNT_LIMIT + 50);
      expect(await count({ status: ["SUCCESS", "FAILED", "CANCELLED"] }, "big")).toBe(0);
      expect(await count({ batchId: big.id })).toBe(TRADE_HISTORY_COUNT_LIMIT + 50);
      // Counted, and bounded: more than the limit reads as the limit + 1.
      expect(await count({ status: ["PENDING"] }, "big")).toBe(TRADE_HISTORY_COUNT_LIMIT + 1);
      expect(await count({ search: "b-c" })).toBe(TRADE_HISTORY_COUNT_LIMIT + 1);
      const withC1 = tradeRows(TRADE_HISTORY_COUNT_LIMIT + 50).filter((_, i) => `b-c${i + 1}`.includes("b-c1")).length;
      expect(await count({ search: "b-c1" }, "big")).toBe(withC1);
      expect(await count({ status: ["PENDING"], search: "b-c" }, "acme")).toBe(0);
      // Exact below the limit, as before.
      const pending = (await expected("trade.status IN ('PENDING', 'EXECUTING')", "acme")).length;
      expect(pending).toBeGreaterThan(0);
      expect(await count({ status: ["PENDING", "EXECUTING"] }, "acme")).toBe(pending);
    } finally {
      await t.db.prisma.$executeRaw`DELETE FROM batch WHERE id = ${big.id}::uuid`;
    }
  });
});
