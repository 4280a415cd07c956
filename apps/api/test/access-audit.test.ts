import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActiveUser,
  activeUser,
  CREATE_API_KEY,
  CREATE_USER,
  codeOf,
  GENEROUS_LIMITS,
  gql,
  RESET_PASSWORD,
  REVOKE_API_KEY,
  sleep,
  UPDATE_USER,
} from "./access-fixtures";
import { stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * The audit log: ADMIN only, newest first in cursor pages without gaps or repeats, every filter,
 * access changes recorded with their subject, nothing recorded for answers that change nothing,
 * and rows that no one can change or delete, not even with SQL on the database.
 */

interface AuditNode {
  id: string;
  at: string;
  actorKind: string | null;
  actorId: string | null;
  actor: string;
  action: string;
  outcome: string;
  batchId: string | null;
  subject: string | null;
  address: string | null;
  detail: string | null;
}
interface AuditPage {
  auditLog: {
    totalCount: number;
    edges: { cursor: string; node: AuditNode }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const AUDIT = `query($first: Int, $after: String, $filter: AuditFilter) {
  auditLog(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id at actorKind actorId actor action outcome batchId subject address detail } }
    pageInfo { hasNextPage endCursor }
  }
}`;

let db: TestDatabase;
let app: TestApp;
let sql: pg.Client;
let admin: ActiveUser;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, GENEROUS_LIMITS);
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  admin = await activeUser(app, "ADMIN", { label: "Audit-Admin" });
});
afterAll(async () => {
  await sql?.end();
  await app?.close();
  await db?.drop();
});

type Filter = Record<string, unknown>;

async function page(first: number, after: string | null = null, filter: Filter | null = null) {
  return (await app.query<AuditPage>(AUDIT, { first, after, filter })).auditLog;
}

/** Every event matching the filter, read in pages of `size`, following the cursors. */
async function allPages(size: number, filter: Filter | null = null) {
  const nodes: AuditNode[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const connection = await page(size, after, filter);
    totals.add(connection.totalCount);
    nodes.push(...connection.edges.map((edge) => edge.node));
    expect(connection.edges.length).toBeLessThanOrEqual(size);
    if (!connection.pageInfo.hasNextPage) return { nodes, totals };
    expect(connection.edges).toHaveLength(size);
    expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)!.cursor);
    after = connection.pageInfo.endCursor;
  }
  throw new Error("more than 1000 pages");
}

/** Newest first: `at` never increases down the list, and among equal times the id decreases. */
function expectNewestFirst(nodes: AuditNode[]) {
  for (let i = 1; i < nodes.length; i++) {
    const [before, after] = [nodes[i - 1]!, nodes[i]!];
    const order = Date.parse(before.at) - Date.parse(after.at) || Number(BigInt(before.id) - BigInt(after.id));
    expect(order, `${JSON.stringify(before)} before ${JSON.stringify(after)}`).toBeGreaterThan(0);
  }
}

describe("who may read it", () => {
  it("ADMIN only: VIEWER and TRADER are FORBIDDEN, no credentials UNAUTHENTICATED; ADMIN keys and users read it", async () => {
    for (const role of ["VIEWER", "TRADER"] as const) {
      const answer = await gql(app.url, { key: await app.createKey(role) }, AUDIT, { first: 1 });
      expect(codeOf(answer)).toBe("FORBIDDEN");
      expect(answer.errors![0]!.message).toBe(`readAuditLog needs the ADMIN role or higher; you have ${role}`);
      expect(answer.data ?? null).toBeNull();
      const user = await activeUser(app, role);
      expect(codeOf(await gql(app.url, { cookie: user.cookie }, AUDIT, { first: 1 }))).toBe("FORBIDDEN");
    }
    expect(codeOf(await gql(app.url, {}, AUDIT, { first: 1 }))).toBe("UNAUTHENTICATED");
    expect((await gql(app.url, { cookie: admin.cookie }, AUDIT, { first: 1 })).errors).toBeUndefined();
    expect((await gql(app.url, { key: app.key }, AUDIT, { first: 1 })).errors).toBeUndefined();
  });
});

