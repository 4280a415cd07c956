import { FINAL_BATCH_STATUSES } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_FIELDS,
  type BatchFields,
  eventually,
  readSample,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";

/** A batch as BATCH_FIELDS selects it. */
type BatchNode = BatchFields;
interface Page<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** The domain's final statuses, as strings the API returns. */
const FINAL: readonly string[] = FINAL_BATCH_STATUSES;
const STATUS_ORDER = ["PENDING", "RUNNING", "SUCCESS", "PARTIAL_SUCCESS", "FAILED", "CANCELLED"];
const FIELDS = ["CREATED_AT", "UPDATED_AT", "STATUS", "TOTAL_TRADES", "PRIORITY"] as const;
const KEY: Record<(typeof FIELDS)[number], (batch: BatchNode) => number> = {
  CREATED_AT: (batch) => Date.parse(batch.createdAt),
  UPDATED_AT: (batch) => Date.parse(batch.updatedAt),
  STATUS: (batch) => STATUS_ORDER.indexOf(batch.status),
  TOTAL_TRADES: (batch) => batch.totalTrades,
  PRIORITY: (batch) => batch.priority,
};
const BATCHES = `query($first: Int, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {
  batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${BATCH_FIELDS} } } } }`;
const TRADES = `query($id: ID!, $first: Int, $after: String, $status: TradeStatus) { batch(id: $id) {
  trades(first: $first, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id rowNumber status batch { id batchUid } } } } } }`;

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
const staged: { id: string; name: string | null }[] = [];
let between3and4 = "";
let between5and6 = "";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function page(variables: Record<string, unknown>) {
  return (await app.query<{ batches: Page<BatchNode> }>(BATCHES, variables)).batches;
}

/** Every node of the list, page by page. */
async function walk(variables: Record<string, unknown>, first: number): Promise<BatchNode[]> {
  const nodes: BatchNode[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const result: Page<BatchNode> = await page({ ...variables, first, after });
    nodes.push(...result.edges.map((edge) => edge.node));
    expect(result.edges.length).toBeLessThanOrEqual(first);
    if (!result.pageInfo.hasNextPage) {
      expect(nodes.length, `nodes seen over all pages of ${first} vs totalCount`).toBe(result.totalCount);
      return nodes;
    }
    expect(result.edges).toHaveLength(first);
    expect(result.pageInfo.endCursor).toBe(result.edges.at(-1)!.cursor);
    after = result.pageInfo.endCursor;
  }
  throw new Error("pagination did not end");
}

async function searchNames(search: string): Promise<string[]> {
  return (await walk({ filter: { search } }, 100)).map((batch) => batch.id).sort();
}
const ids = (...indexes: number[]) => indexes.map((i) => staged[i]!.id).sort();

