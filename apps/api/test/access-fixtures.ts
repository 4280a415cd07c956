import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { GraphQLResponse, TestApp } from "./harness";

/**
 * What the access tests share: GraphQL over HTTP with a key or a session cookie (and the raw
 * response, to read Set-Cookie), users made through the API and signed in, and graphql-ws
 * clients that send a cookie on the upgrade request and report how their socket closed.
 */

export const SESSION_COOKIE = "fxbt_session";

/**
 * Rate limits far above what these tests send (many sign-ins and requests from one address in
 * a minute): the limits have tests of their own. Unknown variables are ignored by the config.
 */
export const GENEROUS_LIMITS: Record<string, string> = {
  SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE: "100000",
  RATE_LIMIT_PER_MINUTE: "1000000",
  RATE_LIMIT_PER_IP_PER_MINUTE: "1000000",
  MAX_SOCKETS_PER_PRINCIPAL: "1000",
};

/** A UUID that names nothing in any test database. */
export const unknownId = () => randomUUID();

export interface Credentials {
  /** An API key, sent as `Authorization: Bearer <key>`. */
  key?: string | null;
  /** A session cookie's `name=value`, sent as the Cookie header. */
  cookie?: string | null;
}

export interface HttpAnswer<T> extends GraphQLResponse<T> {
  status: number;
  /** Every Set-Cookie header of the response. */
  setCookies: string[];
}

export function headersFor(credentials: Credentials): Record<string, string> {
  return {
    ...(credentials.key ? { authorization: `Bearer ${credentials.key}` } : {}),
    ...(credentials.cookie ? { cookie: credentials.cookie } : {}),
  };
}

/** One GraphQL operation over HTTP with exactly these credentials (none unless given). */
export async function gql<T = Record<string, unknown>>(
  url: string,
  credentials: Credentials,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<HttpAnswer<T>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headersFor(credentials) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<T>;
  return { ...body, status: response.status, setCookies: response.headers.getSetCookie() };
}

/** The data of an answer that must have no errors. */
export function dataOf<T>(answer: GraphQLResponse<T>): T {
  if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
  return answer.data as T;
}

/** The code of the first error, or null when there was none. */
export const codeOf = (answer: { errors?: { extensions?: { code?: unknown } }[] }) =>
  (answer.errors?.[0]?.extensions?.code as string | undefined) ?? null;

/** The session cookie a response set, as `name=value` to send back, or null. */
export function sessionCookieOf(setCookies: string[]): string | null {
  const header = setCookies.find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  if (!header) return null;
  const pair = header.split(";")[0]!;
  // A cleared cookie (sign-out) has an empty value.
  return pair === `${SESSION_COOKIE}=` ? null : pair;
}

export const SIGN_IN = `mutation($email: String!, $password: String!) {
  signIn(email: $email, password: $password) { kind id name role partner mustChangePassword }
}`;
export const SIGN_OUT = `mutation { signOut }`;
export const CHANGE_PASSWORD = `mutation($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword) { kind id name mustChangePassword }
}`;
export const ME = `{ me { kind id name role partner mustChangePassword } }`;
export const CREATE_USER = `mutation($input: CreateUserInput!) {
  createUser(input: $input) { user { id email role partner mustChangePassword lockedUntil lastSignInAt disabledAt createdBy } oneTimePassword }
}`;
export const UPDATE_USER = `mutation($input: UpdateUserInput!) { updateUser(input: $input) { id email role disabledAt } }`;
export const RESET_PASSWORD = `mutation($id: ID!) { resetPassword(id: $id) { user { id email mustChangePassword } oneTimePassword } }`;
export const CREATE_API_KEY = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id name prefix role partner createdAt createdBy lastUsedAt revokedAt } }
}`;
export const REVOKE_API_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { id name prefix revokedAt } }`;
export const API_KEYS = `{ apiKeys { id name prefix role partner createdAt createdBy lastUsedAt revokedAt } }`;
export const USERS = `{ users { id email role partner mustChangePassword lockedUntil lastSignInAt disabledAt createdAt createdBy } }`;