describe("pages", () => {
  beforeAll(async () => {
    // Many events within the same milliseconds: concurrent key creations.
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gql(app.url, { cookie: admin.cookie }, CREATE_API_KEY, { input: { role: "VIEWER", name: `page ${i}` } }),
      ),
    );
  });

  it("newest first, in cursor pages of any size with no gaps or repeats, totalCount the same on every page", async () => {
    const whole = await page(100);
    expect(whole.pageInfo.hasNextPage).toBe(false);
    expect(whole.totalCount).toBe(whole.edges.length);
    expect(whole.totalCount).toBeGreaterThan(30);
    const everything = whole.edges.map((edge) => edge.node);
    expectNewestFirst(everything);
    for (const size of [1, 3, 7, 30]) {
      const { nodes, totals } = await allPages(size);
      expect(nodes.map((node) => node.id)).toEqual(everything.map((node) => node.id));
      expect([...totals]).toEqual([whole.totalCount]);
    }
    // The same holds within a filter.
    const filter = { action: ["CREATE_API_KEY"] };
    const keys = await page(100, null, filter);
    expect(keys.edges.every((edge) => edge.node.action === "CREATE_API_KEY")).toBe(true);
    const { nodes } = await allPages(4, filter);
    expect(nodes.map((node) => node.id)).toEqual(keys.edges.map((edge) => edge.node.id));
    expect(nodes.filter((node) => node.subject?.startsWith("page ")).length).toBe(30);
  });

  it("refuses a page size outside 1–100 and a cursor it did not make", async () => {
    for (const first of [0, 101, -1]) expect(codeOf(await app.request(AUDIT, { first }))).toBe("BAD_USER_INPUT");
    const forged = Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "1; DROP TABLE audit_event"])).toString("base64url");
    expect(codeOf(await app.request(AUDIT, { first: 5, after: forged }))).toBe("BAD_USER_INPUT");
    expect(codeOf(await app.request(AUDIT, { first: 5, after: "not a cursor" }))).toBe("BAD_USER_INPUT");
  });
});

describe("filters", () => {
  it("by action, actor (part, case-insensitive, wildcards literal), batchId, outcome, and from/to", async () => {
    // A batch staged and started by the admin user; a refused start after it.
    const batch = await stage(app, tradesCsv(2));
    await gql(app.url, { cookie: admin.cookie }, `mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id });
    const refused = await gql(app.url, { cookie: admin.cookie }, `mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id });
    expect(codeOf(refused)).toBe("BAD_BATCH_STATE");

    const ofBatch = await page(100, null, { batchId: batch.id });
    expect(ofBatch.edges.map((edge) => `${edge.node.action} ${edge.node.outcome}`)).toEqual([
      "START_BATCH REFUSED",
      "START_BATCH SUCCEEDED",
      "STAGE_BATCH SUCCEEDED",
    ]);
    expect(ofBatch.totalCount).toBe(3);
    expect(ofBatch.edges.map((edge) => edge.node.actor)).toEqual([admin.email, admin.email, "test admin"]);
    expect((await page(100, null, { batchId: batch.id, outcome: "REFUSED" })).totalCount).toBe(1);
    expect((await page(100, null, { batchId: batch.id, action: ["STAGE_BATCH", "APPROVE_BATCH"] })).totalCount).toBe(1);
    // An id that names nothing, or is not an id: nothing, and no error.
    expect((await page(100, null, { batchId: "00000000-0000-4000-8000-000000000000" })).totalCount).toBe(0);
    expect((await page(100, null, { batchId: "not-an-id" })).totalCount).toBe(0);

    // Actor: part of the email, any case; LIKE's wildcards are taken literally.
    const byActor = await page(100, null, { actor: admin.email.split("@")[0]!.toUpperCase() });
    expect(byActor.totalCount).toBeGreaterThan(0);
    expect(byActor.edges.every((edge) => edge.node.actor === admin.email)).toBe(true);
    expect((await page(100, null, { actor: "%" })).totalCount).toBe(0);
    expect((await page(100, null, { actor: "_" })).totalCount).toBe(0);

    // Outcome and several actions at once.
    const refusals = await page(100, null, { outcome: "REFUSED" });
    expect(refusals.edges.every((edge) => edge.node.outcome === "REFUSED")).toBe(true);
    const actions = await page(100, null, { action: ["START_BATCH", "STAGE_BATCH"] });
    expect(new Set(actions.edges.map((edge) => edge.node.action))).toEqual(new Set(["START_BATCH", "STAGE_BATCH"]));

    // From and to: exactly the events between two instants.
    await sleep(50);
    const from = new Date();
    await sleep(50);
    const made = [];
    for (let i = 0; i < 3; i++) {
      const created = await gql<{ createApiKey: { apiKey: { id: string } } }>(app.url, { cookie: admin.cookie }, CREATE_API_KEY, {
        input: { role: "VIEWER", name: `window ${i}` },
      });
      made.push(created.data!.createApiKey.apiKey.id);
    }
    await sleep(50);
    const to = new Date();
    await sleep(50);
    await gql(app.url, { cookie: admin.cookie }, CREATE_API_KEY, { input: { role: "VIEWER", name: "after the window" } });
    const window = await page(100, null, { from: from.toISOString(), to: to.toISOString() });
    expect(window.edges.map((edge) => edge.node.subject?.split(" (")[0])).toEqual(["window 2", "window 1", "window 0"]);
    expect((await page(100, null, { from: to.toISOString() })).edges.map((edge) => edge.node.subject?.split(" (")[0])).toEqual([
      "after the window",
    ]);
    const until = await page(100, null, { to: from.toISOString() });
    expect(until.edges.some((edge) => edge.node.subject?.startsWith("window "))).toBe(false);
    // Every condition must hold.
    expect((await page(100, null, { from: from.toISOString(), to: to.toISOString(), outcome: "REFUSED" })).totalCount).toBe(0);
  });
});

