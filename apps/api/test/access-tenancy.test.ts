import { createHash } from "node:crypto";
import type { TestDatabase } from "@fxbt/db/testing";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BATCH_FEED,
  BATCH_LIST_CHANGED,
  BATCHES_CHANGED,
  codeOf,
  createUser,
  GENEROUS_LIMITS,
  type SocketClient,
  socketClient,
  subscribe,
  within,
} from "./access-fixtures";
import { eventually, finishedBatch, STAGE, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

/**
 * Partners see only their own batches: another partner's batch is NOT_FOUND (or null, or absent
 * from a list) on every query, command, subscription and the export, never FORBIDDEN, so its
 * existence is not revealed. Staff of no partner see every batch.
 */

let db: TestDatabase;
let app: TestApp;
let acme: TestApp;
let globex: TestApp;
/** The app's own ADMIN key, of no partner. */
let staff: TestApp;
const keys: Record<"acme" | "globex", string> = { acme: "", globex: "" };
const sockets: SocketClient[] = [];

interface Staged {
  id: string;
  batchUid: string;
}

/** One batch staged by each partner and one by staff, PENDING, and a trade id of each partner's. */
let acmeBatch: Staged;
let globexBatch: Staged;
let staffBatch: Staged;
let acmeTradeId: string;

/** Trades no other batch of this file has: the tag is in every reference. */
function distinctCsv(tag: string, count = 3): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= count; i++) lines.push(`C-${i},Client ${i},1234567890,ZAR,USD,BUY,${100 + i}.25,,${tag}-${i}`);
  return lines.join("\n");
}

async function stageAs(as: TestApp, csv: string, extra: Record<string, unknown> = {}) {
  return as.request<{ stageBatch: { batch: (Staged & { partner?: string | null }) | null; errors: { message: string }[] } }>(STAGE, {
    input: { csv, ...extra },
  });
}

/** A batch this caller stages (the same trades again allowed), with its uid. */
async function staged(as: TestApp, csv: string): Promise<Staged> {
  const answer = await stageAs(as, csv, { allowDuplicate: true });
  const batch = answer.data?.stageBatch.batch;
  if (!batch) throw new Error(`staging failed: ${JSON.stringify(answer)}`);
  return batch;
}

