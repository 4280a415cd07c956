import type { TestDatabase } from "@fxbt/db/testing";
import { forbiddenReason, type Operation, roleAllows } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_FIELD_ACCESS } from "../src/graphql/authorization";
import { buildSchema } from "../src/graphql/schema";
import {
  activeUser,
  anotherSession,
  type Credentials,
  codeOf,
  createUser,
  GENEROUS_LIMITS,
  gql,
  type RoleName,
  type SocketClient,
  type SocketOutcome,
  sleep,
  socketClient,
  subscribe,
  unknownId,
} from "./access-fixtures";
import { stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Every role (and no credentials, and a wrong key) against every root field of the served
 * schema, over HTTP and over graphql-ws: UNAUTHENTICATED without credentials, FORBIDDEN below the
 * field's role, and through authorization at or above it. The field list comes from the schema,
 * so a field added without an entry in CALLS fails here.
 */

type RootType = "Query" | "Mutation" | "Subscription";

interface FieldCall {
  document: string;
  variables?: () => Record<string, unknown>;
  /**
   * What a caller that passed authorization gets with these arguments: no error (null), or the
   * code the operation itself answers (a made-up id is NOT_FOUND). For the live lists, "event":
   * a batch staged afterwards arrives.
   */
  passed: string | null | "event";
}

const SIGN_IN_PASSWORD = "matrix-sign-in-password";
let signInEmail = "";

const CALLS: Record<RootType, Record<string, FieldCall>> = {
  Query: {
    me: { document: `{ me { kind role } }`, passed: null },
    batch: { document: `query($id: ID!) { batch(id: $id) { id } }`, variables: () => ({ id: unknownId() }), passed: null },
    batches: { document: `{ batches(first: 1) { totalCount } }`, passed: null },
    activeBatches: { document: `{ activeBatches { id } }`, passed: null },
    recentBatches: { document: `{ recentBatches(limit: 1) { id } }`, passed: null },
    batchResults: {
      document: `query($id: ID!) { batchResults(id: $id) { succeededTrades } }`,
      variables: () => ({ id: unknownId() }),
      passed: null,
    },
    trade: { document: `query($id: ID!) { trade(id: $id) { id } }`, variables: () => ({ id: unknownId() }), passed: null },
    trades: { document: `{ trades(first: 1) { totalCount } }`, passed: null },
    tradeVolume: { document: `{ tradeVolume { succeeded failed } }`, passed: null },
    users: { document: `{ users { id } }`, passed: null },
    apiKeys: { document: `{ apiKeys { id } }`, passed: null },
    auditLog: { document: `{ auditLog(first: 1) { totalCount } }`, passed: null },
    batchTemplates: { document: `{ batchTemplates(first: 1) { totalCount } }`, passed: null },
    batchTemplate: {
      document: `query($id: ID!) { batchTemplate(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: null,
    },
  },
  Mutation: {
    signIn: {
      document: `mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { kind } }`,
      variables: () => ({ email: signInEmail, password: SIGN_IN_PASSWORD }),
      passed: null,
    },
    signOut: { document: `mutation { signOut }`, passed: null },
    changePassword: {
      document: `mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { kind } }`,
      variables: () => ({ c: "not-the-current-password", n: "a-new-password-long-enough" }),
      passed: "BAD_USER_INPUT",
    },
    stageBatch: {
      document: `mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id } errors { message } } }`,
      variables: () => ({ input: { csv: "not a trades file" } }),
      passed: null,
    },
    createTrade: {
      document: `mutation($input: CreateTradeInput!) { createTrade(input: $input) { trade { id } errors { field message } } }`,
      variables: () => ({ input: { clientId: "", batchId: unknownId() } }),
      passed: null,
    },
    startBatch: {
      document: `mutation($id: ID!) { startBatch(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    approveBatch: {
      document: `mutation($id: ID!) { approveBatch(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    cancelBatch: {
      document: `mutation($id: ID!) { cancelBatch(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    retryFailedTrades: {
      document: `mutation($id: ID!) { retryFailedTrades(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    deleteBatch: { document: `mutation($id: ID!) { deleteBatch(id: $id) }`, variables: () => ({ id: unknownId() }), passed: "NOT_FOUND" },
    archiveBatch: {
      document: `mutation($id: ID!) { archiveBatch(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    createUser: {
      document: `mutation($input: CreateUserInput!) { createUser(input: $input) { oneTimePassword } }`,
      variables: () => ({ input: { email: "not an email", role: "VIEWER" } }),
      passed: "BAD_USER_INPUT",
    },
    updateUser: {
      document: `mutation($input: UpdateUserInput!) { updateUser(input: $input) { id } }`,
      variables: () => ({ input: { id: unknownId(), role: "VIEWER" } }),
      passed: "NOT_FOUND",
    },
    resetPassword: {
      document: `mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    createApiKey: {
      document: `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
      variables: () => ({ input: { role: "VIEWER", partner: "not a partner!" } }),
      passed: "BAD_USER_INPUT",
    },
    revokeApiKey: {
      document: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    saveBatchTemplate: {
      document: `mutation($input: SaveBatchTemplateInput!) { saveBatchTemplate(input: $input) { id } }`,
      variables: () => ({ input: { batchId: unknownId(), name: "matrix", includeRows: true } }),
      passed: "NOT_FOUND",
    },
    renameBatchTemplate: {
      document: `mutation($id: ID!) { renameBatchTemplate(id: $id, name: "matrix") { id } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    deleteBatchTemplate: {
      document: `mutation($id: ID!) { deleteBatchTemplate(id: $id) }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    stageBatchFromTemplate: {
      document: `mutation($input: StageBatchFromTemplateInput!) { stageBatchFromTemplate(input: $input) { batch { id } } }`,
      variables: () => ({ input: { templateId: unknownId() } }),
      passed: "NOT_FOUND",
    },
  },
  Subscription: {
    batchProgress: {
      document: `subscription($id: ID!) { batchProgress(id: $id) { batch { id } } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    tradeStatusChanged: {
      document: `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id } } }`,
      variables: () => ({ id: unknownId() }),
      passed: "NOT_FOUND",
    },
    batchesChanged: { document: `subscription { batchesChanged { id } }`, passed: "event" },
    batchListChanged: { document: `subscription { batchListChanged { kind batch { id } } }`, passed: "event" },
    batchFeed: { document: `subscription { batchFeed { kind batch { id } } }`, passed: "event" },
  },
};

/** The fields the served schema has, per root type. */
function servedFields(): Record<RootType, string[]> {
  const schema = buildSchema();
  return {
    Query: Object.keys(schema.getQueryType()!.getFields()).sort(),
    Mutation: Object.keys(schema.getMutationType()!.getFields()).sort(),
    Subscription: Object.keys(schema.getSubscriptionType()!.getFields()).sort(),
  };
}

type PrincipalName = "none" | "wrong key" | `${RoleName} key` | `${RoleName} user` | "acme TRADER key";

interface Principal {
  name: PrincipalName;
  kind: "none" | "wrongKey" | "API_KEY" | "USER";
  role: RoleName | null;
  partner: string | null;
  credentials: Credentials;
  /** A user's email and password, for a fresh session when a call would end this one. */
  user?: { email: string; password: string };
}

const NO_CREDENTIALS_MESSAGE = "sign in, or send an API key as 'Authorization: Bearer <key>'";
const WRONG_KEY_MESSAGE = "the API key is not valid (wrong, revoked, or not sent as 'Bearer <key>')";

type Expected = { code: null | "event"; message?: undefined } | { code: string; message?: string } | { closed: number };

/** What a principal must get from a field over a transport, from ROOT_FIELD_ACCESS and the domain's roleAllows. */
function expected(principal: Principal, type: RootType, field: string, transport: "http" | "ws"): Expected {
  if (transport === "ws" && (principal.kind === "none" || principal.kind === "wrongKey")) return { closed: 4401 };
  if (principal.kind === "wrongKey") return { code: "UNAUTHENTICATED", message: WRONG_KEY_MESSAGE };
  const access = ROOT_FIELD_ACCESS[type]![field]!;
  const call = CALLS[type][field]!;
  const passed: Expected =
    transport === "ws" && (field === "signIn" || field === "signOut")
      ? { code: "BAD_USER_INPUT", message: `${field} works over HTTP only: the session lives in a cookie` }
      : { code: call.passed };
  if (access === "public") return passed;
  if (principal.kind === "none") return { code: "UNAUTHENTICATED", message: NO_CREDENTIALS_MESSAGE };
  if (access === "signedIn") {
    // Only a person has a password: the service refuses a key after authorization let it through.
    if (field === "changePassword" && principal.kind === "API_KEY") {
      return { code: "FORBIDDEN", message: "only a signed-in person has a password to change" };
    }
    return passed;
  }
  const operation = access as Operation;
  // The principal as the domain sees it (a non-literal: forbiddenReason reads what it needs).
  const who = { role: principal.role!, partner: principal.partner };
  if (!roleAllows(principal.role!, operation)) return { code: "FORBIDDEN", message: forbiddenReason(who, operation) };
  return passed;
}

let db: TestDatabase;
let app: TestApp;
const principals: Principal[] = [];

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, GENEROUS_LIMITS);
  signInEmail = (await createUser(app, { role: "VIEWER", password: SIGN_IN_PASSWORD, label: "matrix-sign-in" })).email;
  principals.push({ name: "none", kind: "none", role: null, partner: null, credentials: {} });
  principals.push({ name: "wrong key", kind: "wrongKey", role: null, partner: null, credentials: { key: `fxbt_${"x".repeat(43)}` } });
  // A partner's key: the same roles apply (its batches are another matter: access-tenancy.test.ts).
  principals.push({
    name: "acme TRADER key",
    kind: "API_KEY",
    role: "TRADER",
    partner: "acme",
    credentials: { key: await app.createKey("TRADER", "acme") },
  });
  for (const role of ["VIEWER", "TRADER", "ADMIN"] as const) {
    principals.push({ name: `${role} key`, kind: "API_KEY", role, partner: null, credentials: { key: await app.createKey(role) } });
    const user = await activeUser(app, role, { label: `matrix-${role.toLowerCase()}` });
    principals.push({
      name: `${role} user`,
      kind: "USER",
      role,
      partner: null,
      credentials: { cookie: user.cookie },
      user: { email: user.email, password: user.password },
    });
  }
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const PRINCIPAL_NAMES: PrincipalName[] = [
  "none",
  "wrong key",
  "VIEWER key",
  "VIEWER user",
  "TRADER key",
  "TRADER user",
  "ADMIN key",
  "ADMIN user",
  "acme TRADER key",
];
const principal = (name: PrincipalName) => principals.find((candidate) => candidate.name === name)!;

/** Every (root type, field) pair the schema serves, as the matrix's rows. */
const rows = (types: RootType[]) => types.flatMap((type) => Object.keys(CALLS[type]).map((field) => [type, field] as [RootType, string]));

describe("the matrix covers the served schema", () => {
  it("has a call for every root field the schema serves, and nothing else", () => {
    const served = servedFields();
    for (const type of ["Query", "Mutation", "Subscription"] as const) {
      expect(Object.keys(CALLS[type]).sort(), type).toEqual(served[type]);
      expect(Object.keys(ROOT_FIELD_ACCESS[type]!).sort(), type).toEqual(served[type]);
    }
  });

  it("the table asks for what the schema documents: signIn and me need nothing, the rest a role", () => {
    const publicFields = Object.entries(ROOT_FIELD_ACCESS).flatMap(([type, fields]) =>
      Object.entries(fields)
        .filter(([, access]) => access === "public")
        .map(([field]) => `${type}.${field}`),
    );
    expect(publicFields.sort()).toEqual(["Mutation.signIn", "Mutation.signOut", "Query.me"]);
    expect(ROOT_FIELD_ACCESS.Mutation!.deleteBatch).toBe("delete");
    expect(roleAllows("TRADER", "delete")).toBe(false);
    expect(roleAllows("VIEWER", "read")).toBe(true);
    expect(roleAllows("VIEWER", "stage")).toBe(false);
  });
});

/** Checks an answer's errors against what was expected. */
function check(answer: { data?: unknown; errors?: { message: string; extensions?: { code?: unknown } }[] }, want: Expected, label: string) {
  if ("closed" in want) throw new Error(`${label}: expected a closed socket, got an answer ${JSON.stringify(answer)}`);
  if (want.code === null) {
    expect(answer.errors, label).toBeUndefined();
    expect(answer.data, label).toBeTruthy();
    return;
  }
  expect(codeOf(answer), `${label}: ${JSON.stringify(answer.errors)}`).toBe(want.code);
  expect(answer.errors, label).toHaveLength(1);
  if (want.message) expect(answer.errors![0]!.message, label).toBe(want.message);
}

describe.each(PRINCIPAL_NAMES)("over HTTP, as %s", (name) => {
  it.each(rows(["Query", "Mutation"]))("%s.%s", async (type, field) => {
    const who = principal(name);
    const call = CALLS[type][field]!;
    // signIn and signOut replace or end the session they come with: a user sends a second one of theirs.
    const credentials =
      who.user && (field === "signIn" || field === "signOut") ? { cookie: await anotherSession(app, who.user) } : who.credentials;
    const answer = await gql(app.url, credentials, call.document, call.variables?.() ?? {});
    const want = expected(who, type, field, "http");
    check(answer, want, `${name} ${type}.${field}`);
    // Errors of an operation are GraphQL answers: HTTP 200, the code in extensions.
    expect(answer.status, `${name} ${type}.${field}`).toBe(200);
  });

  it("me answers who the caller is, or null without credentials", async () => {
    const who = principal(name);
    const answer = await gql<{ me: { kind: string; role: string } | null }>(app.url, who.credentials, `{ me { kind role } }`);
    if (who.kind === "wrongKey") return expect(codeOf(answer)).toBe("UNAUTHENTICATED");
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.me).toEqual(who.kind === "none" ? null : { kind: who.kind, role: who.role });
  });
});

/** Runs one operation over a socket; live lists are fed batches until one arrives. */
async function overTheSocket(
  socket: SocketClient,
  who: Principal,
  type: RootType,
  field: string,
): Promise<SocketOutcome<Record<string, unknown>>> {
  const call = CALLS[type][field]!;
  const live = subscribe(socket.client, call.document, call.variables?.() ?? {});
  if (call.passed !== "event") return live.ended;
  // A live list answers nothing until a batch changes: stage one at a time until an event arrives or the subscription ends.
  let ended: SocketOutcome<Record<string, unknown>> | undefined;
  void live.ended.then((outcome) => {
    ended = outcome;
  });
  for (let attempt = 0; attempt < 50; attempt++) {
    await sleep(100);
    if (ended) return ended;
    if (live.events.length > 0) {
      live.stop();
      return { kind: "result", results: [...live.events] };
    }
    // A partner sees only its own batches: it stages the probes itself.
    await stage(who.partner ? app.as(who.credentials.key!) : app, tradesCsv(1));
  }
  live.stop();
  throw new Error(`${type}.${field}: neither an event nor an end in 5 s`);
}

describe.each(PRINCIPAL_NAMES)("over graphql-ws, as %s", (name) => {
  let socket: SocketClient;
  beforeAll(() => {
    socket = socketClient(app.url, principal(name).credentials);
  });
  afterAll(async () => {
    await socket?.dispose();
  });

  it.each(rows(["Query", "Mutation", "Subscription"]))("%s.%s", async (type, field) => {
    const who = principal(name);
    const want = expected(who, type, field, "ws");
    // A refused socket is closed: each operation then tries a socket of its own.
    const client = "closed" in want ? socketClient(app.url, who.credentials) : socket;
    try {
      const outcome = await overTheSocket(client, who, type, field);
      const label = `${name} ${type}.${field}`;
      if ("closed" in want) {
        expect(outcome, label).toMatchObject({ kind: "closed", code: want.closed });
        return;
      }
      expect(outcome.kind, `${label}: ${JSON.stringify(outcome)}`).toBe("result");
      const { results } = outcome as Extract<typeof outcome, { kind: "result" }>;
      expect(results.length, label).toBeGreaterThan(0);
      if (want.code === "event") {
        expect(results[0]!.errors, label).toBeUndefined();
        return;
      }
      check(results[0]!, want, label);
    } finally {
      if (client !== socket) await client.dispose();
    }
  });
});
