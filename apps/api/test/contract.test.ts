import { readFileSync } from "node:fs";
import {
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  type GraphQLSchema,
  getIntrospectionQuery,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  lexicographicSortSchema,
  parse,
  printSchema,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printServedSchema } from "../src/graphql/schema";
import { startTestApp, type TestApp, testDatabase } from "./harness";

const CONTRACT_SDL = readFileSync(new URL("../../../contract/api-contract.graphql", import.meta.url), "utf8");
const SERVED_SDL = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");

/**
 * Dangerous (non-breaking but behaviour-changing) differences that were reviewed and accepted,
 * keyed by graphql's description of the change. Empty: none is accepted today.
 */
const EXPLAINED_DANGEROUS_CHANGES: Record<string, string> = {
  "An optional field idempotencyKey on input type StageBatchInput was added.":
    "Optional, no default: a client that does not send it stages exactly as before.",
  "An optional field allowDuplicate on input type StageBatchInput was added.":
    "Defaults to false: a client that does not send it now has a repeat of a file staged in the last 7 days refused with a DUPLICATE_FILE row error, which is the point (it used to be booked twice).",
  "An optional arg afterSequence on Subscription.batchProgress was added.":
    "Optional, no default: without it the subscription starts with the current state and goes on live, exactly as before.",
  "An optional arg afterSequence on Subscription.tradeStatusChanged was added.":
    "Optional, no default: without it the subscription delivers changes from now on, exactly as before.",
  "An optional arg errorCodes on Mutation.retryFailedTrades was added.":
    "Optional, no default. Without it a retry now leaves permanent refusals (INVALID_ACCOUNT, VALUE_DATE_PASSED) FAILED and requeues the rest, which is the point: they used to run again only to be refused again. A batch with only permanent failures answers BAD_BATCH_STATE saying so.",
  "An optional arg tradeIds on Mutation.retryFailedTrades was added.":
    "Optional, no default: without it a retry chooses by error code, or the retryable failures, exactly as before.",
  "An optional arg errorCode on Batch.trades was added.": "Optional, no default: without it the trades are listed exactly as before.",
  "An optional field archived on input type BatchFilter was added.":
    "Optional, no default. Without it batches() lists the batches not archived, as it always listed every batch until archival (issue 10) moved old finished ones out of the default lists, which is the point; archived: true lists them, and batch(id:) reads any batch whatever the flag.",
};

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
let contract: GraphQLSchema;
let served: GraphQLSchema;