beforeAll(async () => {
  db = await testDatabase();
  // Slow bank answers keep a started batch RUNNING long enough to be seen among the active ones.
  app = await startTestApp(db.url, {
    ...GENEROUS_LIMITS,
    BANK_SIM_LATENCY_MS: "400",
    BANK_SIM_SUCCESS_RATE: "1",
  });
  staff = app;
  // A partner's principals are at most TRADER (ADMIN is the operations staff's).
  keys.acme = await app.createKey("TRADER", "acme");
  keys.globex = await app.createKey("TRADER", "globex");
  acme = app.as(keys.acme);
  globex = app.as(keys.globex);
  acmeBatch = await staged(acme, tradesCsv(3));
  globexBatch = await staged(globex, tradesCsv(3));
  staffBatch = await staged(staff, tradesCsv(2));
  const { batch } = await acme.query<{ batch: { trades: { edges: { node: { id: string } }[] } } }>(
    `query($id: ID!) { batch(id: $id) { trades(first: 1) { edges { node { id } } } } }`,
    { id: acmeBatch.id },
  );
  acmeTradeId = batch.trades.edges[0]!.node.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app?.close();
  await db?.drop();
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const BATCH_PARTNER = `query($id: ID!) { batch(id: $id) { id partner stagedBy status } }`;

describe("a batch belongs to its stager's partner", () => {
  it("Batch.partner is the partner of the key that staged it, null for staff", async () => {
    const read = async (as: TestApp, id: string) =>
      (await as.query<{ batch: { partner: string | null } | null }>(BATCH_PARTNER, { id })).batch;
    expect((await read(acme, acmeBatch.id))?.partner).toBe("acme");
    expect((await read(globex, globexBatch.id))?.partner).toBe("globex");
    expect((await read(staff, staffBatch.id))?.partner).toBeNull();
  });

  it("staff see every batch, of every partner", async () => {
    for (const id of [acmeBatch.id, globexBatch.id, staffBatch.id]) {
      expect((await staff.query<{ batch: { id: string } | null }>(BATCH_PARTNER, { id })).batch?.id).toBe(id);
    }
    const { batches } = await staff.query<{ batches: { totalCount: number; edges: { node: { id: string } }[] } }>(
      `{ batches(first: 100) { totalCount edges { node { id } } } }`,
    );
    const ids = batches.edges.map((edge) => edge.node.id);
    expect(ids).toEqual(expect.arrayContaining([acmeBatch.id, globexBatch.id, staffBatch.id]));
    expect(batches.totalCount).toBe(ids.length);
  });
});

describe("another partner's batch is not found on every query", () => {
  it("batch and batchResults answer null, with no error", async () => {
    for (const [as, id] of [
      [globex, acmeBatch.id],
      [acme, globexBatch.id],
      [acme, staffBatch.id],
    ] as const) {
      const batch = await as.request<{ batch: unknown }>(BATCH_PARTNER, { id });
      expect(batch).toEqual({ data: { batch: null } });
      const results = await as.request<{ batchResults: unknown }>(`query($id: ID!) { batchResults(id: $id) { succeededTrades } }`, { id });
      expect(results).toEqual({ data: { batchResults: null } });
    }
    // The owner does see them: the nulls above are tenancy, not a bad id.
    expect(
      (await acme.query<{ batchResults: unknown }>(`query($id: ID!) { batchResults(id: $id) { succeededTrades } }`, { id: acmeBatch.id }))
        .batchResults,
    ).not.toBeNull();
  });

  it("trade answers null for a trade of another partner's batch", async () => {
    const query = `query($id: ID!) { trade(id: $id) { id batch { id } } }`;
    expect(await globex.request(query, { id: acmeTradeId })).toEqual({ data: { trade: null } });
    expect((await acme.query<{ trade: { id: string; batch: { id: string } } }>(query, { id: acmeTradeId })).trade).toEqual({
      id: acmeTradeId,
      batch: { id: acmeBatch.id },
    });
    expect((await staff.query<{ trade: { id: string } }>(query, { id: acmeTradeId })).trade.id).toBe(acmeTradeId);
  });

  it("trades(filter: {batchId}) of another partner's batch is empty, and the unfiltered history holds only the partner's trades", async () => {
    const query = `query($filter: TradeFilter) { trades(first: 100, filter: $filter) { totalCount edges { node { id batch { id partner } } } } }`;
    const foreign = await globex.query<{ trades: { totalCount: number; edges: unknown[] } }>(query, { filter: { batchId: acmeBatch.id } });
    expect(foreign.trades).toEqual({ totalCount: 0, edges: [] });
    const own = await acme.query<{ trades: { totalCount: number } }>(query, { filter: { batchId: acmeBatch.id } });
    expect(own.trades.totalCount).toBe(3);
    const all = await globex.query<{ trades: { totalCount: number; edges: { node: { batch: { partner: string } } }[] } }>(query, {});
    expect(all.trades.edges.map((edge) => edge.node.batch.partner)).toEqual(all.trades.edges.map(() => "globex"));
    expect(all.trades.totalCount).toBe(all.trades.edges.length);
  });

  it("batches lists and counts only the partner's own batches", async () => {
    const query = `{ batches(first: 100) { totalCount edges { node { id partner } } } }`;
    for (const [as, partner, own] of [
      [acme, "acme", acmeBatch.id],
      [globex, "globex", globexBatch.id],
    ] as const) {
      const { batches } = await as.query<{ batches: { totalCount: number; edges: { node: { id: string; partner: string } }[] } }>(query);
      expect(batches.edges.map((edge) => edge.node.partner)).toEqual(batches.edges.map(() => partner));
      expect(batches.edges.map((edge) => edge.node.id)).toContain(own);
      expect(batches.totalCount).toBe(batches.edges.length);
    }
    // The search finds another partner's batch by its uid for staff only.
    const search = `query($s: String) { batches(first: 5, filter: { search: $s }) { totalCount } }`;
    expect((await globex.query<{ batches: { totalCount: number } }>(search, { s: acmeBatch.batchUid })).batches.totalCount).toBe(0);
    expect((await staff.query<{ batches: { totalCount: number } }>(search, { s: acmeBatch.batchUid })).batches.totalCount).toBe(1);
  });
});

describe("another partner's batch is NOT_FOUND to every command, and stays as it was", () => {
  const COMMANDS = {
    startBatch: `mutation($id: ID!) { startBatch(id: $id) { id } }`,
    approveBatch: `mutation($id: ID!) { approveBatch(id: $id) { id } }`,
    cancelBatch: `mutation($id: ID!) { cancelBatch(id: $id) { id } }`,
    retryFailedTrades: `mutation($id: ID!) { retryFailedTrades(id: $id) { id } }`,
  };

  it.each(Object.entries(COMMANDS))("%s", async (command, mutation) => {
    const before = await staff.query<{ batch: { status: string } }>(BATCH_PARTNER, { id: acmeBatch.id });
    const answer = await globex.request(mutation, { id: acmeBatch.id });
    expect(codeOf(answer), JSON.stringify(answer)).toBe("NOT_FOUND");
    expect(answer.errors![0]!.message).toBe(`batch ${acmeBatch.id} does not exist`);
    expect(answer.errors![0]!.message).not.toContain(acmeBatch.batchUid);
    // Exactly the answer an id that names nothing gets.
    const unknown = "00000000-0000-4000-8000-000000000000";
    const nothing = await globex.request(mutation, { id: unknown });
    expect(JSON.stringify(answer).replaceAll(acmeBatch.id, unknown)).toBe(JSON.stringify(nothing));
    // The batch is untouched, and the refusal of an id the caller may not see is not in the audit log.
    expect((await staff.query<{ batch: { status: string } }>(BATCH_PARTNER, { id: acmeBatch.id })).batch).toEqual(before.batch);
    const { auditLog } = await staff.query<{ auditLog: { totalCount: number } }>(
      `query($id: ID!) { auditLog(first: 10, filter: { batchId: $id, outcome: REFUSED }) { totalCount } }`,
      { id: acmeBatch.id },
    );
    expect(auditLog.totalCount, command).toBe(0);
    // Staff's batch is as invisible to a partner.
    const staffs = await acme.request(mutation, { id: staffBatch.id });
    expect(codeOf(staffs)).toBe("NOT_FOUND");
  });

  it("deleteBatch is the staff's: a partner hears FORBIDDEN for any id, its own, another's or none, alike", async () => {
    const mutation = `mutation($id: ID!) { deleteBatch(id: $id) }`;
    const answers = await Promise.all(
      [acmeBatch.id, globexBatch.id, "00000000-0000-4000-8000-000000000000"].map((id) => globex.request(mutation, { id })),
    );
    for (const answer of answers) {
      expect(codeOf(answer)).toBe("FORBIDDEN");
      expect(answer).toEqual(answers[0]);
    }
    expect(JSON.stringify(answers[0])).not.toContain(acmeBatch.id);
    expect((await staff.query<{ batch: { id: string } | null }>(BATCH_PARTNER, { id: acmeBatch.id })).batch?.id).toBe(acmeBatch.id);
  });
});

describe("subscriptions", () => {
  it("batchProgress and tradeStatusChanged of another partner's batch end with NOT_FOUND; the owner's start", async () => {
    const globexSocket = socketClient(app.url, { key: keys.globex });
    const acmeSocket = socketClient(app.url, { key: keys.acme });
    sockets.push(globexSocket, acmeSocket);
    for (const document of [
      `subscription($id: ID!) { batchProgress(id: $id) { batch { id } } }`,
      `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { trade { id } } }`,
    ]) {
      const outcome = await within(subscribe(globexSocket.client, document, { id: acmeBatch.id }).ended, 5_000, document);
      expect(outcome.kind).toBe("result");
      const results = (outcome as { results: { errors?: { extensions?: { code?: string } }[] }[] }).results;
      expect(results).toHaveLength(1);
      expect(codeOf(results[0]!)).toBe("NOT_FOUND");
    }
    const own = subscribe<{ batchProgress: { batch: { id: string } } }>(
      acmeSocket.client,
      `subscription($id: ID!) { batchProgress(id: $id) { batch { id } } }`,
      { id: acmeBatch.id },
    );
    await eventually(async () => own.events.length > 0, 5_000);
    expect(own.events[0]).toEqual({ data: { batchProgress: { batch: { id: acmeBatch.id } } } });
    own.stop();
  });

  it.each([
    ["batchesChanged", BATCHES_CHANGED, (data: Record<string, unknown>) => data.batchesChanged as { id: string; partner: string | null }],
    [
      "batchListChanged",
      BATCH_LIST_CHANGED,
      (data: Record<string, unknown>) => (data.batchListChanged as { batch: { id: string; partner: string | null } }).batch,
    ],
    [
      "batchFeed",
      BATCH_FEED,
      // Its first event, LISTENING, carries no batch.
      (data: Record<string, unknown>) => (data.batchFeed as { batch: { id: string; partner: string | null } | null }).batch,
    ],
  ])("%s delivers to each partner only its own batches' events; staff get all", async (_name, document, batchOf) => {
    const subscribers = {
      acme: socketClient(app.url, { key: keys.acme }),
      globex: socketClient(app.url, { key: keys.globex }),
      staff: socketClient(app.url, { key: app.key }),
    };
    sockets.push(...Object.values(subscribers));
    const live = Object.fromEntries(
      Object.entries(subscribers).map(([who, socket]) => [who, subscribe<Record<string, unknown>>(socket.client, document)]),
    ) as Record<keyof typeof subscribers, ReturnType<typeof subscribe<Record<string, unknown>>>>;
    const seen = (who: keyof typeof subscribers) => live[who].events.flatMap((event) => batchOf(event.data!) ?? []);
    // Live once each partner's subscriber has seen a probe of its own.
    await eventually(async () => {
      const probes = await Promise.all([stage(acme, tradesCsv(1)), stage(globex, tradesCsv(1))]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return seen("acme").some((batch) => batch.id === probes[0].id) && seen("globex").some((batch) => batch.id === probes[1].id);
    }, 15_000);
    // In order: each partner's last batch comes after the other's, so once it arrives the other's would have.
    const acme1 = await stage(acme, tradesCsv(2));
    const globex1 = await stage(globex, tradesCsv(2));
    const acme2 = await stage(acme, tradesCsv(2));
    const globex2 = await stage(globex, tradesCsv(2));
    await eventually(async () => seen("acme").some((batch) => batch.id === acme2.id), 10_000);
    await eventually(async () => seen("globex").some((batch) => batch.id === globex2.id), 10_000);
    await eventually(
      async () => [acme1, globex1, acme2, globex2].every(({ id }) => seen("staff").some((batch) => batch.id === id)),
      10_000,
    );
    for (const who of ["acme", "globex"] as const) {
      expect(seen(who).length).toBeGreaterThan(0);
      expect(seen(who).map((batch) => batch.partner)).toEqual(seen(who).map(() => who));
      expect(live[who].events.every((event) => event.errors === undefined)).toBe(true);
    }
    expect(seen("acme").map((b) => b.id)).toEqual(expect.arrayContaining([acme1.id, acme2.id]));
    expect(seen("globex").map((b) => b.id)).toEqual(expect.arrayContaining([globex1.id, globex2.id]));
    expect(new Set(seen("staff").map((batch) => batch.partner))).toEqual(new Set(["acme", "globex"]));
    for (const subscription of Object.values(live)) subscription.stop();
  });
});

describe("running batches", () => {
  it("activeBatches and recentBatches list only the partner's own; staff's list both", async () => {
    const acmeRun = await stage(acme, tradesCsv(2));
    const globexRun = await stage(globex, tradesCsv(2));
    await acme.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: acmeRun.id });
    await globex.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: globexRun.id });
    const active = async (as: TestApp) =>
      (await as.query<{ activeBatches: { id: string; partner: string | null }[] }>(`{ activeBatches { id partner } }`)).activeBatches;
    const [acmeActive, globexActive, staffActive] = await Promise.all([active(acme), active(globex), active(staff)]);
    expect(acmeActive.map((batch) => batch.id)).toContain(acmeRun.id);
    expect(acmeActive.every((batch) => batch.partner === "acme")).toBe(true);
    expect(globexActive.map((batch) => batch.id)).toContain(globexRun.id);
    expect(globexActive.every((batch) => batch.partner === "globex")).toBe(true);
    expect(staffActive.map((batch) => batch.id)).toEqual(expect.arrayContaining([acmeRun.id, globexRun.id]));

    await finishedBatch(staff, acmeRun.id);
    await finishedBatch(staff, globexRun.id);
    const recent = async (as: TestApp) =>
      (await as.query<{ recentBatches: { id: string; partner: string | null }[] }>(`{ recentBatches(limit: 50) { id partner } }`))
        .recentBatches;
    const [acmeRecent, globexRecent, staffRecent] = await Promise.all([recent(acme), recent(globex), recent(staff)]);
    expect(acmeRecent.map((batch) => batch.id)).toEqual([acmeRun.id]);
    expect(globexRecent.map((batch) => batch.id)).toEqual([globexRun.id]);
    expect(staffRecent.map((batch) => batch.id)).toEqual(expect.arrayContaining([acmeRun.id, globexRun.id]));

    // A finished batch of another partner: still NOT_FOUND, where its owner hears BAD_BATCH_STATE.
    const start = `mutation($id: ID!) { startBatch(id: $id) { id } }`;
    expect(codeOf(await globex.request(start, { id: acmeRun.id }))).toBe("NOT_FOUND");
    expect(codeOf(await acme.request(start, { id: acmeRun.id }))).toBe("BAD_BATCH_STATE");
  });
});