export interface SignedIn {
  /** `fxbt_session=…`, to send as the Cookie header. */
  cookie: string;
  /** The full Set-Cookie header the sign-in answered with. */
  setCookie: string;
  viewer: { kind: string; id: string; name: string; role: string; partner: string | null; mustChangePassword: boolean };
}

/** Signs in over HTTP (optionally sending an earlier cookie) and returns the new session cookie. */
export async function signIn(url: string, email: string, password: string, earlierCookie: string | null = null): Promise<SignedIn> {
  const answer = await gql<{ signIn: SignedIn["viewer"] }>(url, { cookie: earlierCookie }, SIGN_IN, { email, password });
  const { signIn: viewer } = dataOf(answer);
  const cookie = sessionCookieOf(answer.setCookies);
  if (!cookie) throw new Error(`signIn set no session cookie: ${JSON.stringify(answer.setCookies)}`);
  return { cookie, setCookie: answer.setCookies.find((header) => header.startsWith(`${SESSION_COOKIE}=`))!, viewer };
}

export type RoleName = "VIEWER" | "TRADER" | "ADMIN";

let userCount = 0;
/** An email no other user of this process has. */
export const uniqueEmail = (label: string) => `${label}-${process.pid}-${++userCount}-${randomUUID().slice(0, 6)}@example.test`;

export interface CreatedUser {
  id: string;
  email: string;
  /** The one-time password made by the API, or the password given. */
  password: string;
  mustChangePassword: boolean;
}

/** A user made with the createUser mutation (as the app's ADMIN key); without `password` the API makes a one-time one. */
export async function createUser(
  app: TestApp,
  input: { role: RoleName; partner?: string | null; password?: string; email?: string; label?: string },
): Promise<CreatedUser> {
  const email = input.email ?? uniqueEmail(input.label ?? input.role.toLowerCase());
  const { createUser: created } = await app.query<{
    createUser: { user: { id: string; email: string; mustChangePassword: boolean }; oneTimePassword: string | null };
  }>(CREATE_USER, { input: { email, role: input.role, partner: input.partner ?? null, password: input.password ?? null } });
  const password = input.password ?? created.oneTimePassword;
  if (!password) throw new Error("createUser gave no one-time password");
  return { id: created.user.id, email: created.user.email, password, mustChangePassword: created.user.mustChangePassword };
}

export interface ActiveUser extends CreatedUser, SignedIn {}

/**
 * A user who has signed in and chosen their own password (no longer held to changePassword):
 * their session cookie acts as them.
 */
export async function activeUser(
  app: TestApp,
  role: RoleName,
  options: { partner?: string | null; label?: string } = {},
): Promise<ActiveUser> {
  const user = await createUser(app, { role, partner: options.partner, label: options.label });
  const first = await signIn(app.url, user.email, user.password);
  const password = `chosen-${randomUUID()}`;
  dataOf(await gql(app.url, { cookie: first.cookie }, CHANGE_PASSWORD, { currentPassword: user.password, newPassword: password }));
  const viewer = { ...first.viewer, mustChangePassword: false };
  return { ...user, ...first, viewer, password, mustChangePassword: false };
}

/** A second session of a user (another browser): a new cookie. */
export async function anotherSession(app: TestApp, user: { email: string; password: string }): Promise<string> {
  return (await signIn(app.url, user.email, user.password)).cookie;
}

/** The ws library's WebSocket, sending extra headers (a Cookie) on the upgrade request. */
export function webSocketWithHeaders(headers: Record<string, string>): typeof WebSocket {
  return class HeaderWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as typeof WebSocket;
}

export interface Closed {
  code: number;
  reason: string;
}

