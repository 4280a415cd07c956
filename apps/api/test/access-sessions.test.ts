import type { TestDatabase } from "@fxbt/db/testing";
import { type Client, createClient } from "graphql-ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  CHANGE_PASSWORD,
  codeOf,
  createUser,
  dataOf,
  GENEROUS_LIMITS,
  gql,
  ME,
  overSocket,
  RESET_PASSWORD,
  SESSION_COOKIE,
  SIGN_IN,
  SIGN_OUT,
  type SocketClient,
  sessionCookieOf,
  signIn,
  sleep,
  socketClient,
  subscribe,
  UPDATE_USER,
  webSocketWithHeaders,
  within,
} from "./access-fixtures";
import { eventually, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";
import { proveDespiteStalls, sleepUntilPast } from "./server-clock";

/**
 * People signed in with a session cookie: one-time passwords, the cookie's attributes, wrong
 * passwords and lockout, sign-out, disabling, and the sockets the cookie opened (closed 4401 once
 * the session has ended, 4403 while a password must change). Expiry by time: session-expiry.test.ts.
 */

const RECHECK_MS = 300;
/** Long enough for a sign-in attempt to arrive within it on a loaded machine (each hashes a password). */
const LOCK_MS = 3_000;
/** How late a socket may close after its session ended: the recheck interval and a margin for a busy machine. */
const CLOSE_WITHIN_MS = RECHECK_MS + 2_000;
const REFUSED_SIGN_IN = "email or password is wrong, or the account is locked or disabled";
const NO_CREDENTIALS = "sign in, or send an API key as 'Authorization: Bearer <key>'";
const MUST_CHANGE = "choose your own password first (changePassword): the one you signed in with was for one use";

const BATCHES = `{ batches(first: 1) { totalCount } }`;
const PROGRESS = `subscription($id: ID!) { batchProgress(id: $id) { batch { id } } }`;

let db: TestDatabase;
const sockets: SocketClient[] = [];
const socketOf = (url: string, cookie: string) => {
  const socket = socketClient(url, { cookie });
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  db = await testDatabase();
});
/** graphql-ws clients made by hand (connectionParams of their own). */
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
});
afterAll(async () => {
  await db?.drop();
});

/** Whether the cookie still acts as a signed-in user (me answers them), checked over HTTP. */
async function meWith(url: string, cookie: string) {
  return (await gql<{ me: { name: string; mustChangePassword: boolean } | null }>(url, { cookie }, ME)).data?.me ?? null;
}

/** A socket with this cookie, proven live: a subscription to a staged batch's progress answers. */
async function liveSocket(app: TestApp, cookie: string) {
  const socket = socketOf(app.url, cookie);
  const batch = await stage(app, tradesCsv(1));
  const progress = subscribe(socket.client, PROGRESS, { id: batch.id });
  await within(
    eventually(async () => progress.events.length > 0 || socket.isClosed(), 10_000),
    11_000,
    "a first progress event",
  );
  expect(socket.isClosed()).toBe(false);
  expect(progress.events[0]).toEqual({ data: { batchProgress: { batch: { id: batch.id } } } });
  return socket;
}

/** A user who signed in and chose their own password, with their session cookie. */
async function readyUser(app: TestApp, role: "VIEWER" | "TRADER" | "ADMIN" = "TRADER") {
  const user = await createUser(app, { role });
  const first = await signIn(app.url, user.email, user.password);
  const password = `${user.password}-mine`;
  dataOf(await gql(app.url, { cookie: first.cookie }, CHANGE_PASSWORD, { currentPassword: user.password, newPassword: password }));
  return { ...user, password, cookie: first.cookie };
}

