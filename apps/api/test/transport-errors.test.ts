import { openTcpProxy } from "@fxbt/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { activeUser, BATCH_FEED, gql, overSocket, type SocketClient, sleep, socketClient, subscribe, within } from "./access-fixtures";
import { eventually, metricsText, stage, startTestApp, type TestApp, testDatabase, tradesCsv, wsClient } from "./harness";

/**
 * One error format over every transport: what HTTP answers, the WebSocket answers too (masked
 * the same way, never internal text), every HTTP route answers JSON (never an HTML page), and a
 * browser page from another origin cannot open a socket.
 */
let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;
beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url);
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const wsUrl = () => app.url.replace("http", "ws");

/** Every message of one operation over a fresh graphql-ws socket (sending the app's key): its results, or the error it ended with. */
async function overWebSocket(query: string, variables: Record<string, unknown> = {}): Promise<unknown[]> {
  const client = wsClient(app.url, app.key);
  try {
    return await new Promise<unknown[]>((resolve) => {
      const received: unknown[] = [];
      client.subscribe(
        { query, variables },
        {
          next: (result) => void received.push(result),
          error: (error) => resolve([...received, { error }]),
          complete: () => resolve(received),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

const INTERNAL = /Prisma|prisma|Raw query|Code: `|invalid byte|0x00|stack|\.ts:/;

describe("errors over HTTP and over the WebSocket", () => {
  it("a NUL byte in a search gets the same clear answer on both, with no internal text", async () => {
    const query = `query($search: String) { batches(first: 5, filter: { search: $search }) { totalCount } }`;
    const variables = { search: "abc\u0000def" };
    const http = await app.request(query, variables);
    const [ws] = await overWebSocket(query, variables);
    expect(http.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(http)).not.toMatch(INTERNAL);
    expect(JSON.stringify(ws)).not.toMatch(INTERNAL);
    expect((ws as { errors?: unknown[] }).errors).toEqual(http.errors);
  });

  it("a forged cursor gets the same BAD_USER_INPUT on both, before it reaches the database", async () => {
    const cursor = Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", 0, "00000000-0000-4000-8000-000000000000\u0000"])).toString(
      "base64url",
    );
    const query = `query($after: String) { trades(first: 5, after: $after) { totalCount } }`;
    const http = await app.request(query, { after: cursor });
    const [ws] = await overWebSocket(query, { after: cursor });
    expect(http.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((ws as { errors?: unknown[] }).errors).toEqual(http.errors);
  });

  it("a cursor whose parts the database cannot hold (a date it cannot read, a number beyond its integers) is BAD_USER_INPUT on both", async () => {
    const batch = await stage(app, tradesCsv(1));
    const id = "00000000-0000-4000-8000-000000000000";
    const cursor = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");
    const cases: [string, Record<string, unknown>, unknown[]][] = [];
    const trades = `query($after: String) { trades(first: 5, after: $after) { totalCount } }`;
    for (const at of ["1", "Tuesday 1", "+275760-09-13T00:00:00.000Z", "0000-01-01T00:00:00.000Z"]) cases.push([trades, {}, [at, 0, id]]);
    for (const row of [1e10, -1e300]) cases.push([trades, {}, ["2026-01-01T00:00:00.000Z", row, id]]);
    const batches = `query($after: String, $field: BatchOrderField!) { batches(first: 5, after: $after, orderBy: { field: $field, direction: ASC }) { totalCount } }`;
    cases.push([batches, { field: "CREATED_AT" }, ["CREATED_AT", "1", id]]);
    cases.push([batches, { field: "PRIORITY" }, ["PRIORITY", 1e10, id]]);
    cases.push([batches, { field: "TOTAL_TRADES" }, ["TOTAL_TRADES", -1e12, id]]);
    const ofBatch = `query($id: ID!, $after: String) { batch(id: $id) { trades(first: 5, after: $after) { totalCount } } }`;
    cases.push([ofBatch, { id: batch.id }, [1e10, id]]);
    const audit = `query($after: String) { auditLog(first: 5, after: $after) { totalCount } }`;
    cases.push([audit, {}, ["2026-01-01T00:00:00.000Z", "9999999999999999999"]]);
    cases.push([audit, {}, ["1", "1"]]);
    cases.push([`query($after: String) { batchTemplates(first: 5, after: $after) { totalCount } }`, {}, ["a\u0000b"]]);
    for (const [query, variables, parts] of cases) {
      const sent = { ...variables, after: cursor(parts) };
      const http = await app.request(query, sent);
      const [ws] = await overWebSocket(query, sent);
      expect(http.errors?.[0]?.extensions, JSON.stringify(parts)).toEqual({ code: "BAD_USER_INPUT", argument: "after" });
      expect((ws as { errors?: unknown[] }).errors, JSON.stringify(parts)).toEqual(http.errors);
    }
  });

  it("a NUL in an audit actor, a trades errorCode or a sign-in email is BAD_USER_INPUT naming it, not an internal error", async () => {
    const batch = await stage(app, tradesCsv(1));
    const cases: [string, Record<string, unknown>, string][] = [
      [`query($actor: String) { auditLog(first: 5, filter: { actor: $actor }) { totalCount } }`, { actor: "a\u0000b" }, "filter.actor"],
      [
        `query($id: ID!, $code: String) { batch(id: $id) { trades(errorCode: $code) { totalCount } } }`,
        { id: batch.id, code: "a\u0000b" },
        "errorCode",
      ],
      [`mutation($email: String!) { signIn(email: $email, password: "whatever") { id } }`, { email: "a\u0000b@example.test" }, "email"],
    ];
    for (const [query, variables, argument] of cases) {
      const http = await app.request(query, variables);
      expect(http.errors?.[0]?.extensions, query).toEqual({ code: "BAD_USER_INPUT", argument });
      expect(http.errors?.[0]?.message, query).toMatch(/NUL/);
    }
  });

  it("a DateTime that is no date on the calendar, or before year 1, is BAD_USER_INPUT, not rolled over or an internal error", async () => {
    const query = `query($from: DateTime) { batches(first: 5, filter: { createdFrom: $from }) { totalCount } }`;
    for (const from of [
      "2026-02-30T00:00:00Z",
      "2026-04-31T10:00:00+02:00",
      "2026-01-01T24:00:00Z",
      "0000-01-01T00:00:00Z",
      "0001-01-01T00:30:00+01:00",
    ]) {
      const http = await app.request(query, { from });
      expect(http.errors?.[0]?.extensions?.code, from).toBe("BAD_USER_INPUT");
      expect(http.errors?.[0]?.message, from).toContain(from);
      const [ws] = await overWebSocket(query, { from });
      expect((ws as { error?: unknown[] }).error, from).toEqual(http.errors);
    }
    // On the calendar, seconds left out or not, whatever the sign of the zone.
    for (const from of ["2028-02-29T23:59:59.999+14:00", "2026-11-21T09:30Z", "2026-11-21T09:30+01:00", "2026-11-21T09:30-05:00"]) {
      expect((await app.request(query, { from })).errors, from).toBeUndefined();
    }
  });

  it("a variable of the wrong type answers the same BAD_USER_INPUT on both, naming the variable", async () => {
    const cases: [string, Record<string, unknown>][] = [
      [`query($first: Int) { batches(first: $first) { totalCount } }`, { first: "10" }],
      [`query($status: [BatchStatus!]) { batches(filter: { status: $status }) { totalCount } }`, { status: ["BOGUS"] }],
      [`query($id: ID!) { batch(id: $id) { id } }`, { id: { a: 1 } }],
      [`mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id } } }`, { input: { csv: "a", bogus: 1 } }],
    ];
    for (const [query, variables] of cases) {
      const http = await app.request(query, variables);
      const [ws] = await overWebSocket(query, variables);
      const variable = Object.keys(variables).at(-1);
      expect(http.errors?.[0]?.extensions?.code, query).toBe("BAD_USER_INPUT");
      expect(http.errors?.[0]?.message, query).toContain(`Variable "$${variable}"`);
      expect((ws as { error?: unknown[] }).error, query).toEqual(http.errors);
    }
    // A subscription's variables, which only the WebSocket serves.
    const [ws] = await overWebSocket(`subscription($id: ID!, $after: Int) { batchProgress(id: $id, afterSequence: $after) { sequence } }`, {
      id: "x",
      after: 1.5,
    });
    const [error] = (ws as { error: { message: string; extensions?: { code?: string } }[] }).error;
    expect(error?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(error?.message).toContain(`Variable "$after"`);
  });

  it("an operationName that names no operation of the document answers the same OPERATION_RESOLUTION_FAILURE on both", async () => {
    for (const [query, operationName] of [
      ["query A { me { kind } }", "C"],
      ["query A { me { kind } } query B { me { kind } }", undefined],
    ] as const) {
      const response = await fetch(app.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${app.key}` },
        body: JSON.stringify({ query, operationName }),
      });
      const http = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(http.errors?.[0]?.extensions?.code).toBe("OPERATION_RESOLUTION_FAILURE");
      const client = wsClient(app.url, app.key);
      try {
        const ws = await new Promise<unknown>((resolve) => {
          client.subscribe({ query, operationName }, { next: resolve, error: resolve, complete: () => resolve(null) });
        });
        expect(ws, query).toEqual(http.errors);
      } finally {
        await client.dispose();
      }
    }
  });

  it("an empty document answers the same BAD_REQUEST on both, not a parse failure over the WebSocket", async () => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${app.key}` },
      body: JSON.stringify({ query: "" }),
    });
    expect(response.status).toBe(400);
    const http = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(http.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    const [ws] = await overWebSocket("");
    expect((ws as { error?: unknown }).error).toEqual(http.errors);
  });

  it("a subscription sent over HTTP is refused as a bad request saying where subscriptions are served, with or without credentials", async () => {
    const batch = await stage(app, tradesCsv(1));
    for (const caller of [app, app.as(null)]) {
      const response = await fetch(app.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(caller.key ? { authorization: `Bearer ${caller.key}` } : {}) },
        body: JSON.stringify({ query: `subscription($id: ID!) { batchProgress(id: $id) { sequence } }`, variables: { id: batch.id } }),
      });
      const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
      expect(response.status).toBe(400);
      expect(body.errors?.[0]?.extensions).toEqual({ code: "BAD_REQUEST" });
      expect(body.errors?.[0]?.message).toMatch(/WebSocket/);
    }
  });

  it("a misspelt field answers GRAPHQL_VALIDATION_FAILED with the reason on both, not an internal error", async () => {
    const batch = await stage(app, tradesCsv(1));
    const subscription = `subscription($id: ID!) { batchProgress(id: $id) { batch { statuss } } }`;
    const [ws] = await overWebSocket(subscription, { id: batch.id });
    const wsErrors = (ws as { error: { message: string; extensions?: { code?: string } }[] }).error;
    expect(wsErrors[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(wsErrors[0]?.message).toMatch(/statuss/);
    const http = await app.request(`query($id: ID!) { batch(id: $id) { statuss } }`, { id: batch.id });
    expect(http.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("every HTTP route answers JSON", () => {
  it("malformed JSON, a bad %-escape and an unknown route get a JSON error, never an HTML page", async () => {
    const origin = app.url.replace("/graphql", "");
    const malformed = await fetch(app.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{ not json" });
    // With credentials: the bad escape, not their absence, is what must be answered.
    const badEscape = await fetch(`${origin}/export/batches/%E0%A4%A/trades.csv`, { headers: { authorization: `Bearer ${app.key}` } });
    const unknown = await fetch(`${origin}/nowhere`);
    for (const [response, status] of [
      [malformed, 400],
      [badEscape, 400],
      [unknown, 404],
    ] as const) {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/application\/json/);
      const body = await response.text();
      expect(body).not.toMatch(/<html|<pre|node_modules|\/work\//i);
      expect(JSON.parse(body).errors[0].extensions.code).toMatch(/BAD_REQUEST|NOT_FOUND/);
    }
  });

  it("a persisted-query extension (an unknown hash, or one that is not the query's) is answered PERSISTED_QUERY_NOT_SUPPORTED, not an internal error", async () => {
    for (const body of [
      { extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } },
      { query: "{ me { kind } }", extensions: { persistedQuery: { version: 1, sha256Hash: "abc" } } },
      { query: "{ me { kind } }", extensions: { persistedQuery: { version: 2, sha256Hash: "abc" } } },
    ]) {
      const response = await fetch(app.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${app.key}` },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { errors?: unknown[] };
      expect(answer, JSON.stringify(body)).toEqual({
        errors: [{ message: "PersistedQueryNotSupported", extensions: { code: "PERSISTED_QUERY_NOT_SUPPORTED" } }],
      });
      // The same over the socket (which needs a query to carry the extension at all), where nothing runs either.
      if (!body.query) continue;
      const client = wsClient(app.url, app.key);
      try {
        const ws = await new Promise<unknown>((resolve) => {
          client.subscribe(
            { query: body.query, extensions: body.extensions },
            { next: resolve, error: resolve, complete: () => resolve(null) },
          );
        });
        expect(ws, JSON.stringify(body)).toEqual(answer.errors);
      } finally {
        await client.dispose();
      }
    }
  });
});