describe("the CSV export", () => {
  const exportOf = (id: string, key: string) =>
    fetch(app.url.replace("/graphql", `/export/batches/${id}/trades.csv`), { headers: { authorization: `Bearer ${key}` } });

  it("answers another partner's batch with 404 JSON NOT_FOUND, its own and staff with the CSV", async () => {
    const foreign = await exportOf(acmeBatch.id, keys.globex);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await foreign.json()).toEqual({
      errors: [{ message: `batch ${acmeBatch.id} does not exist`, extensions: { code: "NOT_FOUND", id: acmeBatch.id } }],
    });
    for (const key of [keys.acme, app.key]) {
      const own = await exportOf(acmeBatch.id, key);
      expect(own.status).toBe(200);
      expect(own.headers.get("content-type")).toMatch(/^text\/csv/);
      expect((await own.text()).trim().split("\r\n")).toHaveLength(1 + 3);
    }
    const staffs = await exportOf(staffBatch.id, keys.acme);
    expect(staffs.status).toBe(404);
  });
});

describe("staging repeats stay within a partner", () => {
  it("an idempotencyKey another partner used stages a new batch of this partner's, never answering with the other's", async () => {
    const csv = distinctCsv("IDEM");
    const first = await stageAs(acme, csv, { idempotencyKey: "shared-key", allowDuplicate: true });
    const acmeStaged = first.data!.stageBatch.batch!;
    // The same key and the same trades from another partner: a batch of its own.
    const second = await stageAs(globex, csv, { idempotencyKey: "shared-key", allowDuplicate: true });
    expect(second.errors).toBeUndefined();
    const globexStaged = second.data!.stageBatch.batch!;
    expect(globexStaged.id).not.toBe(acmeStaged.id);
    expect((await staff.query<{ batch: { partner: string } }>(BATCH_PARTNER, { id: globexStaged.id })).batch.partner).toBe("globex");
    // The same key with other trades from a third owner (staff): staged, no error naming acme's batch.
    const third = await stageAs(staff, distinctCsv("IDEM-OTHER"), { idempotencyKey: "shared-key", allowDuplicate: true });
    expect(third.errors).toBeUndefined();
    expect(third.data!.stageBatch.batch!.id).not.toBe(acmeStaged.id);
    expect(JSON.stringify(third)).not.toContain(acmeStaged.batchUid);
    // Within a partner the key still works: acme's repeat answers with acme's batch, nothing new.
    const repeat = await stageAs(acme, csv, { idempotencyKey: "shared-key", allowDuplicate: true });
    expect(repeat.data!.stageBatch.batch!.id).toBe(acmeStaged.id);
    const otherContent = await stageAs(globex, distinctCsv("IDEM-GLOBEX-OTHER"), { idempotencyKey: "shared-key" });
    expect(codeOf(otherContent)).toBe("BAD_USER_INPUT");
    expect(otherContent.errors![0]!.message).toContain(globexStaged.batchUid);
    expect(otherContent.errors![0]!.message).not.toContain(acmeStaged.batchUid);
  });

  it("the duplicate-file check does not reveal another partner's batch of the same trades", async () => {
    const csv = distinctCsv("DUP");
    const acmeStaged = (await stageAs(acme, csv)).data!.stageBatch.batch!;
    expect(acmeStaged).not.toBeNull();
    const globexAnswer = await stageAs(globex, csv);
    expect(globexAnswer.errors).toBeUndefined();
    expect(globexAnswer.data!.stageBatch.errors).toEqual([]);
    expect(globexAnswer.data!.stageBatch.batch!.id).not.toBe(acmeStaged.id);
    expect(JSON.stringify(globexAnswer)).not.toContain(acmeStaged.batchUid);
    // Within acme the check holds: the same file again is a DUPLICATE_FILE naming acme's batch.
    const again = await stageAs(acme, csv);
    expect(again.data!.stageBatch.batch).toBeNull();
    expect(again.data!.stageBatch.errors).toHaveLength(1);
    expect(again.data!.stageBatch.errors[0]!.message).toMatch(/^DUPLICATE_FILE:/);
    expect(again.data!.stageBatch.errors[0]!.message).toContain(acmeStaged.batchUid);
  });
});

