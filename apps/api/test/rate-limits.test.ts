import { type Client, createClient } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { configFromEnv } from "../src/config";
import { DEFAULT_RATE_LIMITS } from "../src/rate-limits";
import { eventually, type GraphQLResponse, stage, startTestApp, type TestApp, testDatabase, tradesCsv, wsClient } from "./harness";

/**
 * Rate limits per principal and per IP (HTTP and graphql-ws subscribe), sign-in attempts per IP,
 * sockets per principal and subscriptions per socket, through the public surface, with small
 * limits set in the environment. Every client here is 127.0.0.1, so each per-IP budget gets an
 * app of its own.
 */

const ME = "{ me { id } }";
const PROGRESS = "subscription($id: ID!) { batchProgress(id: $id) { batch { id status } } }";

type Errors = NonNullable<GraphQLResponse<unknown>["errors"]>;

interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: GraphQLResponse<{ me: { id: string } | null }>;
}

/** A POST to /graphql with this key (none when null), as any client sends it. */
async function post(app: TestApp, key: string | null, query: string): Promise<HttpAnswer> {
  const response = await fetch(app.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as HttpAnswer["body"] };
}

/** A refusal as the limits answer over HTTP: 429, Retry-After in seconds, RATE_LIMITED with the same seconds. */
function expectRateLimited(answer: HttpAnswer, message: RegExp): void {
  expect(answer.status).toBe(429);
  const seconds = Number(answer.retryAfter);
  expect(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60).toBe(true);
  expect(answer.body.errors).toEqual([
    { message: expect.stringMatching(message), extensions: { code: "RATE_LIMITED", retryAfterSeconds: seconds } },
  ]);
}

/** One operation over graphql-ws: its first result, or the errors it was refused with. */
function operation(client: Client, query: string, variables: Record<string, unknown> = {}) {
  let stop = () => {};
  const outcome = new Promise<{ data?: unknown; errors?: Errors }>((resolve) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (result) => resolve(result as { data?: unknown; errors?: Errors }),
        error: (error) => resolve({ errors: Array.isArray(error) ? (error as Errors) : [{ message: String(error) }] }),
        complete: () => {},
      },
    );
  });
  return { outcome, stop: () => stop() };
}

