// The trade history's search is served by trade_search (migration 20261127200000_trade_search_table):
// its rows follow the trades' searched values through staging, quotes, bookings, requotes and
// deletion, status changes leave it alone, and the search answers exactly what ILIKE on the trade's
// six columns answers.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Queryable } from "../src/queryable";
import { deleteBatchRow } from "../src/sql/batch-lifecycle";
import { containing } from "../src/sql/fragments";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { COMMON_SEARCH_CANDIDATES, pageTradeHistory, tradeMatchesSearch } from "../src/sql/trade-reads";
import { markTradesQuoted, recordTradeOutcomes, requoteTrades } from "../src/sql/trade-results";
import {
  cancelAsTheApi,
  claimedBatch,
  databaseMigratedBefore,
  emptyTables,
  migrateFully,
  openTestDatabase,
  outcomeOf,
  quoteOf,
  stageBatch,
  type TestContext,
  tradeRows,
} from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

type SearchRow = { tradeId: string; field: string; text: string };

/** trade_search as it stands. */
function searchRows(db: Queryable): Promise<SearchRow[]> {
  return db.$queryRaw<SearchRow[]>`
    SELECT trade_id::text AS "tradeId", field::text AS field, text FROM trade_search ORDER BY 1, 2`;
}

/** What trade_search must hold, computed from the trades' own columns. */
function mirroredRows(db: Queryable): Promise<SearchRow[]> {
  return db.$queryRaw<SearchRow[]>`
    SELECT * FROM (
      SELECT id::text AS "tradeId", 'INSTRUCTION' AS field, concat_ws(E'\n', client_id, client_name, account_number, reference) AS text FROM trade
      UNION ALL SELECT id::text, 'QUOTE', quote_id FROM trade WHERE quote_id IS NOT NULL
      UNION ALL SELECT id::text, 'TRANSACTION', transaction_id FROM trade WHERE transaction_id IS NOT NULL) AS mirrored
    ORDER BY 1, 2`;
}

/** The row versions of trade_search: unchanged when nothing wrote to it. */
function rowVersions(db: Queryable): Promise<{ tradeId: string; field: string; version: string }[]> {
  return db.$queryRaw`SELECT trade_id::text AS "tradeId", field::text AS field, xmin::text || ctid::text AS version FROM trade_search ORDER BY 1, 2`;
}

/** Every trade the search finds, walking the pages. */
async function searched(search: string): Promise<string[]> {
  const ids: string[] = [];
  let after: { createdAt: string; rowNumber: number; id: string } | null = null;
  for (;;) {
    const page = await pageTradeHistory(t.db.prisma, { first: 5, after, filter: { search } });
    ids.push(...page.rows.slice(0, 5).map((row) => row.id));
    if (page.rows.length <= 5) return ids.sort();
    const last = page.rows[4]!;
    after = { createdAt: last.createdAt.toISOString(), rowNumber: last.rowNumber ?? 0, id: last.id };
  }
}

