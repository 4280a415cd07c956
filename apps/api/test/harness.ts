import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createDatabaseFromTemplate, type TestDatabase } from "@fxbt/db/testing";
import { type BatchView, isFinalBatchStatus, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { type Client, createClient } from "graphql-ws";
import pg from "pg";
import { pino } from "pino";
import { afterAll, beforeAll, inject } from "vitest";
import WebSocket from "ws";
import { type App, type AppOverrides, startApp } from "../src/app";
import { type ApiConfig, configFromEnv } from "../src/config";
import { AccessService } from "../src/services/access";

export const SAMPLES = new URL("../../../samples/", import.meta.url);
export const readSample = (name: string) => readFileSync(new URL(name, SAMPLES), "utf8");

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** A database of the test file's own, copied from the run's migrated template. */
export function testDatabase(): Promise<TestDatabase> {
  return createDatabaseFromTemplate(inject("templateDatabase"));
}

export interface TestApp {
  app: App;
  url: string;
  /** The ADMIN key (of no partner) every request and socket of this app sends unless told otherwise. */
  key: string;
  /** Any GraphQL response, errors included. */
  request<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** The data of a response that must have no errors. */
  query<T>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Every event of a subscription until the server completes it (or `until` says stop). */
  collect<T>(query: string, variables: Record<string, unknown>, until?: (event: T, all: T[]) => boolean): Subscription<T>;
  /** The same app as seen with other credentials: another key, or none at all (null). */
  as(key: string | null): TestApp;
  /** A new API key of this role (and partner), made as the admin command makes one. */
  createKey(role: "VIEWER" | "TRADER" | "ADMIN", partner?: string | null): Promise<string>;
  close(): Promise<void>;
}

export interface Subscription<T> {
  events: T[];
  /** Resolves with every event once the subscription has completed. */
  done: Promise<T[]>;
  /** Ends the subscription from the client's side. */
  stop(): void;
}

/** The /metrics token every test app is given. */
export const METRICS_TOKEN = "test-metrics-token";

/** The app's Prometheus metrics, read as a scraper would (with the token). */
export async function metricsText(app: TestApp): Promise<string> {
  const response = await fetch(app.url.replace("/graphql", "/metrics"), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): ApiConfig {
  return configFromEnv({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    BANK_SIM_LATENCY_MS: "5",
    PROGRESS_INTERVAL_MS: "50",
    METRICS_TOKEN,
    // An app here is one instance on a database of its own: the in-process bus, asked for by name
    // unless the test chooses (EVENT_BUS, or REDIS_URL as an operator sets it). The tests that
    // count its listeners or publish on it (shared-execution, subscription-cleanup) need it; the
    // default bus runs in every API started as a process (api-process.ts) and in the tests of
    // several instances.
    ...(env.EVENT_BUS || env.REDIS_URL ? {} : { EVENT_BUS: "memory" }),
    // Apps given REDIS_URL hear only their own events unless a test shares a prefix on purpose.
    REDIS_EVENTS_PREFIX: `fxbt:test:${randomUUID()}:`,
    // The server's timer for connection_init runs on the event loop it shares here with the test's
    // own clients and the runner, so a loaded machine's lag counted against sockets that had sent
    // it at once (closed 4408). The timeout has a test of its own (transport-errors).
    SOCKET_INIT_TIMEOUT_MS: "60000",
    // Tests poll the API with one key far faster than a person; rate limits have tests of their own.
    RATE_LIMIT_PER_MINUTE: "1000000",
    RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
    ...env,
  });
}

/** The admin command's way to make a key: straight on the database, audited as the admin command. */
export async function createApiKey(app: App, role: "VIEWER" | "TRADER" | "ADMIN", partner: string | null = null): Promise<string> {
  const actor = { kind: null, id: null, name: "test harness", address: null };
  const { key } = await new AccessService(app.database).createApiKey(actor, { role, partner, name: `test ${role.toLowerCase()}` });
  return key;
}

/** A graphql-ws client sending this key at connection_init (none when null). */
export function wsClient(url: string, key: string | null): Client {
  return createClient({
    url: url.replace("http", "ws"),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
  });
}

export async function startTestApp(databaseUrl: string, env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestApp> {
  const app = await startApp(testConfig(databaseUrl, env), { log: pino({ level: "silent" }), terminal: null, ...overrides });
  const adminKey = await createApiKey(app, "ADMIN");
  const clients: Client[] = [];
  return withKey(app, adminKey, clients);
}

/** What useTestApp gives a test file: usable from its beforeAll on. */
export interface TestAppSetup {
  /** The file's app, its requests and sockets sent with an ADMIN key of no partner (TestApp.key). */
  app: TestApp;
  /** A pg client connected to the app's database, for what the API does not show (rows, counts, clocks). */
  sql: pg.Client;
  /** The file's own database (database.url), copied from the run's migrated template. */
  database: TestDatabase;
}

/**
 * The usual set-up of a test file: registers a beforeAll that makes a test database, starts an
 * app on it and connects a pg client, and an afterAll that ends all three (what was made, if the
 * set-up failed half way). Call it at the top level of the file:
 *
 *   const { app, sql } = useTestApp({ BANK_SIM_SUCCESS_RATE: "1" });
 *
 * The three are bound late: they can be destructured at once, but are usable only from the
 * beforeAll on (using one earlier throws, saying so).
 *
 * @param env added to testConfig's (default none): its defaults are a bank simulator with 5 ms
 *   latency, PROGRESS_INTERVAL_MS 50, no rate limits to speak of, METRICS_TOKEN, a Redis prefix
 *   of the app's own, and the in-process bus unless env names EVENT_BUS or REDIS_URL.
 * @param overrides startApp's overrides (default none: silent log, no terminal), or a function of
 *   the file's database URL that makes them (a gateway double over the simulator needs the database).
 */
export function useTestApp(
  env: Record<string, string> = {},
  overrides: AppOverrides | ((databaseUrl: string) => AppOverrides) = {},
): TestAppSetup {
  let database: TestDatabase | undefined;
  let app: TestApp | undefined;
  let sql: pg.Client | undefined;
  beforeAll(async () => {
    database = await testDatabase();
    app = await startTestApp(database.url, env, typeof overrides === "function" ? overrides(database.url) : overrides);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    sql = client;
  });
  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
  });
  return {
    app: startedLater("app", () => app),
    sql: startedLater("sql", () => sql),
    database: startedLater("database", () => database),
  };
}

/** A stand-in that forwards every property to the object `current` returns once it exists. */
function startedLater<T extends object>(name: string, current: () => T | undefined): T {
  const target = () => {
    const value = current();
    if (value === undefined) throw new Error(`useTestApp's ${name} is not there yet: use it in a test or hook, after its beforeAll`);
    return value;
  };
  return new Proxy({} as T, {
    get(_, property) {
      const object = target();
      const value: unknown = Reflect.get(object, property, object);
      // Methods run on the real object: pg.Client's need it as `this`.
      return typeof value === "function" ? value.bind(object) : value;
    },
  });
}

function withKey(app: App, key: string | null, clients: Client[]): TestApp {
  const ws = wsClient(app.url, key);
  clients.push(ws);

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>> {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  }

  return {
    app,
    url: app.url,
    key: key ?? "",
    request,
    as: (other) => withKey(app, other, clients),
    createKey: (role, partner) => createApiKey(app, role, partner),
    async query<T>(query: string, variables?: Record<string, unknown>) {
      const response = await request<T>(query, variables);
      if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
      return response.data as T;
    },
    collect<T>(query: string, variables: Record<string, unknown>, until?: (event: T, all: T[]) => boolean) {
      const events: T[] = [];
      let unsubscribe = () => {};
      const done = new Promise<T[]>((resolve, reject) => {
        unsubscribe = ws.subscribe<T>(
          { query, variables },
          {
            next: ({ data, errors }) => {
              if (errors?.length) return reject(new Error(JSON.stringify(errors)));
              events.push(data as T);
              if (until?.(data as T, events)) {
                unsubscribe();
                resolve(events);
              }
            },
            error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
            complete: () => resolve(events),
          },
        );
      });
      return { events, done, stop: () => unsubscribe() };
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
      await app.close();
    },
  };
}

/** Waits for a condition polled through the public API. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits for a condition while work moves: fails only once `progress` (a count that grows as the
 * work is done) has not changed for `stalledMs`. A busy machine makes the wait longer, a stuck
 * runner still fails, for waits whose length depends on the machine more than on the code.
 */
export async function whileProgressing<T>(
  probe: () => Promise<T | undefined | null | false>,
  progress: () => Promise<number>,
  stalledMs = 30_000,
): Promise<T> {
  let last = await progress();
  let movedAt = Date.now();
  for (;;) {
    const value = await probe();
    if (value) return value;
    const now = await progress();
    if (now !== last) [last, movedAt] = [now, Date.now()];
    else if (Date.now() - movedAt > stalledMs) throw new Error(`no progress in ${stalledMs} ms (stuck at ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** CSV text of `count` valid trades; account numbers can be chosen per row. */
export function tradesCsv(count: number, account: (index: number) => string = () => "1234567890"): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= count; i++) {
    lines.push(`C-${i % 97},Client ${i % 97},${account(i)},ZAR,USD,BUY,${100 + (i % 1000)}.25,,REF-${i}`);
  }
  return lines.join("\n");
}

export const STAGE = `mutation Stage($input: StageBatchInput!) {
  stageBatch(input: $input) { batch { id batchUid status totalTrades priority name } errors { row field message } }
}`;

export const BATCH_FIELDS = `id batchUid name status priority totalTrades processedTrades succeededTrades failedTrades cancelledTrades progress createdAt updatedAt startedAt completedAt`;

/** A batch as BATCH_FIELDS selects it: the served view less the queue fields, plus the computed ones. */
export type BatchFields = Omit<BatchView, "queuedAt" | "cancelRequestedAt"> & { processedTrades: number; progress: number };

export const START = `mutation($id: ID!) { startBatch(id: $id) { ${BATCH_FIELDS} } }`;
export const CANCEL = `mutation($id: ID!) { cancelBatch(id: $id) { ${BATCH_FIELDS} } }`;
export const RETRY = `mutation($id: ID!) { retryFailedTrades(id: $id) { ${BATCH_FIELDS} } }`;
export const BATCH = `query($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} } }`;

export async function stage(app: TestApp, csv: string, input: { name?: string; priority?: number } = {}) {
  const { stageBatch } = await app.query<{ stageBatch: { batch: { id: string; totalTrades: number } | null; errors: unknown[] } }>(STAGE, {
    // Tests stage the same trades many times on purpose; the duplicate check has tests of its own.
    input: { csv, allowDuplicate: true, ...input },
  });
  if (!stageBatch.batch) throw new Error(`staging failed: ${JSON.stringify(stageBatch.errors)}`);
  return stageBatch.batch;
}

/** A batch as BATCH_FIELDS selects it, read through the API. */
export async function readBatch(app: TestApp, id: string): Promise<BatchFields> {
  return (await app.query<{ batch: BatchFields }>(BATCH, { id })).batch;
}

/** Waits until the batch, read through the API, has a final status, and returns it. */
export function finishedBatch(app: TestApp, id: string, timeoutMs = 60_000): Promise<BatchFields> {
  return eventually(async () => {
    const batch = await readBatch(app, id);
    return isFinalBatchStatus(batch.status) ? batch : null;
  }, timeoutMs);
}