async function errorCode(query: string, variables: Record<string, unknown> = {}): Promise<string | undefined> {
  const response = await app.request(query, variables);
  expect(response.errors?.length, JSON.stringify(response)).toBeGreaterThan(0);
  return response.errors![0]!.extensions?.code;
}

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, { BANK_SIM_LATENCY_MS: "200", RUNNER_CONCURRENCY: "32" });
  const specs: [string | null, number, string][] = [
    ["Alpha Desk", 5, tradesCsv(3)],
    ["beta desk", 0, tradesCsv(1)],
    ["Gamma 100%_off", 5, tradesCsv(3)],
    ["Delta", -3, readSample("trades-small.csv")],
    ["alpha-2", 10, tradesCsv(2)],
    ["Gamma 1000 offers", 1, tradesCsv(4)],
    [null, 1, tradesCsv(2)],
  ];
  for (const [index, [name, priority, csv]] of specs.entries()) {
    if (index === 3 || index === 5) {
      await sleep(30);
      if (index === 3) between3and4 = new Date().toISOString();
      else between5and6 = new Date().toISOString();
      await sleep(30);
    }
    const batch = await stage(app, csv, name === null ? { priority } : { name, priority });
    staged.push({ id: batch.id, name });
  }
  // Different statuses: "beta desk" runs to its end, the unnamed one is cancelled.
  await app.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: staged[1]!.id });
  await app.query(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: staged[6]!.id });
  for (const i of [1, 6]) {
    await eventually(async () => {
      const { batch } = await app.query<{ batch: BatchNode }>(`query($id: ID!) { batch(id: $id) { status } }`, { id: staged[i]!.id });
      return FINAL.includes(batch.status);
    });
  }
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe("batches pagination", () => {
  for (const field of FIELDS) {
    for (const direction of ["ASC", "DESC"] as const) {
      it(`walks every page ordered by ${field} ${direction} without duplicates or gaps`, async () => {
        const orderBy = { field, direction };
        const all = await walk({ orderBy }, 100);
        expect(all.map((batch) => batch.id).sort()).toEqual(ids(0, 1, 2, 3, 4, 5, 6));
        for (const size of [1, 2, 3]) {
          const paged = await walk({ orderBy }, size);
          expect(new Set(paged.map((batch) => batch.id)).size).toBe(paged.length);
          // ties (same priority, same size, same status) come in the same order whatever the page size
          expect(
            paged.map((batch) => batch.id),
            `page size ${size}`,
          ).toEqual(all.map((batch) => batch.id));
        }
        // statuses in the order the schema declares them (PENDING … CANCELLED), like the database enum
        const sign = direction === "ASC" ? 1 : -1;
        const shown = all.map((batch) => `${batch.name}:${batch.status}:${batch.priority}:${batch.totalTrades}`).join(", ");
        for (let i = 1; i < all.length; i++) {
          expect(sign * (KEY[field](all[i]!) - KEY[field](all[i - 1]!)), `${field} ${direction} at ${i}: ${shown}`).toBeGreaterThanOrEqual(
            0,
          );
        }
      });
    }
  }

  it("defaults to newest first", async () => {
    const all = await walk({}, 3);
    expect(all.map((batch) => batch.id)).toEqual(staged.map((batch) => batch.id).reverse());
  });

  it("filters by a status list", async () => {
    expect((await walk({ filter: { status: ["PENDING"] } }, 2)).map((b) => b.id).sort()).toEqual(ids(0, 2, 3, 4, 5));
    const finished = await walk({ filter: { status: FINAL } }, 1);
    expect(finished.map((b) => b.id).sort()).toEqual(ids(1, 6));
    expect((await page({ first: 5, filter: { status: ["CANCELLED"] } })).edges.map((e) => e.node.id)).toEqual([staged[6]!.id]);
    expect((await page({ first: 5, filter: { status: ["RUNNING"] } })).totalCount).toBe(0);
  });

  it("filters by createdFrom and createdTo", async () => {
    expect((await walk({ filter: { createdFrom: between3and4 } }, 2)).map((b) => b.id).sort()).toEqual(ids(3, 4, 5, 6));
    expect((await walk({ filter: { createdTo: between5and6 } }, 2)).map((b) => b.id).sort()).toEqual(ids(0, 1, 2, 3, 4));
    const both = await page({ first: 10, filter: { createdFrom: between3and4, createdTo: between5and6 } });
    expect(both.totalCount).toBe(2);
    expect(both.edges.map((e) => e.node.id).sort()).toEqual(ids(3, 4));
  });

  it("searches batchUid and name case-insensitively", async () => {
    const { batch } = await app.query<{ batch: BatchNode }>(`query($id: ID!) { batch(id: $id) { batchUid } }`, { id: staged[3]!.id });
    expect(await searchNames(batch.batchUid.toLowerCase())).toEqual(ids(3));
    expect(await searchNames(batch.batchUid.slice(-6))).toEqual(ids(3));
    expect(await searchNames("ALPHA")).toEqual(ids(0, 4));
    expect(await searchNames("Desk")).toEqual(ids(0, 1));
    expect(await searchNames("no such batch")).toEqual([]);
    // Pages of one: each page's totalCount is the exact number of matches.
    expect((await walk({ filter: { search: "DESK" } }, 1)).map((b) => b.id).sort()).toEqual(ids(0, 1));
    // The id and the name are searched apart: nothing matches across them.
    expect(await searchNames(`${batch.batchUid}\nDelta`)).toEqual([]);
    expect(await searchNames(`${batch.batchUid.slice(-2)}\ndel`)).toEqual([]);
  });

  it("matches % and _ in a search literally", async () => {
    expect(await searchNames("100%")).toEqual(ids(2));
    expect(await searchNames("%")).toEqual(ids(2));
    expect(await searchNames("_off")).toEqual(ids(2));
    expect(await searchNames("1000")).toEqual(ids(5));
  });

  it("refuses page sizes outside 1..100 and a garbage cursor with BAD_USER_INPUT", async () => {
    for (const first of [0, 101, -1]) expect(await errorCode(BATCHES, { first }), `first: ${first}`).toBe("BAD_USER_INPUT");
    for (const limit of [0, 101]) {
      expect(await errorCode(`query($limit: Int) { recentBatches(limit: $limit) { id } }`, { limit }), `limit: ${limit}`).toBe(
        "BAD_USER_INPUT",
      );
    }
    expect(await errorCode(BATCHES, { first: 2, after: "garbage!" })).toBe("BAD_USER_INPUT");
    expect(await errorCode(TRADES, { id: staged[3]!.id, first: 2, after: "garbage!" })).toBe("BAD_USER_INPUT");
  });

  const forged = Buffer.from(JSON.stringify(["not-a-date", "not-a-uuid"])).toString("base64url");
  it("refuses a well-formed batches cursor carrying wrong values with BAD_USER_INPUT", async () => {
    expect(await errorCode(BATCHES, { first: 2, after: forged })).toBe("BAD_USER_INPUT");
  });

  it("refuses a well-formed Batch.trades cursor carrying wrong values with BAD_USER_INPUT", async () => {
    expect(await errorCode(TRADES, { id: staged[3]!.id, first: 2, after: forged })).toBe("BAD_USER_INPUT");
  });

  it("refuses a CREATED_AT cursor reused with the PRIORITY order with BAD_USER_INPUT", async () => {
    const createdAtCursor = (await page({ first: 1 })).pageInfo.endCursor;
    expect(await errorCode(BATCHES, { first: 2, after: createdAtCursor, orderBy: { field: "PRIORITY", direction: "DESC" } })).toBe(
      "BAD_USER_INPUT",
    );
  });
});