export interface SocketClient {
  client: Client;
  /** Resolves with the close code and reason the first time the socket closes. */
  closed: Promise<Closed>;
  /** Resolves once the server has acknowledged connection_init (the credentials were accepted). */
  acknowledged: Promise<void>;
  /** Whether the socket has closed yet. */
  isClosed(): boolean;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client with these credentials: a key goes in connectionParams (as the harness
 * sends it), a cookie on the upgrade request, as a browser sends it. No retries, no lazy close.
 */
export function socketClient(url: string, credentials: Credentials): SocketClient {
  let closedWith: Closed | null = null;
  let resolveClosed: (closed: Closed) => void = () => {};
  const closed = new Promise<Closed>((resolve) => {
    resolveClosed = resolve;
  });
  let resolveAcknowledged: () => void = () => {};
  const acknowledged = new Promise<void>((resolve) => {
    resolveAcknowledged = resolve;
  });
  const client = createClient({
    url: url.replace("http", "ws"),
    webSocketImpl: credentials.cookie ? webSocketWithHeaders({ cookie: credentials.cookie }) : WebSocket,
    lazy: true,
    retryAttempts: 0,
    connectionParams: credentials.key ? { authorization: `Bearer ${credentials.key}` } : {},
    on: {
      connected: () => resolveAcknowledged(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        if (!closedWith) {
          closedWith = { code, reason: String(reason) };
          resolveClosed(closedWith);
        }
      },
    },
  });
  return { client, closed, acknowledged, isClosed: () => closedWith !== null, dispose: async () => await client.dispose() };
}

export type SocketOutcome<T> =
  | { kind: "result"; results: GraphQLResponse<T>[] }
  /** The server closed the socket (a CloseEvent reached the sink). */
  | { kind: "closed"; code: number; reason: string }
  | { kind: "error"; error: unknown };

function isCloseEvent(value: unknown): value is { code: number; reason: string } {
  return typeof value === "object" && value !== null && "code" in value && typeof (value as { code: unknown }).code === "number";
}

/** One query or mutation over the socket: its results until complete, or how the socket closed. */
export function overSocket<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SocketOutcome<T>> {
  return new Promise((resolve) => {
    const results: GraphQLResponse<T>[] = [];
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => void results.push(result as GraphQLResponse<T>),
        error: (error) => {
          if (isCloseEvent(error)) resolve({ kind: "closed", code: error.code, reason: String(error.reason) });
          else if (Array.isArray(error))
            resolve({ kind: "result", results: [...results, { errors: error as GraphQLResponse<T>["errors"] }] });
          else resolve({ kind: "error", error });
        },
        complete: () => resolve({ kind: "result", results }),
      },
    );
  });
}

export interface LiveSubscription<T> {
  events: GraphQLResponse<T>[];
  /** Resolves when the subscription ends: completed, an error, or its socket closed. */
  ended: Promise<SocketOutcome<T>>;
  stop(): void;
}

/** A subscription that stays open: its events as they come, and how it ended. */
export function subscribe<T = Record<string, unknown>>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): LiveSubscription<T> {
  const events: GraphQLResponse<T>[] = [];
  let stop = () => {};
  const ended = new Promise<SocketOutcome<T>>((resolve) => {
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => void events.push(result as GraphQLResponse<T>),
        error: (error) => {
          if (isCloseEvent(error)) resolve({ kind: "closed", code: error.code, reason: String(error.reason) });
          else if (Array.isArray(error))
            resolve({ kind: "result", results: [...events, { errors: error as GraphQLResponse<T>["errors"] }] });
          else resolve({ kind: "error", error });
        },
        complete: () => resolve({ kind: "result", results: events }),
      },
    );
  });
  return { events, ended, stop: () => stop() };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the promise's value, or rejects once `ms` have passed without one. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const BATCH_LIST_CHANGED = `subscription { batchListChanged { kind batch { id partner } } }`;
export const BATCH_FEED = `subscription { batchFeed { kind batch { id partner } } }`;
export const BATCHES_CHANGED = `subscription { batchesChanged { id partner } }`;
