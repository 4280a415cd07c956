import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, type PrismaClient } from "../src/generated/prisma/client";
import type { Queryable } from "../src/queryable";
import type { TradeRow } from "../src/rows";
import { cancelClaimsOfCancellingBatches } from "../src/sql/batch-cancel";
import { analyzeTradesAfterStaging } from "../src/sql/cached-plans";
import { claimPendingTrades, releaseClaims, renewLeases } from "../src/sql/trade-claims";
import { markTradesQuoted, recordTradeOutcomes, requoteTrades } from "../src/sql/trade-results";
import { openTestDatabase, outcomeOf, quoteOf, setRunning, setTradeStatus, stageBatch, type TestContext, tradesOf } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

interface PlanNode {
  "Node Type": string;
  "Total Cost": number;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan, the root first. */
function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

/**
 * The plans of the statements `run` sends, as PostgreSQL makes them for the values given: each
 * statement is explained instead of run (EXPLAIN without ANALYZE executes nothing), so `run`
 * sees no rows back. `generic`: the plan a named statement may settle on after five calls
 * (Database.raw's), made for no values in particular (plan_cache_mode = force_generic_plan).
 */
async function plansOf(
  run: (db: Queryable & PrismaClient) => Promise<unknown>,
  on: TestContext = t,
  { generic = false } = {},
): Promise<PlanNode[][]> {
  const plans: Promise<PlanNode[]>[] = [];
  const explain = (query: Prisma.Sql) => {
    plans.push(
      generic
        ? genericPlanOf(on, query)
        : on.db.prisma
            .$queryRaw<{ "QUERY PLAN": [{ Plan: PlanNode }] }[]>(Prisma.sql`EXPLAIN (FORMAT JSON) ${query}`)
            .then(([row]) => nodesOf(row!["QUERY PLAN"][0].Plan)),
    );
    return Promise.resolve([]);
  };
  const explaining: Record<string, unknown> = {
    $transaction: (work: (tx: unknown) => Promise<unknown>) => work(explaining),
    $queryRaw: (strings: TemplateStringsArray, ...values: unknown[]) => explain(Prisma.sql(strings, ...(values as Prisma.Sql[]))),
    $executeRaw: (strings: TemplateStringsArray, ...values: unknown[]) =>
      explain(Prisma.sql(strings, ...(values as Prisma.Sql[]))).then(() => 0),
  };
  await run(explaining as unknown as Queryable & PrismaClient);
  return Promise.all(plans);
}

/** A statement's generic plan: prepared on a connection of its own, explained with its values written as literals. */
async function genericPlanOf(on: TestContext, query: Prisma.Sql): Promise<PlanNode[]> {
  const client = new pg.Client({ connectionString: on.database.url });
  await client.connect();
  try {
    const literal = (value: unknown): string => {
      if (value === null || value === undefined) return "NULL";
      if (value instanceof Date) return client.escapeLiteral(value.toISOString());
      if (!Array.isArray(value)) return client.escapeLiteral(String(value));
      const items = value.map((item) =>
        item === null ? "NULL" : `"${String(item instanceof Date ? item.toISOString() : item).replace(/(["\\])/g, "\\$1")}"`,
      );
      return client.escapeLiteral(`{${items.join(",")}}`);
    };
    await client.query("SET plan_cache_mode = force_generic_plan");
    await client.query(`PREPARE statement AS ${query.text}`);
    const { rows } = await client.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) EXECUTE statement(${query.values.map(literal).join(", ")})`,
    );
    return nodesOf(rows[0]!["QUERY PLAN"][0].Plan);
  } finally {
    await client.end();
  }
}

/** How each plan reads `trade`: "<node> <index>" for every scan of it. */
function tradeScans(plan: PlanNode[]): string[] {
  return plan
    .filter((node) => node["Relation Name"] === "trade" && node["Node Type"] !== "ModifyTable")
    .map((node) => `${node["Node Type"]} ${node["Index Name"] ?? ""}`.trim());
}

/**
 * Statistics taken while a batch is all PENDING (autovacuum's ANALYZE after a large staging) say
 * every trade is PENDING and none in flight, for as long as they stand. The runner's statements
 * must keep their plans through that (README, "What bounds the runner": such statistics made a
 * run 35% slower, then, with the first fix below only, still 40% more database CPU a trade).
 */
describe("plans under statistics taken while the batch was all PENDING", () => {
  let batchId: string;
  let executing: TradeRow[];
  let quoted: TradeRow[];

  beforeAll(async () => {
    const batch = await stageBatch(t.db, 10_000);
    batchId = batch.id;
    await setRunning(t.db.prisma, batch.id);
    await t.db.prisma.$executeRawUnsafe("ANALYZE trade");
    await claimPendingTrades(t.db.prisma, batch.id, 200);
    const claimed = (await tradesOf(t.db, batch.id)).filter((trade) => trade.status === "EXECUTING");
    expect(claimed).toHaveLength(200);
    await markTradesQuoted(
      t.db.prisma,
      claimed.slice(100).map((trade) => quoteOf(trade)),
    );
    const now = await tradesOf(t.db, batch.id);
    executing = now.filter((trade) => trade.status === "EXECUTING");
    quoted = now.filter((trade) => trade.status === "QUOTED");
    expect([executing.length, quoted.length]).toEqual([100, 100]);
    // Most of the rest ran, as far as the indexes can tell: three updates each, ending final.
    const ran = now
      .filter((trade) => trade.status === "PENDING")
      .slice(0, 4_000)
      .map((trade) => trade.id);
    for (const status of ["EXECUTING", "QUOTED", "SUCCESS"] as const) await setTradeStatus(t.db.prisma, ran, status);
  });

  /**
   * A claim reads the batch's PENDING trades in row order from trade_claim_order_idx. With
   * (batch_id, row_number) and a filter on status, which those statistics make look as cheap, each
   * claim read every trade the batch had run before its first PENDING one: more the further it ran.
   */
  it("a claim reads the PENDING trades' own index", async () => {
    const plans = await plansOf((db) => claimPendingTrades(db, batchId, 100));
    expect(plans).toHaveLength(1);
    expect(new Set(tradeScans(plans[0]!))).toEqual(new Set(["Index Scan trade_claim_order_idx", "Index Scan trade_pkey"]));
  });

  /*
   * The statements that move or hold trades named by id (a quote save, an outcome write, a requote,
   * a release, a lease renewal) find each by its primary key. The status guard they share matches
   * the in-flight index `(status, locked_at)`, which those statistics say is empty: planned over it,
   * each statement read every entry it holds, and without vacuum it holds one for every trade that
   * has passed through.
   */
  /** The trades under the keys they hold. */
  const held = (trades: readonly TradeRow[]) => trades.map((trade) => ({ id: trade.id, idempotencyKey: trade.idempotencyKey! }));
  const statements: [string, (db: Queryable & PrismaClient) => Promise<unknown>][] = [
    [
      "markTradesQuoted",
      (db) =>
        markTradesQuoted(
          db,
          executing.map((trade) => quoteOf(trade)),
        ),
    ],
    [
      "recordTradeOutcomes",
      (db) => recordTradeOutcomes(db, [...quoted.map((trade) => outcomeOf(trade, "book")), outcomeOf(executing[0]!, "refuseQuote")]),
    ],
    [
      "requoteTrades",
      (db) =>
        requoteTrades(
          db,
          held(quoted).map((claim) => ({ ...claim, errorMessage: "expired", bookingSentAt: null })),
        ),
    ],
    ["cancelClaimsOfCancellingBatches", (db) => cancelClaimsOfCancellingBatches(db, held(executing))],
    ["releaseClaims", (db) => releaseClaims(db, held(executing))],
    ["renewLeases", (db) => renewLeases(db, held(quoted))],
  ];

  it.each(statements)("%s reads each trade by its primary key", async (_, run) => {
    const plans = await plansOf(run);

    expect(plans).toHaveLength(1);
    expect(new Set(tradeScans(plans[0]!))).toEqual(new Set(["Index Scan trade_pkey"]));
  });

  /**
   * The runner sends the claim, the quote save and the outcome write as named statements
   * (Database.raw), and PostgreSQL may plan a named statement once for any values: those plans read
   * the same indexes.
   */
  it("the runner's named statements keep those plans when planned for any values", async () => {
    const generic = { generic: true };
    const claim = (db: Queryable) => claimPendingTrades(db, batchId, 100);
    const [[forValues], [forAny]] = [await plansOf(claim), await plansOf(claim, t, generic)];
    expect(tradeScans(forAny!)).toContain("Index Scan trade_claim_order_idx");
    // Planned for any values, its LIMIT $n is guessed at a tenth of the batch's PENDING trades, and
    // their update costs more than the plan made for the values given: PostgreSQL keeps planning
    // each claim for its values (a generic plan replaces custom ones only when it costs no more).
    expect(forAny![0]!["Total Cost"]).toBeGreaterThan(forValues![0]!["Total Cost"]);
    for (const [, run] of statements.filter(([name]) => name === "markTradesQuoted" || name === "recordTradeOutcomes")) {
      const plans = await plansOf(run, t, generic);
      expect(plans).toHaveLength(1);
      expect(new Set(tradeScans(plans[0]!))).toEqual(new Set(["Index Scan trade_pkey"]));
    }
  });
});

/**
 * A batch staged as the API stages it (analyzeTradesAfterStaging before stageBatch answers) is
 * claimed through trade_claim_order_idx whatever the statistics were before: none yet (a new
 * installation, or a server without autovacuum), or taken when every trade was final. With those
 * statistics as they were, the claim was planned for the handful of rows they promise and read and
 * sorted every PENDING trade of the batch on each call.
 */
describe("claims of a batch staged as the API stages it", () => {
  let own: TestContext;
  beforeAll(async () => {
    own = await openTestDatabase();
  });
  afterAll(() => own.close());

  const claimScans = async (batchId: string) => new Set(tradeScans((await plansOf((db) => claimPendingTrades(db, batchId, 100), own))[0]!));

  it("read the claim's index, into a table never analyzed and into one analyzed when every trade was final", async () => {
    const first = await stageBatch(own.db, 20_000);
    await setRunning(own.db.prisma, first.id);
    expect(await analyzeTradesAfterStaging(own.db.prisma, first.totalTrades)).toBe(true);
    expect(await claimScans(first.id)).toEqual(new Set(["Index Scan trade_claim_order_idx", "Index Scan trade_pkey"]));

    // The batch ran, then the statistics were renewed (autovacuum's ANALYZE), then another was staged.
    const ids = (await tradesOf(own.db, first.id)).map((trade) => trade.id);
    for (const status of ["EXECUTING", "QUOTED", "SUCCESS"] as const) await setTradeStatus(own.db.prisma, ids, status);
    await own.db.prisma.$executeRawUnsafe("ANALYZE trade");
    const second = await stageBatch(own.db, 20_000);
    await setRunning(own.db.prisma, second.id);
    expect(await analyzeTradesAfterStaging(own.db.prisma, second.totalTrades)).toBe(true);
    expect(await claimScans(second.id)).toEqual(new Set(["Index Scan trade_claim_order_idx", "Index Scan trade_pkey"]));
  });
});
