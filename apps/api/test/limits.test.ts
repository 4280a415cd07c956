import { type DocumentNode, parse, print } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as dashboard from "../../web/src/gql/graphql";
import { QUERY_LIMITS, validateOperation } from "../src/graphql/limits";
import { buildSchema } from "../src/graphql/schema";
import { type GraphQLResponse, STAGE, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Depth, alias, token, directive and cost limits: the security review's queries are refused
 * before execution over HTTP and over the WebSocket, and nothing legitimate is.
 */

type GraphQLErrors = NonNullable<GraphQLResponse<unknown>["errors"]>;

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
let batchId: string;
beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url);
  batchId = (await stage(app, tradesCsv(3))).id;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The security review's 287-byte query: batch → trades(first: 100) → batch → trades …, five hops. */
function nestedQuery(hops = 5): string {
  let selection = "id";
  for (let i = 0; i < hops; i++) selection = `batch { trades(first: 100) { edges { node { ${selection} } } } }`;
  return `query($id: ID!) { batch(id: $id) { trades(first: 100) { edges { node { ${selection} } } } } }`;
}

const PAGE = "trades(first: 100) { totalCount edges { node { id } } }";
const aliased = (count: number, selection = `batch(id: $id) { ${PAGE} }`) =>
  `query($id: ID!) { ${Array.from({ length: count }, (_, i) => `a${i}: ${selection}`).join(" ")} }`;

/** The errors a subscribe over graphql-ws ends with (none if it completes). */
async function wsErrors(query: string, variables: Record<string, unknown>): Promise<GraphQLErrors> {
  try {
    await app.collect(query, variables).done;
    return [];
  } catch (error) {
    return JSON.parse((error as Error).message) as GraphQLErrors;
  }
}

/** The errors of an operation over HTTP, its status and its data. */
async function httpErrors(query: string, variables: Record<string, unknown> = { id: batchId }) {
  const response = await fetch(app.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${app.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<unknown>;
  return { status: response.status, errors: body.errors ?? [], data: body.data };
}

describe("the security review's queries", () => {
  const attacks = [
    {
      name: "five hops of nested trades",
      query: () => nestedQuery(5),
      code: "GRAPHQL_VALIDATION_FAILED",
      messages: [/^Query depth limit of 6 exceeded, found 25\./, /^Query Cost limit of 20000 exceeded/],
    },
    // Refused by its size before any other limit is even looked at.
    {
      name: "1,000 aliases of trades(first: 100)",
      query: () => aliased(1000),
      code: "GRAPHQL_PARSE_FAILED",
      messages: [/more tha[nt] 2000 tokens/],
    },
  ];

  // Refused before anything runs: each code is one that parsing or validation gives, and HTTP answers
  // 400 with no data, as Apollo does only for an operation it did not execute. Cheaply: the CPU this
  // process (the API and its client) spends on both refusals, which a busy machine does not inflate
  // as it does the wall clock (1 s bounds on the wall clock failed at load average 20).
  it("are refused over HTTP and the WebSocket before anything runs, without the heap growing, and the server stays up", async () => {
    expect(nestedQuery(5).length).toBeLessThan(400);
    const heapBefore = process.memoryUsage().heapUsed;
    for (const attack of attacks) {
      const cpuBefore = process.cpuUsage();
      const http = await httpErrors(attack.query());
      expect(http.status).toBe(400);
      expect(http.data ?? null).toBeNull();
      expect(http.errors.map((error) => error.extensions?.code)).toEqual(attack.messages.map(() => attack.code));
      attack.messages.forEach((message, i) => void expect(http.errors[i]?.message).toMatch(message));

      const ws = await wsErrors(attack.query(), { id: batchId });
      const cpu = process.cpuUsage(cpuBefore);
      // 80 and 154 ms measured (load 6); a validation rule that blew up on these would take seconds.
      expect((cpu.user + cpu.system) / 1_000, `${attack.name}: CPU milliseconds`).toBeLessThan(1_000);
      expect(ws.map((error) => error.extensions?.code)).toEqual(attack.messages.map(() => attack.code));
      attack.messages.forEach((message, i) => void expect(ws[i]?.message).toMatch(message));
    }
    const grownMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
    expect(grownMb).toBeLessThan(50);
    const health = await fetch(new URL("/health", app.url));
    expect(await health.json()).toEqual({ status: "ok" });
  });

  it("the 1,000-alias query would be refused by the alias and cost limits too, were it under the token limit", () => {
    const errors = validateOperation(buildSchema(), parse(aliased(1000), { maxTokens: 100_000 }));
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^Aliases limit of 15 exceeded, found 1000\./),
      expect.stringMatching(/^Query Cost limit of 20000 exceeded, found 2158250\./),
    ]);
  });
});