describe("a partner's principals hold at most TRADER, so nothing they hold reaches past their partner", () => {
  const ADMIN_OPERATIONS = {
    users: `{ users { id } }`,
    apiKeys: `{ apiKeys { id } }`,
    auditLog: `{ auditLog(first: 10) { totalCount } }`,
    createApiKey: `mutation { createApiKey(input: { role: ADMIN, name: "made by a partner" }) { key } }`,
    createUser: `mutation { createUser(input: { email: "made-by-partner@example.test", role: ADMIN }) { oneTimePassword } }`,
    resetPassword: `mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword } }`,
    updateUser: `mutation($id: ID!) { updateUser(input: { id: $id, disabled: true }) { id } }`,
    revokeApiKey: `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
  };

  it("an ADMIN key or user cannot be made for a partner, nor a partner's user made ADMIN (BAD_USER_INPUT)", async () => {
    const key = await app.request(`mutation { createApiKey(input: { role: ADMIN, partner: "acme" }) { key } }`);
    expect(codeOf(key), JSON.stringify(key)).toBe("BAD_USER_INPUT");
    expect(key.errors![0]!.message).toContain("a partner's users and keys are at most TRADER");
    const user = await app.request(
      `mutation { createUser(input: { email: "partner-admin@example.test", role: ADMIN, partner: "acme" }) { oneTimePassword } }`,
    );
    expect(codeOf(user)).toBe("BAD_USER_INPUT");
    const trader = await createUser(app, { role: "TRADER", partner: "acme" });
    const promote = await app.request(`mutation($id: ID!) { updateUser(input: { id: $id, role: ADMIN }) { role } }`, { id: trader.id });
    expect(codeOf(promote)).toBe("BAD_USER_INPUT");
    const { users } = await app.query<{ users: { id: string; role: string }[] }>(`{ users { id role } }`);
    expect(users.find((candidate) => candidate.id === trader.id)?.role).toBe("TRADER");
    // Staff ADMINs and partner TRADERs are still made as before.
    expect(codeOf(await app.request(`mutation { createApiKey(input: { role: TRADER, partner: "acme" }) { key } }`))).toBeNull();
    expect(codeOf(await app.request(`mutation { createApiKey(input: { role: ADMIN }) { key } }`))).toBeNull();
  });

  it.each(Object.entries(ADMIN_OPERATIONS))(
    "a partner's key cannot use %s (FORBIDDEN), so it cannot mint staff credentials or read others' events",
    async (_, document) => {
      const staffUser = await createUser(app, { role: "ADMIN" });
      const answer = await acme.request(document, { id: staffUser.id });
      expect(codeOf(answer), JSON.stringify(answer)).toBe("FORBIDDEN");
      expect(answer.data ?? null).toBeNull();
    },
  );

  it("a partner's ADMIN key left from before the rule acts as a TRADER", async () => {
    const legacy = await app.createKey("TRADER", "acme");
    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const { rowCount } = await sql.query(`UPDATE api_key SET role = 'ADMIN' WHERE key_hash = $1`, [sha256(legacy)]);
      expect(rowCount).toBe(1);
    } finally {
      await sql.end();
    }
    const as = app.as(legacy);
    expect((await as.query<{ me: { role: string; partner: string } }>(`{ me { role partner } }`)).me).toEqual({
      role: "ADMIN",
      partner: "acme",
    });
    const staffUser = await createUser(app, { role: "ADMIN" });
    for (const document of Object.values(ADMIN_OPERATIONS)) {
      const answer = await as.request(document, { id: staffUser.id });
      expect(codeOf(answer), `${document}: ${JSON.stringify(answer)}`).toBe("FORBIDDEN");
    }
    expect(codeOf(await as.request(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: acmeBatch.id }))).toBe("FORBIDDEN");
    // What a TRADER may do, it still does: its own partner's batches only.
    expect((await as.query<{ batch: { id: string } | null }>(BATCH_PARTNER, { id: globexBatch.id })).batch).toBeNull();
    expect((await as.query<{ batch: { id: string } | null }>(BATCH_PARTNER, { id: acmeBatch.id })).batch?.id).toBe(acmeBatch.id);
  });
});