describe("the WebSocket", () => {
  it("refuses a socket opened by a page of another origin, and accepts one from an allowed origin or no browser", async () => {
    const open = (headers: Record<string, string>) =>
      new Promise<number | "open">((resolve) => {
        const socket = new WebSocket(wsUrl(), "graphql-transport-ws", { headers });
        socket.once("open", () => {
          socket.close();
          resolve("open");
        });
        socket.once("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
        socket.once("error", () => resolve(0));
      });
    expect(await open({ origin: "http://evil.example" })).toBe(403);
    expect(await open({ origin: "http://localhost:3000" })).toBe("open");
    expect(await open({})).toBe("open");
  });

  it("refuses messages far larger than the HTTP body limit", async () => {
    const socket = new WebSocket(wsUrl(), "graphql-transport-ws");
    await new Promise((resolve) => socket.once("open", resolve));
    const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
    socket.send("x".repeat(64 * 1024 * 1024));
    expect(await closed).toBe(1009);
  });
});

describe("a socket that never sends connection_init", () => {
  // Above graphql-ws's own 3 s default, so a close no earlier than this proves the setting is used.
  const INIT_TIMEOUT_MS = 4_000;
  let quick: TestApp;
  beforeAll(async () => {
    quick = await startTestApp(db.url, { SOCKET_INIT_TIMEOUT_MS: String(INIT_TIMEOUT_MS) });
  });
  afterAll(async () => {
    await quick?.close();
  });

  it("is closed 4408 once SOCKET_INIT_TIMEOUT_MS has passed, not before", async () => {
    const openedBefore = performance.now();
    const socket = new WebSocket(quick.url.replace("http", "ws"), "graphql-transport-ws");
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
    const waited = performance.now() - openedBefore;
    expect(closed).toEqual({ code: 4408, reason: "Connection initialisation timeout" });
    // The server's timer starts after this socket was asked for, on the same monotonic clock
    // (one process); libuv counts whole milliseconds, hence the one.
    expect(waited).toBeGreaterThanOrEqual(INIT_TIMEOUT_MS - 1);
  });
});

describe("what is off unless configured", () => {
  it("introspection is refused over HTTP and over the WebSocket", async () => {
    const query = "{ __schema { queryType { name } } }";
    const http = await app.request(query);
    const [ws] = await overWebSocket(query);
    expect(http.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(JSON.stringify(ws)).toMatch(/GRAPHQL_VALIDATION_FAILED/);
    expect(JSON.stringify(ws)).toMatch(/introspection/i);
    expect((await app.request("{ __typename }")).data).toEqual({ __typename: "Query" });
  });

  it("/metrics answers only with its token", async () => {
    const url = app.url.replace("/graphql", "/metrics");
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect(await metricsText(app)).toMatch(/fxbt_runner_trades_in_flight/);
  });
});

describe("the database unreachable", () => {
  it("a socket is answered as HTTP is: SERVICE_UNAVAILABLE for an operation, a masked close at connection_init, never internal text", async () => {
    const cutDb = await testDatabase();
    const proxy = await openTcpProxy(new URL(cutDb.url));
    const viaProxy = new URL(cutDb.url);
    viaProxy.port = String(proxy.port);
    const cutApp = await startTestApp(viaProxy.toString());
    const sockets: SocketClient[] = [];
    try {
      const person = await activeUser(cutApp, "VIEWER");
      const before = socketClient(cutApp.url, { key: cutApp.key });
      sockets.push(before);
      // A live subscription keeps the socket open (the client is lazy).
      const feed = subscribe(before.client, BATCH_FEED);
      await eventually(async () => feed.events.length > 0);
      proxy.cut();
      const http = await cutApp.request(`{ batches(first: 1) { totalCount } }`);
      expect(http.errors?.[0]?.extensions?.code).toBe("SERVICE_UNAVAILABLE");

      // An operation on a socket already open: its caller cannot be read again, as over HTTP.
      const operation = await overSocket(before.client, `{ batches(first: 1) { totalCount } }`);
      expect(JSON.stringify(operation)).not.toMatch(INTERNAL);
      expect(operation).toMatchObject({ kind: "result", results: [{ errors: [{ extensions: { code: "SERVICE_UNAVAILABLE" } }] }] });
      // The socket and its other subscriptions stay: the database's return is all they wait for.
      expect(before.isClosed()).toBe(false);
      expect(await Promise.race([feed.ended, sleep(500).then(() => "open")])).toBe("open");

      // A new socket: its credentials cannot be checked, so it closes, saying only why in the API's words.
      const after = socketClient(cutApp.url, { key: cutApp.key });
      sockets.push(after);
      void overSocket(after.client, "{ me { kind } }");
      const closed = await within(after.closed, 30_000, "the socket opened during the cut");
      expect(closed.reason).not.toMatch(INTERNAL);
      expect(closed).toEqual({ code: 4500, reason: "The service cannot reach its database just now; try again in a moment" });

      // A person's session cannot be read either: the same answers, not a refusal of the session
      // (4401 sends the dashboard to its sign-in page) nor an internal error.
      const byCookie = await gql(cutApp.url, { cookie: person.cookie }, `{ batches(first: 1) { totalCount } }`);
      expect(byCookie.status).toBe(503);
      expect(byCookie.errors).toEqual([
        { message: "The service cannot reach its database just now; try again in a moment", extensions: { code: "SERVICE_UNAVAILABLE" } },
      ]);
      const browser = socketClient(cutApp.url, { cookie: person.cookie });
      sockets.push(browser);
      void overSocket(browser.client, "{ me { kind } }");
      expect(await within(browser.closed, 30_000, "the browser's socket opened during the cut")).toEqual(closed);
    } finally {
      await proxy.restore();
      await Promise.all(sockets.map((socket) => socket.dispose()));
      await cutApp.close();
      await proxy.close();
      await cutDb.drop();
    }
  }, 120_000);
});