describe("sign-in, one-time passwords, lockout, sign-out and disabling", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(db.url, {
      ...GENEROUS_LIMITS,
      AUTH_RECHECK_MS: String(RECHECK_MS),
      SIGN_IN_LOCK_AFTER: "3",
      SIGN_IN_LOCK_MS: String(LOCK_MS),
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("createUser without a password makes a one-time one; with a password, returns none; both must change it", async () => {
    const generated = await createUser(app, { role: "VIEWER" });
    expect(generated.password).toMatch(/^[a-z2-9]{6}-[a-z2-9]{6}-[a-z2-9]{6}-[a-z2-9]{6}$/);
    expect(generated.mustChangePassword).toBe(true);
    const given = await app.query<{ createUser: { oneTimePassword: string | null; user: { mustChangePassword: boolean } } }>(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { oneTimePassword user { mustChangePassword } } }`,
      { input: { email: `given-${Date.now()}@example.test`, role: "VIEWER", password: "a-given-password" } },
    );
    expect(given.createUser).toEqual({ oneTimePassword: null, user: { mustChangePassword: true } });
    // Too short a first password is refused.
    const short = await app.request(`mutation($input: CreateUserInput!) { createUser(input: $input) { oneTimePassword } }`, {
      input: { email: `short-${Date.now()}@example.test`, role: "VIEWER", password: "short" },
    });
    expect(codeOf(short)).toBe("BAD_USER_INPUT");
  });

  it("signIn sets an HttpOnly, SameSite=Lax session cookie on Path=/, not Secure over http", async () => {
    const user = await createUser(app, { role: "VIEWER", password: "cookie-attributes-password" });
    const answer = await gql<{ signIn: { kind: string; name: string; role: string; mustChangePassword: boolean } }>(app.url, {}, SIGN_IN, {
      email: user.email,
      password: "cookie-attributes-password",
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.signIn).toMatchObject({ kind: "USER", name: user.email, role: "VIEWER", mustChangePassword: true });
    const cookies = answer.setCookies.filter((header) => header.startsWith(`${SESSION_COOKIE}=`));
    expect(cookies).toHaveLength(1);
    const [pair, ...attributes] = cookies[0]!.split(";").map((part) => part.trim());
    expect(pair).toMatch(new RegExp(`^${SESSION_COOKIE}=s%3A.+`));
    const names = attributes.map((attribute) => attribute.split("=")[0]!.toLowerCase());
    expect(names).toContain("httponly");
    expect(attributes).toContain("Path=/");
    expect(attributes.map((attribute) => attribute.toLowerCase())).toContain("samesite=lax");
    expect(names).not.toContain("secure");
    // The cookie expires with the idle timeout, not at the end of the browser session only.
    expect(names.some((name) => name === "expires" || name === "max-age")).toBe(true);
  });

  it("a one-time password allows me, changePassword and signOut only; its socket closes 4403; after changePassword all works", async () => {
    const user = await createUser(app, { role: "TRADER" });
    const { cookie, viewer } = await signIn(app.url, user.email, user.password);
    expect(viewer.mustChangePassword).toBe(true);
    expect(await meWith(app.url, cookie)).toMatchObject({ name: user.email, mustChangePassword: true });
    for (const document of [BATCHES, `{ activeBatches { id } }`, `mutation { stageBatch(input: { csv: "x" }) { errors { message } } }`]) {
      const refused = await gql(app.url, { cookie }, document);
      expect(codeOf(refused), document).toBe("FORBIDDEN");
      expect(refused.errors![0]!.message).toBe(MUST_CHANGE);
    }
    // A socket of theirs is refused at connection_init.
    const socket = socketOf(app.url, cookie);
    expect(await overSocket(socket.client, ME)).toMatchObject({ kind: "closed", code: 4403 });
    // The CSV export is refused too (403, FORBIDDEN), for a batch that exists.
    const batch = await stage(app, tradesCsv(1));
    const exported = await fetch(app.url.replace("/graphql", `/export/batches/${batch.id}/trades.csv`), { headers: { cookie } });
    expect(exported.status).toBe(403);
    expect(((await exported.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("FORBIDDEN");
    // signOut is allowed (on a second session, so this one lives on).
    const second = await signIn(app.url, user.email, user.password);
    expect(dataOf(await gql(app.url, { cookie: second.cookie }, SIGN_OUT))).toEqual({ signOut: true });

    // A wrong current password and too short a new one are refused; the right change works.
    const wrong = await gql(app.url, { cookie }, CHANGE_PASSWORD, { currentPassword: "not-it-at-all", newPassword: "a-long-new-password" });
    expect(codeOf(wrong)).toBe("BAD_USER_INPUT");
    const short = await gql(app.url, { cookie }, CHANGE_PASSWORD, { currentPassword: user.password, newPassword: "short" });
    expect(codeOf(short)).toBe("BAD_USER_INPUT");
    const changed = await gql<{ changePassword: { mustChangePassword: boolean } }>(app.url, { cookie }, CHANGE_PASSWORD, {
      currentPassword: user.password,
      newPassword: "my-own-password-now",
    });
    expect(dataOf(changed).changePassword.mustChangePassword).toBe(false);
    // The same session may now act, over HTTP, the export and a socket.
    expect(codeOf(await gql(app.url, { cookie }, BATCHES))).toBeNull();
    const exportedNow = await fetch(app.url.replace("/graphql", `/export/batches/${batch.id}/trades.csv`), { headers: { cookie } });
    expect(exportedNow.status).toBe(200);
    expect(exportedNow.headers.get("content-type")).toMatch(/^text\/csv/);
    await liveSocket(app, cookie);
    // The one-time password is spent; the new one signs in, held to nothing.
    expect(codeOf(await gql(app.url, {}, SIGN_IN, { email: user.email, password: user.password }))).toBe("UNAUTHENTICATED");
    expect((await signIn(app.url, user.email, "my-own-password-now")).viewer.mustChangePassword).toBe(false);
  });

  it("changePassword ends the user's other sessions and keeps the one it came from", async () => {
    const user = await readyUser(app);
    const other = await signIn(app.url, user.email, user.password);
    const otherSocket = await liveSocket(app, other.cookie);
    dataOf(
      await gql(app.url, { cookie: user.cookie }, CHANGE_PASSWORD, { currentPassword: user.password, newPassword: "yet-another-password" }),
    );
    expect(await meWith(app.url, user.cookie)).toMatchObject({ name: user.email });
    expect(await meWith(app.url, other.cookie)).toBeNull();
    expect(await within(otherSocket.closed, CLOSE_WITHIN_MS, "the other session's socket")).toMatchObject({ code: 4401 });
  });

  it("a wrong password or an unknown email answers UNAUTHENTICATED with one message that does not say which part was wrong", async () => {
    const user = await createUser(app, { role: "VIEWER", password: "the-right-password" });
    const wrongPassword = await gql(app.url, {}, SIGN_IN, { email: user.email, password: "the-wrong-password" });
    const unknownEmail = await gql(app.url, {}, SIGN_IN, { email: `nobody-${Date.now()}@example.test`, password: "the-right-password" });
    for (const answer of [wrongPassword, unknownEmail]) {
      expect(codeOf(answer)).toBe("UNAUTHENTICATED");
      expect(answer.errors).toHaveLength(1);
      expect(answer.errors![0]!.message).toBe(REFUSED_SIGN_IN);
      expect(answer.data ?? null).toBeNull();
      expect(sessionCookieOf(answer.setCookies)).toBeNull();
    }
  });

  it(`three wrong passwords lock the account: the right one is refused too until the lock ends; the audit log shows each refusal`, async () => {
    const password = "lockout-right-password";
    await proveDespiteStalls(async () => {
      const user = await createUser(app, { role: "VIEWER", password });
      const attempt = (tried: string) => gql(app.url, {}, SIGN_IN, { email: user.email, password: tried });
      for (let i = 0; i < 2; i++) expect(codeOf(await attempt(`wrong-password-${i}`))).toBe("UNAUTHENTICATED");
      // The lock runs from the third wrong password's arrival: it ends within LOCK_MS of these bounds.
      const thirdSentAt = Date.now();
      expect(codeOf(await attempt("wrong-password-2"))).toBe("UNAUTHENTICATED");
      const thirdAnsweredAt = Date.now();
      const sentAt = Date.now();
      const whileLocked = await attempt(password);
      if (codeOf(whileLocked) === null) {
        expect(Date.now(), "the right password accepted before the lock could end").toBeGreaterThanOrEqual(thirdSentAt + LOCK_MS);
        return `the right password was sent ${sentAt - thirdAnsweredAt} ms after the lock began`;
      }
      expect(sentAt, "the right password refused though sent after the lock's end").toBeLessThan(thirdAnsweredAt + LOCK_MS);
      expect(codeOf(whileLocked)).toBe("UNAUTHENTICATED");
      expect(whileLocked.errors![0]!.message).toBe(REFUSED_SIGN_IN);
      expect(sessionCookieOf(whileLocked.setCookies)).toBeNull();

      const { auditLog } = await app.query<{
        auditLog: { totalCount: number; edges: { node: { actor: string; actorKind: string | null; outcome: string; detail: string } }[] };
      }>(
        `query($actor: String) { auditLog(first: 20, filter: { action: [SIGN_IN], outcome: REFUSED, actor: $actor }) {
          totalCount edges { node { actor actorKind outcome detail } } } }`,
        { actor: user.email },
      );
      expect(auditLog.totalCount).toBe(4);
      expect(auditLog.edges.map((edge) => edge.node.actor)).toEqual(Array(4).fill(user.email));
      expect(auditLog.edges.every((edge) => edge.node.actorKind === null && edge.node.outcome === "REFUSED")).toBe(true);
      // Newest first: the locked refusal, then the wrong password that locked it, then two plain wrong ones.
      expect(auditLog.edges[0]!.node.detail).toMatch(/^account locked until /);
      expect(auditLog.edges[1]!.node.detail).toMatch(/^wrong password; account locked until /);
      expect(auditLog.edges.slice(2).map((edge) => edge.node.detail)).toEqual(["wrong password", "wrong password"]);

      // Once the lock has passed, the right password works.
      await sleepUntilPast(thirdAnsweredAt + LOCK_MS);
      const after = await signIn(app.url, user.email, password);
      expect(after.viewer.name).toBe(user.email);
      return null;
    });
  }, 240_000);

  it("a session cookie authenticates a graphql-ws connection, and its subscriptions run", async () => {
    const user = await readyUser(app, "VIEWER");
    const socket = socketOf(app.url, user.cookie);
    const list = subscribe<{ batchesChanged: { id: string } }>(socket.client, `subscription { batchesChanged { id } }`);
    const me = await overSocket<{ me: { name: string; kind: string } }>(socket.client, `{ me { name kind } }`);
    expect(me).toEqual({ kind: "result", results: [{ data: { me: { name: user.email, kind: "USER" } } }] });
    const staged = await eventually(async () => {
      const batch = await stage(app, tradesCsv(1));
      await sleep(100);
      return list.events.some((event) => event.data?.batchesChanged.id === batch.id) && batch;
    }, 10_000);
    expect(staged).toBeTruthy();
    list.stop();
  });

  it("signOut ends the session: the cookie no longer works over HTTP and its open socket closes 4401", async () => {
    const user = await readyUser(app, "VIEWER");
    const socket = await liveSocket(app, user.cookie);
    const out = await gql<{ signOut: boolean }>(app.url, { cookie: user.cookie }, SIGN_OUT);
    expect(dataOf(out)).toEqual({ signOut: true });
    // The response clears the cookie.
    const cleared = out.setCookies.find((header) => header.startsWith(`${SESSION_COOKIE}=`));
    expect(cleared).toMatch(new RegExp(`^${SESSION_COOKIE}=;`));
    const signedOutAt = Date.now();
    expect(await within(socket.closed, CLOSE_WITHIN_MS, "the signed-out session's socket")).toMatchObject({ code: 4401 });
    expect(Date.now() - signedOutAt).toBeLessThan(CLOSE_WITHIN_MS);
    expect(await meWith(app.url, user.cookie)).toBeNull();
    const refused = await gql(app.url, { cookie: user.cookie }, BATCHES);
    expect(codeOf(refused)).toBe("UNAUTHENTICATED");
    expect(refused.errors![0]!.message).toBe(NO_CREDENTIALS);
    // A new socket with the old cookie is refused at connection_init.
    expect(await overSocket(socketOf(app.url, user.cookie).client, ME)).toMatchObject({ kind: "closed", code: 4401 });
    // Signing out again (no session) is still true.
    expect(dataOf(await gql(app.url, { cookie: user.cookie }, SIGN_OUT))).toEqual({ signOut: true });
    expect(dataOf(await gql(app.url, {}, SIGN_OUT))).toEqual({ signOut: true });
  });

  it("a bearer key wins over the cookie; a wrong key never falls back to it", async () => {
    const user = await readyUser(app, "VIEWER");
    const key = await app.createKey("TRADER");
    const both = await gql<{ me: { kind: string; role: string } }>(app.url, { key, cookie: user.cookie }, ME);
    expect(both.data!.me).toMatchObject({ kind: "API_KEY", role: "TRADER" });
    const wrong = await gql(app.url, { key: `fxbt_${"z".repeat(43)}`, cookie: user.cookie }, ME);
    expect(codeOf(wrong)).toBe("UNAUTHENTICATED");
    expect(await meWith(app.url, user.cookie)).toMatchObject({ name: user.email });
  });

  it("after a lock ends, the count is not reset: one more wrong password locks again; a right one resets it", async () => {
    const password = "relock-right-password";
    await proveDespiteStalls(async () => {
      const user = await createUser(app, { role: "VIEWER", password });
      const attempt = (tried: string) => gql(app.url, {}, SIGN_IN, { email: user.email, password: tried });
      for (let i = 0; i < 3; i++) await attempt(`wrong-${i}`);
      // The lock ran from the third wrong password's arrival, before this.
      await sleepUntilPast(Date.now() + LOCK_MS);
      const sentAt = Date.now();
      expect(codeOf(await attempt("wrong-again"))).toBe("UNAUTHENTICATED");
      const answeredAt = Date.now();
      // Locked again by this one wrong password: the right one is refused until LOCK_MS after its arrival.
      const rightSentAt = Date.now();
      const right = await attempt(password);
      if (codeOf(right) === null) {
        expect(Date.now(), "the right password accepted before the new lock could end").toBeGreaterThanOrEqual(sentAt + LOCK_MS);
        return `the right password was sent ${rightSentAt - answeredAt} ms after the lock began`;
      }
      expect(rightSentAt, "the right password refused though sent after the new lock's end").toBeLessThan(answeredAt + LOCK_MS);
      await sleepUntilPast(answeredAt + LOCK_MS);
      expect((await signIn(app.url, user.email, password)).viewer.name).toBe(user.email);
      // The count starts again after a sign-in: two wrong ones do not lock.
      for (let i = 0; i < 2; i++) await attempt(`wrong-after-${i}`);
      expect((await signIn(app.url, user.email, password)).viewer.name).toBe(user.email);
      return null;
    });
  }, 240_000);

  it("over graphql-ws too: a key in connectionParams wins over the cookie, and a wrong one is refused 4401", async () => {
    const user = await readyUser(app, "VIEWER");
    const key = await app.createKey("TRADER");
    const both = socketClient(app.url, { key, cookie: user.cookie });
    const wrong = socketClient(app.url, { key: `fxbt_${"z".repeat(43)}`, cookie: user.cookie });
    sockets.push(both, wrong);
    expect(await overSocket(both.client, `{ me { kind role } }`)).toEqual({
      kind: "result",
      results: [{ data: { me: { kind: "API_KEY", role: "TRADER" } } }],
    });
    expect(await overSocket(wrong.client, ME)).toMatchObject({ kind: "closed", code: 4401 });
  });

  it("over graphql-ws, connectionParams' authorization is read whatever its case, as an HTTP header is: a wrong key never falls back to the cookie", async () => {
    const user = await readyUser(app, "VIEWER");
    const key = await app.createKey("TRADER");
    const withParams = (connectionParams: Record<string, unknown>) => {
      const client = createClient({
        url: app.url.replace("http", "ws"),
        webSocketImpl: webSocketWithHeaders({ cookie: user.cookie }),
        lazy: true,
        retryAttempts: 0,
        connectionParams,
      });
      clients.push(client);
      return client;
    };
    // The same header over HTTP: a wrong key is refused, whatever the cookie.
    expect(codeOf(await gql(app.url, { key: `fxbt_${"z".repeat(43)}`, cookie: user.cookie }, ME))).toBe("UNAUTHENTICATED");
    // Was the cookie's VIEWER: the key under "Authorization" was not read at all.
    expect(await overSocket(withParams({ Authorization: `Bearer fxbt_${"z".repeat(43)}` }), ME)).toMatchObject({
      kind: "closed",
      code: 4401,
    });
    expect(await overSocket(withParams({ Authorization: `Bearer ${key}` }), `{ me { kind role } }`)).toEqual({
      kind: "result",
      results: [{ data: { me: { kind: "API_KEY", role: "TRADER" } } }],
    });
    // Two spellings that disagree are no credentials to choose between.
    expect(
      await overSocket(withParams({ authorization: `Bearer ${key}`, AUTHORIZATION: `Bearer fxbt_${"z".repeat(43)}` }), ME),
    ).toMatchObject({ kind: "closed", code: 4401 });
  });

  it("the cookie does not help another site: no socket from a foreign Origin, no simple cross-site request", async () => {
    const user = await readyUser(app, "VIEWER");
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(app.url.replace("http", "ws"), "graphql-transport-ws", {
        headers: { cookie: user.cookie, origin: "https://evil.example" },
      });
      ws.on("unexpected-response", (_request, response) => resolve(response.statusCode ?? 0));
      ws.on("open", () => {
        ws.close();
        reject(new Error("a socket from a foreign origin was opened"));
      });
      ws.on("error", () => {});
    });
    expect(status).toBe(403);
    // A form post (text/plain) and a plain GET carry no preflight: Apollo refuses both before running them.
    const form = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "text/plain", cookie: user.cookie },
      body: JSON.stringify({ query: "{ me { name } }" }),
    });
    expect(form.status).toBe(400);
    const get = await fetch(`${app.url}?query=${encodeURIComponent("{ me { name } }")}`, { headers: { cookie: user.cookie } });
    expect(get.status).toBe(400);
    expect(await get.text()).not.toContain(user.email);
  });

  it("session fixation: signing in gives a new session id, and the cookie it came with stops working", async () => {
    const user = await readyUser(app, "VIEWER");
    const again = await signIn(app.url, user.email, user.password, user.cookie);
    expect(again.cookie).not.toBe(user.cookie);
    expect(again.cookie.split("=")[1]!.split(".")[0]).not.toBe(user.cookie.split("=")[1]!.split(".")[0]);
    expect(await meWith(app.url, again.cookie)).toMatchObject({ name: user.email });
    expect(await meWith(app.url, user.cookie)).toBeNull();
    // Two sign-ins without a cookie get two different sessions.
    const one = await signIn(app.url, user.email, user.password);
    const two = await signIn(app.url, user.email, user.password);
    expect(one.cookie).not.toBe(two.cookie);
  });

  it("disabling a user ends their sessions and closes their sockets; they cannot sign in until enabled", async () => {
    const user = await readyUser(app, "TRADER");
    const second = await signIn(app.url, user.email, user.password);
    const sockets = [await liveSocket(app, user.cookie), await liveSocket(app, second.cookie)];
    const disabled = await app.query<{ updateUser: { disabledAt: string | null } }>(UPDATE_USER, {
      input: { id: user.id, disabled: true },
    });
    expect(disabled.updateUser.disabledAt).not.toBeNull();
    for (const socket of sockets)
      expect(await within(socket.closed, CLOSE_WITHIN_MS, "a disabled user's socket")).toMatchObject({ code: 4401 });
    expect(await meWith(app.url, user.cookie)).toBeNull();
    expect(await meWith(app.url, second.cookie)).toBeNull();
    const refused = await gql(app.url, {}, SIGN_IN, { email: user.email, password: user.password });
    expect(codeOf(refused)).toBe("UNAUTHENTICATED");
    expect(refused.errors![0]!.message).toBe(REFUSED_SIGN_IN);
    // Enabled again, they sign in; the sessions that ended stay ended.
    await app.query(UPDATE_USER, { input: { id: user.id, disabled: false } });
    expect(await meWith(app.url, user.cookie)).toBeNull();
    const back = await signIn(app.url, user.email, user.password);
    expect(await meWith(app.url, back.cookie)).toMatchObject({ name: user.email });
  });

  it("resetPassword ends the user's sessions and gives a one-time password that must be changed", async () => {
    const user = await readyUser(app, "VIEWER");
    const socket = await liveSocket(app, user.cookie);
    const { resetPassword } = await app.query<{ resetPassword: { oneTimePassword: string; user: { mustChangePassword: boolean } } }>(
      RESET_PASSWORD,
      { id: user.id },
    );
    expect(resetPassword.user.mustChangePassword).toBe(true);
    expect(await within(socket.closed, CLOSE_WITHIN_MS, "the reset user's socket")).toMatchObject({ code: 4401 });
    expect(await meWith(app.url, user.cookie)).toBeNull();
    expect(codeOf(await gql(app.url, {}, SIGN_IN, { email: user.email, password: user.password }))).toBe("UNAUTHENTICATED");
    const fresh = await signIn(app.url, user.email, resetPassword.oneTimePassword);
    expect(fresh.viewer.mustChangePassword).toBe(true);
  });
});

describe("a role taken away", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(db.url, { ...GENEROUS_LIMITS, AUTH_RECHECK_MS: String(RECHECK_MS) });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("applies to the user's next HTTP request at once", async () => {
    const user = await readyUser(app, "ADMIN");
    expect(codeOf(await gql(app.url, { cookie: user.cookie }, `{ users { id } }`))).toBeNull();
    await app.query(UPDATE_USER, { input: { id: user.id, role: "VIEWER" } });
    const refused = await gql(app.url, { cookie: user.cookie }, `{ users { id } }`);
    expect(codeOf(refused)).toBe("FORBIDDEN");
    expect(refused.errors![0]!.message).toBe("manageAccess needs the ADMIN role or higher; you have VIEWER");
    expect(await meWith(app.url, user.cookie)).toMatchObject({ name: user.email });
  });

  // Found by this test: a socket used to keep the Caller of its connection_init, so a demoted
  // ADMIN could still mint an ADMIN key over an open socket. Each socket operation is now
  // authorised with the caller as it stands.
  it("applies to the user's open socket too: no operation there may use the old role", async () => {
    const user = await readyUser(app, "ADMIN");
    const socket = await liveSocket(app, user.cookie);
    await app.query(UPDATE_USER, { input: { id: user.id, role: "VIEWER" } });
    // Give the socket's recheck time to notice, then try an ADMIN operation on it.
    await sleep(3 * RECHECK_MS);
    const outcome = socket.isClosed()
      ? { kind: "closed" }
      : await overSocket<{ createApiKey: { key: string } }>(
          socket.client,
          `mutation { createApiKey(input: { role: ADMIN, name: "minted after demotion" }) { key } }`,
        );
    const minted =
      outcome.kind === "result"
        ? (outcome as { results: { data?: { createApiKey?: { key: string } } | null }[] }).results[0]?.data?.createApiKey
        : undefined;
    expect(minted, JSON.stringify(outcome)).toBeUndefined();
    if (outcome.kind === "result")
      expect(codeOf((outcome as { results: { errors?: { extensions?: { code?: unknown } }[] }[] }).results[0]!)).toBe("FORBIDDEN");
  });
});
