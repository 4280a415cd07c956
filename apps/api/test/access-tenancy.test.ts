import type { TestDatabase } from "@fxbt/db/testing";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
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
  keys.acme = await app.createKey("ADMIN", "acme");
  keys.globex = await app.createKey("ADMIN", "globex");
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
    deleteBatch: `mutation($id: ID!) { deleteBatch(id: $id) }`,
  };

  it.each(Object.entries(COMMANDS))("%s", async (command, mutation) => {
    const before = await staff.query<{ batch: { status: string } }>(BATCH_PARTNER, { id: acmeBatch.id });
    const answer = await globex.request(mutation, { id: acmeBatch.id });
    expect(codeOf(answer), JSON.stringify(answer)).toBe("NOT_FOUND");
    expect(answer.errors![0]!.message).toBe(`batch ${acmeBatch.id} does not exist`);
    expect(answer.errors![0]!.message).not.toContain(acmeBatch.batchUid);
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
    const seen = (who: keyof typeof subscribers) => live[who].events.map((event) => batchOf(event.data!));
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

// BUG (apps/api/src/services/access.ts and apps/api/src/graphql/access-resolvers.ts): users,
// apiKeys, createUser, updateUser, resetPassword, createApiKey, revokeApiKey and auditLog ignore
// the caller's partner. A partner's ADMIN (a key or user made with --partner and role ADMIN) can
// mint a staff key that sees every partner's batches, read other partners' batch events in the
// audit log, and reset a staff ADMIN's password and receive the one-time password, so "a
// partner's users and keys see only that partner's batches" (docs/access.md) does not hold.
// Remove `.fails` once manageAccess and readAuditLog are confined (or partner ADMINs refused).
describe("a partner's ADMIN stays within its partner", () => {
  it.fails("cannot make itself credentials that see another partner's batches", async () => {
    // Whatever createApiKey answers (a refusal, or a key confined to acme), the key must not see globex's batch.
    const created = await acme.request<{ createApiKey: { key: string } }>(
      `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`,
      { input: { role: "ADMIN", name: "made by acme" } },
    );
    const key = created.data?.createApiKey.key;
    if (key) {
      const seen = await app.as(key).request<{ batch: { id: string } | null }>(BATCH_PARTNER, { id: globexBatch.id });
      expect(seen.data?.batch ?? null).toBeNull();
    }
  });

  it.fails("cannot read another partner's batches in the audit log", async () => {
    const answer = await acme.request<{ auditLog: { totalCount: number } }>(
      `query($id: ID!) { auditLog(first: 10, filter: { batchId: $id }) { totalCount } }`,
      { id: globexBatch.id },
    );
    expect(answer.data?.auditLog.totalCount ?? 0).toBe(0);
  });

  it.fails("cannot take over a staff user by resetting their password", async () => {
    const staffUser = await createUser(app, { role: "ADMIN" });
    const reset = await acme.request<{ resetPassword: { oneTimePassword: string } }>(
      `mutation($id: ID!) { resetPassword(id: $id) { oneTimePassword } }`,
      { id: staffUser.id },
    );
    expect(reset.data?.resetPassword.oneTimePassword ?? null).toBeNull();
  });
});