beforeAll(async () => {
  db = await testDatabase();
  // Introspection is off by default; this test is what it is for.
  app = await startTestApp(db.url, { GRAPHQL_INTROSPECTION: "true" });
  contract = buildSchema(CONTRACT_SDL);
  // What clients really see: the schema as introspected over HTTP.
  served = buildClientSchema(
    await app.query<IntrospectionQuery>(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true })),
  );
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe("served schema vs contract/api-contract.graphql", () => {
  it("has no breaking change", () => {
    const breaking = findBreakingChanges(contract, served).map((change) => `${change.type}: ${change.description}`);
    expect(breaking, `breaking changes against the contract:\n${breaking.join("\n")}`).toEqual([]);
  });

  it("has no dangerous change that is not explained", () => {
    const dangerous = findDangerousChanges(contract, served)
      .filter((change) => !(change.description in EXPLAINED_DANGEROUS_CHANGES))
      .map((change) => `${change.type}: ${change.description}`);
    expect(dangerous, `unexplained dangerous changes:\n${dangerous.join("\n")}`).toEqual([]);
  });

  it("contains every contract type, field, argument and enum value with the same types and defaults", () => {
    const problems: string[] = [];
    for (const type of Object.values(contract.getTypeMap())) {
      if (type.name.startsWith("__")) continue;
      const mine = served.getType(type.name);
      if (!mine) {
        problems.push(`type ${type.name} is missing`);
        continue;
      }
      if (mine.constructor !== type.constructor)
        problems.push(`type ${type.name} is a ${mine.constructor.name}, not a ${type.constructor.name}`);
      if (isEnumType(type) && isEnumType(mine)) {
        const values = new Set(mine.getValues().map((value) => value.name));
        for (const value of type.getValues())
          if (!values.has(value.name)) problems.push(`enum value ${type.name}.${value.name} is missing`);
      }
      if (isUnionType(type) && isUnionType(mine)) {
        const members = new Set(mine.getTypes().map((member) => member.name));
        for (const member of type.getTypes()) if (!members.has(member.name)) problems.push(`union ${type.name} lost ${member.name}`);
      }
      if (isInputObjectType(type) && isInputObjectType(mine)) {
        const fields = mine.getFields();
        for (const field of Object.values(type.getFields())) {
          const other = fields[field.name];
          if (!other) problems.push(`input field ${type.name}.${field.name} is missing`);
          else if (String(other.type) !== String(field.type))
            problems.push(`input field ${type.name}.${field.name}: ${String(other.type)}, contract says ${String(field.type)}`);
          else if (JSON.stringify(other.defaultValue) !== JSON.stringify(field.defaultValue))
            problems.push(`input field ${type.name}.${field.name} default changed`);
        }
        for (const field of Object.values(fields)) {
          if (!type.getFields()[field.name] && String(field.type).endsWith("!") && field.defaultValue === undefined) {
            problems.push(`input field ${type.name}.${field.name} is new and required`);
          }
        }
      }
      if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(mine) || isInterfaceType(mine))) {
        const fields = mine.getFields();
        for (const field of Object.values(type.getFields())) {
          const other = fields[field.name];
          const where = `${type.name}.${field.name}`;
          if (!other) {
            problems.push(`field ${where} is missing`);
            continue;
          }
          if (String(other.type) !== String(field.type))
            problems.push(`field ${where}: ${String(other.type)}, contract says ${String(field.type)}`);
          for (const arg of field.args) {
            const otherArg = other.args.find((candidate) => candidate.name === arg.name);
            if (!otherArg) problems.push(`argument ${where}(${arg.name}) is missing`);
            else if (String(otherArg.type) !== String(arg.type))
              problems.push(`argument ${where}(${arg.name}): ${String(otherArg.type)}, contract says ${String(arg.type)}`);
            else if (JSON.stringify(otherArg.defaultValue) !== JSON.stringify(arg.defaultValue)) {
              problems.push(
                `argument ${where}(${arg.name}) default ${JSON.stringify(otherArg.defaultValue)}, contract says ${JSON.stringify(arg.defaultValue)}`,
              );
            }
          }
          for (const arg of other.args) {
            if (
              !field.args.some((candidate) => candidate.name === arg.name) &&
              String(arg.type).endsWith("!") &&
              arg.defaultValue === undefined
            ) {
              problems.push(`argument ${where}(${arg.name}) is new and required`);
            }
          }
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });

  it("has the contract's root operation types", () => {
    expect(served.getQueryType()?.name).toBe(contract.getQueryType()?.name);
    expect(served.getMutationType()?.name).toBe(contract.getMutationType()?.name);
    expect(served.getSubscriptionType()?.name).toBe(contract.getSubscriptionType()?.name);
  });
});

describe("apps/api/schema.graphql, the committed full SDL", () => {
  it("parses and builds", () => {
    const document = parse(SERVED_SDL);
    expect(document.definitions.length).toBeGreaterThan(0);
    const schema = buildSchema(SERVED_SDL);
    expect(schema.getQueryType()?.name).toBe("Query");
    expect(schema.getMutationType()?.name).toBe("Mutation");
    expect(schema.getSubscriptionType()?.name).toBe("Subscription");
  });

  it("is exactly what the server serves, descriptions included (DateTime and Decimal scalar descriptions too)", () => {
    const fromFile = printSchema(lexicographicSortSchema(buildSchema(SERVED_SDL)));
    expect(printSchema(lexicographicSortSchema(served))).toBe(fromFile);
  });

  it("is current: `npm run schema:print -w @fxbt/api` rewrites it from the contract and extensions", () => {
    expect(SERVED_SDL).toBe(printServedSchema());
  });

  it("has no breaking change against the contract either", () => {
    const breaking = findBreakingChanges(contract, buildSchema(SERVED_SDL)).map((change) => change.description);
    expect(breaking).toEqual([]);
  });
});

describe("CSRF prevention and CORS", () => {
  const query = "{ __typename }";
  // Each request carries the app's key, so what refuses or accepts it is CSRF prevention and CORS, never missing credentials.
  const auth = () => ({ authorization: `Bearer ${app.key}` });

  it("refuses a GET query without a preflight header", async () => {
    const response = await fetch(`${app.url}?query=${encodeURIComponent(query)}`, { headers: auth() });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toMatch(/csrf|preflight/i);
    expect(text).not.toContain('"__typename"');
  });

  it("refuses a simple (text/plain) POST that a browser would send without preflight", async () => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "text/plain", ...auth() },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).not.toContain('"__typename"');
  });

  it("accepts a GET query with apollo-require-preflight", async () => {
    const response = await fetch(`${app.url}?query=${encodeURIComponent(query)}`, {
      headers: { "apollo-require-preflight": "true", ...auth() },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("accepts a POST with application/json", async () => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth() },
      body: JSON.stringify({ query }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });

  it("sends CORS headers to an allowed origin only", async () => {
    const post = (origin: string) =>
      fetch(app.url, {
        method: "POST",
        headers: { "content-type": "application/json", origin, ...auth() },
        body: JSON.stringify({ query }),
      });
    const allowed = await post("http://localhost:3000");
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(allowed.headers.get("access-control-allow-credentials")).toBe("true");

    const evil = await post("http://evil.example");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight for an allowed origin and not for another", async () => {
    const preflight = (origin: string) =>
      fetch(app.url, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type,authorization" },
      });
    const allowed = await preflight("http://localhost:3000");
    expect(allowed.status).toBeLessThan(300);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(allowed.headers.get("access-control-allow-methods") ?? "").toMatch(/POST/);
    expect(allowed.headers.get("access-control-allow-headers") ?? "").toMatch(/authorization/i);

    const evil = await preflight("http://evil.example");
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
  });
});
