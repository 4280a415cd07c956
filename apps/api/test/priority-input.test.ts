import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import type { TestDatabase } from "@fxbt/db/testing";
import express from "express";
import { parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maskInternalErrors } from "../src/errors";
import { apolloQueryLimits, queryParseOptions } from "../src/graphql/limits";
import { priorityInputError, priorityInputGuard } from "../src/graphql/priority-input";
import { buildSchema } from "../src/graphql/schema";
import { startTestApp, type TestApp, testDatabase, wsClient } from "./harness";

/**
 * StageBatchInput.priority outside -1000..1000 is one BAD_USER_INPUT naming the field and the
 * range, over HTTP, whether the value is a literal (GraphQL's validation would refuse one beyond
 * 32 bits first), a variable, or inside the whole input variable: never "Int cannot represent …".
 * Served as the API serves /graphql (express.json, the guard, Apollo with the API's schema,
 * limits and error masking); no database: a priority that passes reaches the resolver, which
 * refuses a caller without credentials.
 */

const schema = buildSchema();
const RULE = "priority must be a whole number from -1000 to 1000";
let apollo: ApolloServer<object>;
let httpServer: http.Server;
let url: string;

beforeAll(async () => {
  apollo = new ApolloServer<object>({ schema, ...apolloQueryLimits, formatError: maskInternalErrors(() => undefined) });
  await apollo.start();
  const app = express();
  app.use(
    "/graphql",
    express.json(),
    priorityInputGuard(schema, queryParseOptions),
    expressMiddleware(apollo, { context: async () => ({ caller: null, credentialsProblem: null }) }),
  );
  httpServer = http.createServer(app);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await apollo?.stop();
  await new Promise((resolve) => httpServer?.close(resolve));
});

async function post(query: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

const literal = (priority: string) => `mutation { stageBatch(input: { csv: "a", priority: ${priority} }) { batch { id } } }`;
const WHOLE_INPUT = `mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id } } }`;
const ONE_FIELD = `mutation($p: Int) { stageBatch(input: { csv: "a", priority: $p }) { batch { id } } }`;

function expectPriorityError(answer: Awaited<ReturnType<typeof post>>, got: string) {
  expect(answer.status).toBe(400);
  expect(answer.body.errors).toEqual([{ message: `${RULE}, got ${got}`, extensions: { code: "BAD_USER_INPUT", field: "priority" } }]);
}

describe("a priority out of range, over HTTP", () => {
  it("as a literal, beyond 32 bits or not, and not a whole number", async () => {
    expectPriorityError(await post(literal("99999999999")), "99999999999");
    expectPriorityError(await post(literal("-99999999999999999999999")), "-99999999999999999999999");
    expectPriorityError(await post(literal("2147483648")), "2147483648");
    expectPriorityError(await post(literal("1001")), "1001");
    expectPriorityError(await post(literal("-1001")), "-1001");
    expectPriorityError(await post(literal("1.5")), "1.5");
    expectPriorityError(await post(literal('"5"')), '"5"');
    expectPriorityError(await post(literal("true")), "true");
  });

  it("in the whole input variable, as the dashboard sends it", async () => {
    expectPriorityError(await post(WHOLE_INPUT, { input: { csv: "a", priority: 99999999999 } }), "99999999999");
    expectPriorityError(await post(WHOLE_INPUT, { input: { csv: "a", priority: 5000 } }), "5000");
    expectPriorityError(await post(WHOLE_INPUT, { input: { csv: "a", priority: 2.5 } }), "2.5");
    expectPriorityError(await post(WHOLE_INPUT, { input: { csv: "a", priority: "7" } }), '"7"');
  });

  it("in a variable of its own", async () => {
    expectPriorityError(await post(ONE_FIELD, { p: 99999999999 }), "99999999999");
    expectPriorityError(await post(ONE_FIELD, { p: -1001 }), "-1001");
  });

  it("lets every priority in range, and none, through to the resolver", async () => {
    for (const [query, variables] of [
      [literal("1000"), undefined],
      [literal("-1000"), undefined],
      [literal("0"), undefined],
      [literal("null"), undefined],
      [`mutation { stageBatch(input: { csv: "a" }) { batch { id } } }`, undefined],
      [WHOLE_INPUT, { input: { csv: "a", priority: 7 } }],
      [WHOLE_INPUT, { input: { csv: "a" } }],
      [ONE_FIELD, { p: -1000 }],
      [ONE_FIELD, {}],
    ] as const) {
      const answer = await post(query, variables);
      expect(
        answer.body.errors?.map((error) => error.extensions?.code),
        query,
      ).toEqual(["UNAUTHENTICATED"]);
    }
  });

  it("leaves GraphQL's own answer to other Int arguments alone", async () => {
    const answer = await post(`query { batches(first: 99999999999) { totalCount } }`);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("priorityInputError", () => {
  it("finds the first priority out of range in any operation of the document", () => {
    const document = parse(`mutation A { stageBatch(input: { csv: "a", priority: 1 }) { errors { message } } }
      mutation B { stageBatch(input: { csv: "a", priority: 1001 }) { errors { message } } }`);
    expect(priorityInputError(schema, document)?.message).toBe(`${RULE}, got 1001`);
    expect(priorityInputError(schema, parse(literal("1")))).toBeNull();
  });

  it("looks only at StageBatchInput.priority", () => {
    // Batch.trades' first is an Int too; a sort on PRIORITY is no priority value.
    const document = parse(`query { batches(first: 5000, orderBy: { field: PRIORITY, direction: ASC }) { edges { node { priority } } } }`);
    expect(priorityInputError(schema, document)).toBeNull();
  });
});

describe("the API answers a priority out of range with that one error", () => {
  let db: TestDatabase;
  let api: TestApp;
  beforeAll(async () => {
    db = await testDatabase();
    api = await startTestApp(db.url);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it("over HTTP, a literal beyond 32 bits included", async () => {
    const answer = await api.request(literal("99999999999"));
    expect(answer).toEqual({
      errors: [{ message: `${RULE}, got 99999999999`, extensions: { code: "BAD_USER_INPUT", field: "priority" } }],
    });
  });

  it("over the WebSocket", async () => {
    const client = wsClient(api.url, api.key);
    const answer = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: WHOLE_INPUT, variables: { input: { csv: "a", priority: 99999999999 } } },
        { next: () => undefined, error: (error) => resolve(error), complete: () => resolve("completed") },
      );
    });
    await client.dispose();
    expect(answer).toEqual([{ message: `${RULE}, got 99999999999`, extensions: { code: "BAD_USER_INPUT", field: "priority" } }]);
  });
});