describe("access changes", () => {
  it("CREATE_API_KEY, REVOKE_API_KEY, CREATE_USER, UPDATE_USER and RESET_PASSWORD are recorded with the subject, never a secret", async () => {
    const me = { cookie: admin.cookie };
    const key = (
      await gql<{ createApiKey: { key: string; apiKey: { id: string; prefix: string } } }>(app.url, me, CREATE_API_KEY, {
        input: { role: "TRADER", name: "audited key", partner: "acme" },
      })
    ).data!.createApiKey;
    await gql(app.url, me, REVOKE_API_KEY, { id: key.apiKey.id });
    const email = `audited-${Date.now()}@example.test`;
    const user = (
      await gql<{ createUser: { user: { id: string }; oneTimePassword: string } }>(app.url, me, CREATE_USER, {
        input: { email, role: "VIEWER" },
      })
    ).data!.createUser;
    await gql(app.url, me, UPDATE_USER, { input: { id: user.user.id, role: "TRADER" } });
    await gql(app.url, me, UPDATE_USER, { input: { id: user.user.id, disabled: true } });
    const reset = (await gql<{ resetPassword: { oneTimePassword: string } }>(app.url, me, RESET_PASSWORD, { id: user.user.id })).data!
      .resetPassword;

    const { edges } = await page(6, null, {
      actor: admin.email,
      action: ["CREATE_API_KEY", "REVOKE_API_KEY", "CREATE_USER", "UPDATE_USER", "RESET_PASSWORD"],
    });
    expect(edges.map(({ node }) => [node.action, node.outcome, node.subject])).toEqual([
      ["RESET_PASSWORD", "SUCCEEDED", email],
      ["UPDATE_USER", "SUCCEEDED", `${email}: disabled`],
      ["UPDATE_USER", "SUCCEEDED", `${email}: role TRADER`],
      ["CREATE_USER", "SUCCEEDED", `${email} (VIEWER)`],
      ["REVOKE_API_KEY", "SUCCEEDED", `audited key (${key.apiKey.prefix}…)`],
      ["CREATE_API_KEY", "SUCCEEDED", `audited key (${key.apiKey.prefix}…, TRADER, partner acme)`],
    ]);
    for (const { node } of edges) {
      expect(node).toMatchObject({ actorKind: "USER", actorId: admin.id, actor: admin.email, batchId: null });
      expect(node.address).toMatch(/^(::1|(::ffff:)?127\.0\.0\.1)$/);
    }
    const everything = JSON.stringify(await page(100));
    for (const secret of [key.key, user.oneTimePassword, reset.oneTimePassword]) expect(everything).not.toContain(secret);
  });

  it("answers that change nothing are not recorded: FORBIDDEN, UNAUTHENTICATED, NOT_FOUND, BAD_USER_INPUT", async () => {
    const viewer = await app.createKey("VIEWER");
    const before = (await page(1)).totalCount;
    await gql(app.url, { key: viewer }, `mutation { stageBatch(input: { csv: "x" }) { errors { message } } }`);
    await gql(app.url, {}, `mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: "00000000-0000-4000-8000-000000000000" });
    await gql(app.url, { cookie: admin.cookie }, `mutation($id: ID!) { startBatch(id: $id) { id } }`, {
      id: "00000000-0000-4000-8000-000000000000",
    });
    await gql(app.url, { cookie: admin.cookie }, `mutation { stageBatch(input: { csv: "not,a\\nfile" }) { errors { message } } }`);
    await gql(app.url, { cookie: admin.cookie }, CREATE_USER, { input: { email: "no email", role: "VIEWER" } });
    // An ADMIN cannot disable themselves (BAD_USER_INPUT), and that is not recorded either.
    const selfDisable = await gql(app.url, { cookie: admin.cookie }, UPDATE_USER, { input: { id: admin.id, disabled: true } });
    expect(codeOf(selfDisable)).toBe("BAD_USER_INPUT");
    const selfDemote = await gql(app.url, { cookie: admin.cookie }, UPDATE_USER, { input: { id: admin.id, role: "VIEWER" } });
    expect(codeOf(selfDemote)).toBe("BAD_USER_INPUT");
    expect((await page(1)).totalCount).toBe(before);
  });

  it("the address is the connection's: X-Forwarded-For is not believed without TRUST_PROXY", async () => {
    const response = await fetch(app.url, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: admin.cookie, "x-forwarded-for": "203.0.113.7" },
      body: JSON.stringify({ query: CREATE_API_KEY, variables: { input: { role: "VIEWER", name: "forwarded" } } }),
    });
    expect(response.status).toBe(200);
    const { edges } = await page(1, null, { action: ["CREATE_API_KEY"] });
    expect(edges[0]!.node.subject).toMatch(/^forwarded /);
    expect(edges[0]!.node.address).toMatch(/^(::1|(::ffff:)?127\.0\.0\.1)$/);
  });
});

describe("append-only", () => {
  it("an UPDATE, DELETE or TRUNCATE of audit_event, straight on the database, raises an error and changes nothing", async () => {
    const { rows: before } = await sql.query("SELECT count(*)::int AS count, max(id)::text AS newest FROM audit_event");
    expect(before[0].count).toBeGreaterThan(0);
    const newest = before[0].newest as string;
    const attempts = [
      ["UPDATE audit_event SET actor = 'someone else' WHERE id = $1", [newest]],
      ["UPDATE audit_event SET outcome = 'SUCCEEDED'", []],
      ["DELETE FROM audit_event WHERE id = $1", [newest]],
      ["DELETE FROM audit_event", []],
      ["TRUNCATE audit_event", []],
    ] as const;
    for (const [statement, values] of attempts) {
      await expect(sql.query(statement, [...values]), statement).rejects.toThrow("audit_event rows are never changed or deleted");
    }
    const { rows: after } = await sql.query("SELECT count(*)::int AS count, max(id)::text AS newest FROM audit_event");
    expect(after[0]).toEqual(before[0]);
    const { rows: actor } = await sql.query("SELECT actor FROM audit_event WHERE id = $1", [newest]);
    expect(actor[0].actor).not.toBe("someone else");
  });
});