describe("each limit", () => {
  const cases = [
    {
      limit: "depth",
      // batch → trades → edges → node → batch → id is 6 levels; one more is 7.
      under: `query($id: ID!) { batch(id: $id) { trades(first: 5) { edges { node { batch { id } } } } } }`,
      over: `query($id: ID!) { batch(id: $id) { trades(first: 5) { edges { node { batch { trades(first: 1) { totalCount } } } } } } }`,
      message: "Query depth limit of 6 exceeded, found 7.",
    },
    {
      limit: "aliases",
      under: aliased(QUERY_LIMITS.maxAliases, "batch(id: $id) { id }"),
      over: aliased(QUERY_LIMITS.maxAliases + 1, "batch(id: $id) { id }"),
      message: "Aliases limit of 15 exceeded, found 16.",
    },
    {
      limit: "directives",
      under: `query($id: ID!) { batch(id: $id) { ${"id @include(if: true) ".repeat(QUERY_LIMITS.maxDirectives)} } }`,
      over: `query($id: ID!) { batch(id: $id) { ${"id @include(if: true) ".repeat(QUERY_LIMITS.maxDirectives + 1)} } }`,
      message: "Directives limit of 10 exceeded, found 11.",
    },
    {
      limit: "cost",
      // Each `batch { trades(first: 100) { totalCount edges { node { id } } } }` costs about 2,160:
      // nine of them (about 19,400) are under the limit, ten (about 21,600) over it.
      under: aliased(9),
      over: aliased(10),
      message: "Query Cost limit of 20000 exceeded, found 21582.5.",
    },
    {
      limit: "tokens",
      // `{ batches ( first : 1 filter : { status : [` is 12 tokens and `] } ) { totalCount } }` 7;
      // a long literal list rather than repeated fields, which graphql's own validation refuses.
      under: `{ batches(first: 1, filter: { status: [${"PENDING ".repeat(QUERY_LIMITS.maxTokens - 19)}] }) { totalCount } }`,
      over: `{ batches(first: 1, filter: { status: [${"PENDING ".repeat(QUERY_LIMITS.maxTokens - 18)}] }) { totalCount } }`,
      message: /^Syntax Error: Document contains more tha[nt] 2000 tokens\. Parsing aborted\.$/,
      code: "GRAPHQL_PARSE_FAILED",
    },
  ];

  for (const { limit, under, over, message, code = "GRAPHQL_VALIDATION_FAILED" } of cases) {
    it(`${limit}: a query at the limit runs, one past it is refused with ${code} on both transports`, async () => {
      const passed = await httpErrors(under);
      expect(passed.errors).toEqual([]);
      expect(passed.data).toBeTruthy();
      expect(await wsErrors(under, { id: batchId })).toEqual([]);

      const refused = await httpErrors(over);
      expect(refused.status).toBe(400);
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors).toHaveLength(1);
      expect(refused.errors[0]).toMatchObject({ extensions: { code } });
      expect(refused.errors[0]?.message).toMatch(message);

      const ws = await wsErrors(over, { id: batchId });
      expect(ws).toHaveLength(1);
      expect(ws[0]).toMatchObject({ extensions: { code } });
      expect(ws[0]?.message).toMatch(message);
    });
  }
});

describe("legitimate operations", () => {
  const schema = buildSchema();
  const documents = Object.entries(dashboard).filter(([name]) => name.endsWith("Document")) as [string, DocumentNode][];

  it("every dashboard operation passes every limit", () => {
    expect(documents.length).toBeGreaterThanOrEqual(15);
    for (const [name, document] of documents) expect(validateOperation(schema, document), name).toEqual([]);
  });

  it("the dashboard's deepest queries run over HTTP, and its subscriptions start over the WebSocket", async () => {
    const trades = await httpErrors(print(dashboard.BatchTradesDocument), { id: batchId, first: 100 });
    expect(trades.errors).toEqual([]);
    const history = await httpErrors(print(dashboard.TradeHistoryDocument), { first: 100, filter: { batchId } });
    expect(history.errors).toEqual([]);
    // The feed's first event says it is listening: no batch need be staged for it.
    const feed = app.collect<{ batchFeed: { kind: string } }>(print(dashboard.BatchFeedDocument), {}, () => true);
    expect((await feed.done).map((event) => event.batchFeed.kind)).toEqual(["LISTENING"]);
  });

  it("a page of 100 trades with every field, written as trades(first: 100), runs", async () => {
    const query = `query($id: ID!) { batch(id: $id) { id trades(first: 100) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
      id rowNumber clientId clientName accountNumber sellCurrency buyCurrency direction amount valueDate reference status
      quoteId rate transactionId errorCode errorMessage attempts createdAt updatedAt history { number outcome } } } } } }`;
    const page = await httpErrors(query);
    expect(page.errors).toEqual([]);
  });

  it("stageBatch with a 5 MB CSV in its variable stages: the CSV is one token however large", async () => {
    const csv = tradesCsv(90_000);
    expect(csv.length).toBeGreaterThan(5_000_000);
    const response = await app.request<{ stageBatch: { batch: { totalTrades: number } | null; errors: unknown[] } }>(STAGE, {
      input: { csv, allowDuplicate: true },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data?.stageBatch.errors).toEqual([]);
    expect(response.data?.stageBatch.batch?.totalTrades).toBe(90_000);
  });
});