describe("single lookups and trades", () => {
  it("returns null for an unknown batch or trade id and for a malformed id", async () => {
    const data = await app.query<Record<string, unknown>>(`{
      a: batch(id: "00000000-0000-4000-8000-000000000000") { id } b: batch(id: "not-a-uuid") { id }
      c: trade(id: "00000000-0000-4000-8000-000000000000") { id } d: trade(id: "not-a-uuid") { id } }`);
    expect(data).toEqual({ a: null, b: null, c: null, d: null });
  });

  it("pages a batch's trades in row order, and each trade leads back to its batch", async () => {
    const nodes: { id: string; rowNumber: number; batch: { id: string } }[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const { batch }: { batch: { trades: Page<(typeof nodes)[number]> } } = await app.query(TRADES, {
        id: staged[3]!.id,
        first: 2,
        after,
      });
      expect(batch.trades.totalCount).toBe(6);
      expect(batch.trades.edges).toHaveLength(2);
      nodes.push(...batch.trades.edges.map((edge) => edge.node));
      if (!batch.trades.pageInfo.hasNextPage) break;
      after = batch.trades.pageInfo.endCursor;
      expect(pages).toBeLessThan(3);
    }
    expect(nodes.map((node) => node.rowNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(nodes.map((node) => node.id)).size).toBe(6);
    for (const node of nodes) expect(node.batch.id).toBe(staged[3]!.id);
    const { trade } = await app.query<{ trade: { id: string; rowNumber: number; batch: { id: string; name: string } } }>(
      `query($id: ID!) { trade(id: $id) { id rowNumber batch { id name } } }`,
      { id: nodes[4]!.id },
    );
    expect(trade).toEqual({ id: nodes[4]!.id, rowNumber: 5, batch: { id: staged[3]!.id, name: "Delta" } });
  });

  it("filters trades by status with a matching totalCount", async () => {
    const count = async (index: number, status: string) => {
      const { batch } = await app.query<{ batch: { trades: Page<{ status: string }> } }>(TRADES, {
        id: staged[index]!.id,
        first: 100,
        status,
      });
      for (const edge of batch.trades.edges) expect(edge.node.status).toBe(status);
      expect(batch.trades.totalCount).toBe(batch.trades.edges.length);
      return batch.trades.totalCount;
    };
    expect(await count(3, "PENDING")).toBe(6);
    expect(await count(3, "SUCCESS")).toBe(0);
    expect(await count(6, "CANCELLED")).toBe(2);
    expect(await count(6, "PENDING")).toBe(0);
    const finished = await Promise.all(["SUCCESS", "FAILED", "CANCELLED", "PENDING"].map((status) => count(1, status)));
    expect(finished[0]! + finished[1]!).toBe(1);
    expect(finished[2]! + finished[3]!).toBe(0);
  });
});

describe("activeBatches and recentBatches", () => {
  it("lists a started batch as active, then as the most recent finished one", async () => {
    const slow = await stage(app, tradesCsv(300), { name: "slow" });
    await app.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: slow.id });
    const { activeBatches } = await app.query<{ activeBatches: BatchNode[] }>(`{ activeBatches { ${BATCH_FIELDS} } }`);
    expect(activeBatches.map((batch) => batch.id)).toEqual([slow.id]);
    expect(["RUNNING", "PENDING"]).toContain(activeBatches[0]!.status);

    await eventually(async () => {
      const { batch } = await app.query<{ batch: BatchNode }>(`query($id: ID!) { batch(id: $id) { status } }`, { id: slow.id });
      return ["SUCCESS", "PARTIAL_SUCCESS", "FAILED"].includes(batch.status);
    }, 60_000);
    const after = await app.query<{ activeBatches: BatchNode[]; recentBatches: BatchNode[]; one: BatchNode[] }>(
      `{ activeBatches { id } recentBatches { ${BATCH_FIELDS} } one: recentBatches(limit: 1) { id } }`,
    );
    expect(after.activeBatches).toEqual([]);
    expect(after.recentBatches.map((batch) => batch.id).sort()).toEqual([slow.id, staged[1]!.id, staged[6]!.id].sort());
    expect(after.recentBatches[0]!.id).toBe(slow.id);
    expect(after.one.map((batch) => batch.id)).toEqual([slow.id]);
    const completed = after.recentBatches.map((batch) => Date.parse(batch.completedAt!));
    expect(completed).toEqual([...completed].sort((a, b) => b - a));
  }, 90_000);
});