/** What the search must find: ILIKE on the trade's six columns, no index involved. */
async function matching(search: string): Promise<string[]> {
  const pattern = containing(search);
  const rows = await t.db.prisma.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM trade WHERE client_id ILIKE ${pattern} OR client_name ILIKE ${pattern}
      OR account_number ILIKE ${pattern} OR reference ILIKE ${pattern} OR quote_id ILIKE ${pattern} OR transaction_id ILIKE ${pattern}`;
  return rows.map((row) => row.id).sort();
}

describe("trade_search", () => {
  it("holds each trade's searched values through staging, quotes, bookings, refusals and requotes", async () => {
    const { trades } = await claimedBatch(t.db, 12);
    expect(await searchRows(t.db.prisma)).toEqual(await mirroredRows(t.db.prisma));
    expect((await searchRows(t.db.prisma)).map((row) => row.field)).toEqual(Array(12).fill("INSTRUCTION"));

    await markTradesQuoted(
      t.db.prisma,
      trades.slice(0, 8).map((trade) => quoteOf(trade)),
    );
    await recordTradeOutcomes(t.db.prisma, [
      ...trades.slice(0, 4).map((trade) => outcomeOf(trade, "book")),
      ...trades.slice(4, 6).map((trade) => outcomeOf(trade, "refuseBooking")),
    ]);
    const expiring = trades.slice(6, 8);
    await requoteTrades(
      t.db.prisma,
      expiring.map((trade) => ({ id: trade.id, idempotencyKey: trade.idempotencyKey!, errorMessage: "expired", bookingSentAt: null })),
    );

    const rows = await searchRows(t.db.prisma);
    expect(rows).toEqual(await mirroredRows(t.db.prisma));
    const of = (field: string) =>
      rows
        .filter((row) => row.field === field)
        .map((row) => row.text)
        .sort();
    // Rows 1–6 keep their quotes, 7–8 lost theirs to the requote; only bookings have transactions.
    expect(of("QUOTE")).toEqual(["Q-1", "Q-2", "Q-3", "Q-4", "Q-5", "Q-6"]);
    expect(of("TRANSACTION")).toEqual(["T-1", "T-2", "T-3", "T-4"]);
    expect(of("INSTRUCTION")).toContain("C-1\nClient 1\n1234567890\nREF-1");

    // Quoted again under the new key: the new quote is searchable, the old one is gone.
    const requoted = await t.db.prisma.trade.findUniqueOrThrow({ where: { id: expiring[0]!.id } });
    await markTradesQuoted(t.db.prisma, [{ ...quoteOf(requoted), quoteId: "Q-NEW-7" }]);
    expect(await searchRows(t.db.prisma)).toEqual(await mirroredRows(t.db.prisma));
    expect(await searched("q-new")).toEqual([requoted.id]);
    expect(await searched("Q-7")).toEqual([]);
  });

  it("is not written by status changes that leave the searched values alone (claims, cancels)", async () => {
    const batch = await stageBatch(t.db, 6);
    await t.db.prisma.$executeRaw`UPDATE batch SET status = 'RUNNING', queued_at = now(), started_at = now() WHERE id = ${batch.id}::uuid`;
    const before = await rowVersions(t.db.prisma);
    expect(await claimPendingTrades(t.db.prisma, batch.id, 3)).toHaveLength(3);
    expect(await cancelAsTheApi(t.db, batch.id)).not.toBeNull();
    const statuses = await t.db.prisma.trade.groupBy({ by: ["status"], where: { batchId: batch.id }, _count: true });
    // The claimed trades had nothing sent: the cancel takes them too.
    expect(statuses.map((s) => [s.status, s._count])).toEqual([["CANCELLED", 6]]);
    expect(await rowVersions(t.db.prisma)).toEqual(before);
  });

  it("follows a value changed or cleared by any statement, and goes with its trade", async () => {
    const batch = await stageBatch(t.db, 3, { name: "edited" });
    await t.db.prisma.$executeRaw`
      UPDATE trade SET client_name = 'Renamed Ltd', quote_id = 'Q-X', transaction_id = 'T-X' WHERE batch_id = ${batch.id}::uuid AND row_number = 1`;
    await t.db.prisma
      .$executeRaw`UPDATE trade SET reference = NULL, quote_id = 'Q-Y' WHERE batch_id = ${batch.id}::uuid AND row_number = 2`;
    await t.db.prisma.$executeRaw`UPDATE trade SET quote_id = NULL, transaction_id = NULL WHERE batch_id = ${batch.id}::uuid`;
    expect(await searchRows(t.db.prisma)).toEqual(await mirroredRows(t.db.prisma));
    expect(await searched("renamed")).toHaveLength(1);
    expect(await searched("Q-Y")).toEqual([]);

    const ids = (await t.db.prisma.trade.findMany({ where: { batchId: batch.id } })).map((trade) => trade.id);
    await t.db.prisma.$transaction((tx) => deleteBatchRow(tx, batch.id));
    const left = await t.db.prisma.$queryRaw<{ count: number }[]>`
      SELECT count(*)::int AS count FROM trade_search WHERE trade_id = ANY(${ids}::uuid[])`;
    expect(left[0]!.count).toBe(0);
    expect(await searchRows(t.db.prisma)).toEqual(await mirroredRows(t.db.prisma));
  });

  it("is emptied by a TRUNCATE of trade, which fires no delete trigger (emptyTables)", async () => {
    const own = await openTestDatabase();
    try {
      await stageBatch(own.db, 3, { name: "truncated" });
      expect(await searchRows(own.db.prisma)).not.toEqual([]);
      await emptyTables(own.db.prisma);
      expect(await searchRows(own.db.prisma)).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it("answers what ILIKE on the six columns answers: any case, anywhere, wildcards literal, never across two fields", async () => {
    const batch = await stageBatch(t.db, 4, { name: "odd" });
    await t.db.prisma.$executeRaw`
      UPDATE trade SET client_name = '50% off_sale', quote_id = 'qUoTe-' || row_number,
        reference = CASE WHEN row_number = 2 THEN 'Zürich Ω-7' ELSE reference END WHERE batch_id = ${batch.id}::uuid`;
    const searches = ["q-1", "CLIENT 1", "t-", "234567", "ref-1", "quote-3", "50%", "%", "off_s", "_", "\\", "zzz", "ZÜRICH ω", "ü"];
    // Each matches the joined instruction text of some trade, and no single field of any.
    const across = ["C-1\nClient", "1\n1234567890", "890\nREF", "Client 2\n123"];
    for (const search of across) expect(await matching(search), search).toEqual([]);
    for (const search of [...searches, ...across]) expect(await searched(search), search).toEqual(await matching(search));
    expect(await searched("QUOTE-2")).toHaveLength(1);
    expect(await searched("50%")).toHaveLength(4);
    expect(await searched("%")).toHaveLength(4);
    expect(await searched("ZÜRICH ω")).toHaveLength(1);
  });
});

describe("a common search and a rare one", () => {
  it("answer the same whether the history is walked or trade_search's candidates are looked up", async () => {
    // More trades match 'common' than COMMON_SEARCH_CANDIDATES, so it is walked; 'rare-7' is looked up.
    const batch = await insertStagedBatch(t.db.prisma, {
      name: "common",
      priority: 0,
      partner: "acme",
      rows: tradeRows(COMMON_SEARCH_CANDIDATES + 20, (i) => ({ clientId: `common-${i}`, reference: i % 1000 === 7 ? `rare-${i}` : null })),
    });
    await t.db.prisma
      .$executeRaw`UPDATE trade SET quote_id = 'Q-common-' || row_number WHERE batch_id = ${batch.id}::uuid AND row_number <= 3`;
    for (const [search, partner, count] of [
      ["common", null, COMMON_SEARCH_CANDIDATES + 1],
      ["COMMON-1000", "acme", 11],
      ["rare-", "acme", 11],
      ["rare-", "globex", 0],
      ["q-common-2", null, 1],
    ] as const) {
      const page = await pageTradeHistory(t.db.prisma, { first: 50, filter: { search }, partner });
      const pattern = containing(search);
      const want = await t.db.prisma.$queryRaw<{ id: string }[]>`
        SELECT trade.id::text AS id FROM trade JOIN batch ON batch.id = trade.batch_id
        WHERE (client_id ILIKE ${pattern} OR client_name ILIKE ${pattern} OR account_number ILIKE ${pattern}
               OR reference ILIKE ${pattern} OR quote_id ILIKE ${pattern} OR transaction_id ILIKE ${pattern})
          AND (${partner}::text IS NULL OR batch.partner = ${partner})
        ORDER BY trade.created_at DESC, coalesce(trade.row_number, 0) DESC, trade.id DESC LIMIT 51`;
      expect(
        page.rows.map((row) => row.id),
        search,
      ).toEqual(want.map((row) => row.id));
      expect(page.totalCount, search).toBe(count);
    }
  });
});

describe("the planner's statistics on the searched text (migration 20261129052000_search_lowered)", () => {
  it("tell it how many trades a search matches, on the expression the search writes", async () => {
    await insertStagedBatch(t.db.prisma, {
      name: "holdings",
      priority: 0,
      rows: tradeRows(5000, (i) => ({ clientName: `Client ${i} Holdings` })),
    });
    await t.db.prisma.$executeRaw`ANALYZE trade`;
    const [counted] = await t.db.prisma.$queryRaw<{ all: number; holdings: number }[]>`
      SELECT count(*)::int AS all, count(*) FILTER (WHERE client_name ILIKE '%holdings%')::int AS holdings FROM trade`;
    const { all, holdings } = counted!;
    const estimate = async (search: string) => {
      const [row] = await t.db.prisma.$queryRaw<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }[]>`
        EXPLAIN (FORMAT JSON) SELECT 1 FROM trade AS trade WHERE ${tradeMatchesSearch(search)}`;
      return row!["QUERY PLAN"][0].Plan["Plan Rows"];
    };
    // Without them the planner guesses from the pattern alone: a handful of rows, whatever the search.
    expect(holdings).toBeGreaterThan(all / 4);
    expect(await estimate("HOLDINGS")).toBeGreaterThan(holdings / 2);
    expect(await estimate("HOLDINGS")).toBeLessThan(holdings * 2);
    expect(await estimate("no such trade")).toBeLessThan(all / 100);
  });

  it("are on the same expression for the archive as for the hot trades", async () => {
    const rows = await t.db.prisma.$queryRaw<{ table: string; expression: string }[]>`
      SELECT stxrelid::regclass::text AS table, pg_get_statisticsobjdef_expressions(oid)::text AS expression
      FROM pg_statistic_ext WHERE stxname IN ('trade_search_text_stats', 'trade_archive_search_text_stats') ORDER BY 1`;
    expect(rows.map((row) => row.table)).toEqual(["trade", "trade_archive"]);
    expect(rows[1]!.expression).toBe(rows[0]!.expression);
  });
});

describe("migration 20261127200000_trade_search_table", () => {
  it("fills trade_search from the trades already there", async () => {
    // The migrations before this one, then trades, then this migration.
    const database = await databaseMigratedBefore("20261127200000_trade_search_table");
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`INSERT INTO batch (id, batch_uid, total_trades) VALUES ('00000000-0000-0000-0000-00000000000b', 'B-OLD', 2)`);
        await client.query(
          `INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency, buy_currency,
                              direction, amount, reference, quote_id, transaction_id)
           VALUES ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000b', 1, 'C-1', 'Old Client', '111',
                   'ZAR', 'USD', 'BUY', 1, 'INV-1', 'Q-OLD', 'T-OLD'),
                  ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000b', 2, 'C-2', NULL, '222',
                   'ZAR', 'USD', 'BUY', 1, NULL, NULL, NULL)`,
        );
        expect(await migrateFully(database)).toContain("20261127200000_trade_search_table");
        const { rows } = await client.query(`SELECT right(trade_id::text, 1) AS trade, field::text, text FROM trade_search ORDER BY 1, 2`);
        expect(rows).toEqual([
          { trade: "1", field: "INSTRUCTION", text: "C-1\nOld Client\n111\nINV-1" },
          { trade: "1", field: "QUOTE", text: "Q-OLD" },
          { trade: "1", field: "TRANSACTION", text: "T-OLD" },
          { trade: "2", field: "INSTRUCTION", text: "C-2\n222" },
        ]);
        const { rows: indexes } = await client.query(
          `SELECT indexname FROM pg_indexes WHERE tablename = 'trade' AND indexdef ILIKE '% USING gin %'`,
        );
        expect(indexes).toEqual([]);
      } finally {
        await client.end();
      }
    } finally {
      await database.drop();
    }
  });
});