/** A socket opened at once with this key: whether connection_init was acknowledged, or how the socket was closed. */
function openSocket(app: TestApp, key: string) {
  let client!: Client;
  const outcome = new Promise<{ connected: true } | { code: number; reason: string }>((resolve) => {
    client = createClient({
      url: app.url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${key}` },
      onNonLazyError: () => {},
      on: {
        connected: () => resolve({ connected: true }),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          resolve({ code, reason });
        },
      },
    });
  });
  return { client, outcome };
}

describe("configuration", () => {
  it("has defaults, reads every variable, and names the variable it refuses", () => {
    expect(configFromEnv({}).rateLimits).toEqual({
      perPrincipalPerMinute: 600,
      perIpPerMinute: 1200,
      signInPerIpPerMinute: 20,
      maxSocketsPerPrincipal: 20,
      maxSubscriptionsPerSocket: 100,
    });
    expect(configFromEnv({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    expect(
      configFromEnv({
        RATE_LIMIT_PER_MINUTE: "7",
        RATE_LIMIT_PER_IP_PER_MINUTE: " 9 ",
        SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE: "3",
        MAX_SOCKETS_PER_PRINCIPAL: "2",
        MAX_SUBSCRIPTIONS_PER_SOCKET: "4",
        REDIS_URL: "redis://cache:6379/2",
      }).rateLimits,
    ).toEqual({
      perPrincipalPerMinute: 7,
      perIpPerMinute: 9,
      signInPerIpPerMinute: 3,
      maxSocketsPerPrincipal: 2,
      maxSubscriptionsPerSocket: 4,
    });
    expect(configFromEnv({ REDIS_URL: "rediss://user:secret@cache:6380" }).redisUrl).toBe("rediss://user:secret@cache:6380");
    expect(() => configFromEnv({ RATE_LIMIT_PER_MINUTE: "0" })).toThrow(
      'RATE_LIMIT_PER_MINUTE must be a whole number of at least 1, got "0"',
    );
    expect(() => configFromEnv({ RATE_LIMIT_PER_IP_PER_MINUTE: "1e3" })).toThrow(/^RATE_LIMIT_PER_IP_PER_MINUTE must be/);
    expect(() => configFromEnv({ SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE: "-1" })).toThrow(/^SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE must be/);
    expect(() => configFromEnv({ MAX_SOCKETS_PER_PRINCIPAL: "many" })).toThrow(/^MAX_SOCKETS_PER_PRINCIPAL must be/);
    expect(() => configFromEnv({ MAX_SUBSCRIPTIONS_PER_SOCKET: "0" })).toThrow(/^MAX_SUBSCRIPTIONS_PER_SOCKET must be/);
    expect(() => configFromEnv({ REDIS_URL: "127.0.0.1:6379" })).toThrow(
      'REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got "127.0.0.1:6379"',
    );
  });
});

describe("limits per principal, sign-in attempts and caps", () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let app: TestApp;
  const clients: Client[] = [];
  beforeAll(async () => {
    db = await testDatabase();
    app = await startTestApp(db.url, {
      RATE_LIMIT_PER_MINUTE: "5",
      RATE_LIMIT_PER_IP_PER_MINUTE: "1000",
      SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE: "3",
      MAX_SOCKETS_PER_PRINCIPAL: "2",
      MAX_SUBSCRIPTIONS_PER_SOCKET: "2",
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await app?.close();
    await db?.drop();
  });

  it("answers a key's sixth request in a minute with 429, on /graphql (POST and GET) and the CSV export, while another key passes", async () => {
    const key = await app.createKey("VIEWER");
    const other = await app.createKey("VIEWER");
    for (let i = 0; i < 5; i++) {
      const answer = await post(app, key, ME);
      expect(answer.status).toBe(200);
      expect(answer.body.data?.me?.id).toEqual(expect.any(String));
    }
    expectRateLimited(await post(app, key, ME), /^Rate limit of 5 requests a minute for this principal reached; retry in \d+ s$/);

    const get = await fetch(`${app.url}?query=${encodeURIComponent(ME)}`, {
      headers: { authorization: `Bearer ${key}`, "apollo-require-preflight": "true" },
    });
    expect(get.status).toBe(429);
    const csv = await fetch(app.url.replace("/graphql", "/export/batches/00000000-0000-0000-0000-000000000000/trades.csv"), {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(csv.status).toBe(429);
    expect(csv.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(((await csv.json()) as GraphQLResponse<unknown>).errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");

    const passes = await post(app, other, ME);
    expect(passes.status).toBe(200);
    expect(passes.body.errors).toBeUndefined();
  });

  it("counts signIn attempts per IP, aliases each, and refuses the fourth while other operations pass", async () => {
    const signIn = (alias: string) => `${alias}: signIn(email: "nobody@example.com", password: "not the password") { id }`;
    const refusedSignIn = (answer: HttpAnswer) => {
      expect(answer.status).toBe(200);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    };
    // Two attempts in one request, then the third: all reach the resolver, which refuses them.
    refusedSignIn(await post(app, null, `mutation { ${signIn("a")} ${signIn("b")} }`));
    refusedSignIn(await post(app, null, `mutation { ${signIn("only")} }`));
    expectRateLimited(
      await post(app, null, `mutation { ${signIn("again")} }`),
      /^Rate limit of 3 sign-in attempts a minute from this address reached/,
    );
    // Through a fragment too.
    expectRateLimited(
      await post(app, null, `mutation { ...Attempt } fragment Attempt on Mutation { ${signIn("viaFragment")} }`),
      /sign-in attempts/,
    );

    const other = await post(app, null, ME);
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ data: { me: null } });
  });

  it("answers a key's sixth subscribe in a minute with RATE_LIMITED over the WebSocket, while another key's pass", async () => {
    const key = await app.createKey("VIEWER");
    const client = wsClient(app.url, key);
    const otherClient = wsClient(app.url, await app.createKey("VIEWER"));
    clients.push(client, otherClient);
    for (let i = 0; i < 5; i++) expect((await operation(client, ME).outcome).data).toEqual({ me: { id: expect.any(String) } });
    const refused = await operation(client, ME).outcome;
    expect(refused.errors).toEqual([
      {
        message: expect.stringMatching(/^Rate limit of 5 requests a minute for this principal reached; retry in \d+ s$/),
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) },
      },
    ]);
    // HTTP and subscribe share the principal's budget.
    expect((await post(app, key, ME)).status).toBe(429);
    expect((await operation(otherClient, ME).outcome).data).toEqual({ me: { id: expect.any(String) } });
  });

  it("closes a key's third socket with 4429 while another key connects, and frees the place when one closes", async () => {
    const key = await app.createKey("VIEWER");
    const first = openSocket(app, key);
    const second = openSocket(app, key);
    clients.push(first.client, second.client);
    expect(await first.outcome).toEqual({ connected: true });
    expect(await second.outcome).toEqual({ connected: true });

    const third = openSocket(app, key);
    clients.push(third.client);
    expect(await third.outcome).toEqual({ code: 4429, reason: "Too many sockets for this principal (at most 2)" });

    const other = openSocket(app, await app.createKey("VIEWER"));
    clients.push(other.client);
    expect(await other.outcome).toEqual({ connected: true });

    await first.client.dispose();
    const again = await eventually(async () => {
      const socket = openSocket(app, key);
      clients.push(socket.client);
      const outcome = await socket.outcome;
      return "connected" in outcome ? outcome : null;
    }, 5_000);
    expect(again).toEqual({ connected: true });
  });

  it("refuses a socket's third open subscription with LIMIT_EXCEEDED, and accepts one again once one is completed", async () => {
    const batch = await stage(app, tradesCsv(2));
    const client = wsClient(app.url, await app.createKey("VIEWER"));
    clients.push(client);
    const progress = () => operation(client, PROGRESS, { id: batch.id });
    const first = progress();
    const second = progress();
    const current = { data: { batchProgress: { batch: { id: batch.id, status: "PENDING" } } } };
    expect(await first.outcome).toEqual(current);
    expect(await second.outcome).toEqual(current);

    const third = await progress().outcome;
    expect(third.errors).toEqual([
      {
        message: "at most 2 subscriptions may be open on one socket: complete one, or open another socket",
        extensions: { code: "LIMIT_EXCEEDED", limit: 2 },
      },
    ]);

    first.stop();
    expect(await progress().outcome).toEqual(current);
    // Still two open: the next is refused again.
    expect((await progress().outcome).errors?.[0]?.extensions?.code).toBe("LIMIT_EXCEEDED");
  });
});

describe("limits per IP", () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let app: TestApp;
  beforeAll(async () => {
    db = await testDatabase();
    app = await startTestApp(db.url, { RATE_LIMIT_PER_IP_PER_MINUTE: "5" });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it("counts requests without credentials, refuses the sixth from the address whatever its key, on HTTP and on subscribe", async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await post(app, null, ME);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { me: null } });
    }
    expectRateLimited(await post(app, null, ME), /^Rate limit of 5 requests a minute from this address reached; retry in \d+ s$/);
    expectRateLimited(await post(app, app.key, ME), /from this address/);
    expectRateLimited(await post(app, await app.createKey("ADMIN"), ME), /from this address/);

    // connection_init is not a subscribe: the socket opens, and its subscribe is refused.
    const client = wsClient(app.url, app.key);
    try {
      const refused = await operation(client, ME).outcome;
      expect(refused.errors).toEqual([
        {
          message: expect.stringMatching(/^Rate limit of 5 requests a minute from this address reached/),
          extensions: { code: "RATE_LIMITED", retryAfterSeconds: expect.any(Number) },
        },
      ]);
    } finally {
      await client.dispose();
    }
  });
});

describe("limits shared through Redis (REDIS_URL)", () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let one: TestApp;
  let two: TestApp;
  const env = { REDIS_URL: "redis://127.0.0.1:6379", RATE_LIMIT_PER_MINUTE: "4" };
  beforeAll(async () => {
    db = await testDatabase();
    one = await startTestApp(db.url, env);
    two = await startTestApp(db.url, env);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  it("counts a key's requests to two instances against one budget", async () => {
    const key = await one.createKey("VIEWER");
    for (const app of [one, two, one, two]) expect((await post(app, key, ME)).status).toBe(200);
    expectRateLimited(await post(two, key, ME), /^Rate limit of 4 requests a minute for this principal/);
    expectRateLimited(await post(one, key, ME), /^Rate limit of 4 requests a minute for this principal/);
    expect((await post(one, await one.createKey("VIEWER"), ME)).status).toBe(200);
  });

  it("does not start when Redis cannot be reached", async () => {
    await expect(startTestApp(db.url, { REDIS_URL: "redis://127.0.0.1:1" })).rejects.toThrow(/^cannot reach Redis at REDIS_URL/);
  });
});
