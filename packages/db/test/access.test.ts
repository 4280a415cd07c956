import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertAuditEvent, pageAuditEvents } from "../src/sql/audit-log";
import { pageBatches } from "../src/sql/batch-reads";
import {
  insertApiKey,
  insertUser,
  recordFailedSignIn,
  recordSignIn,
  revokeApiKey,
  unrevokedApiKeyIds,
  updateUser,
  useApiKey,
} from "../src/sql/principals";
import { endUserSessions, findLiveSession, liveSessionIds, saveSession, touchSession } from "../src/sql/sessions";
import { stageBatchOnce } from "../src/sql/stage-batch";
import { openTestDatabase, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

let serial = 0;
const newUser = (overrides: Partial<Parameters<typeof insertUser>[1]> = {}) =>
  insertUser(t.db.prisma, {
    email: `user${++serial}@example.com`,
    passwordHash: "$argon2id$test",
    role: "TRADER",
    partner: null,
    mustChangePassword: false,
    createdBy: "test",
    ...overrides,
  });

describe("users", () => {
  it("are unique by email: a second insert of one returns null", async () => {
    const user = await newUser({ email: "same@example.com" });
    expect(user?.email).toBe("same@example.com");
    expect(await newUser({ email: "same@example.com" })).toBeNull();
  });

  it("lock after the limit of failed sign-ins in a row, counted exactly under concurrent guesses", async () => {
    const user = (await newUser())!;
    const policy = { lockAfter: 5, lockMs: 60_000 };
    const counted = await Promise.all(Array.from({ length: 8 }, () => recordFailedSignIn(t.db.prisma, user.id, policy)));
    expect(counted.map((row) => row.failedSignIns).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const locked = counted.filter((row) => row.lockedUntil !== null);
    expect(Math.min(...locked.map((row) => row.failedSignIns))).toBe(5);
    const signedIn = await recordSignIn(t.db.prisma, user.id);
    expect([signedIn.failedSignIns, signedIn.lockedUntil, signedIn.lastSignInAt !== null]).toEqual([0, null, true]);
  });

  it("change role and are disabled and enabled, the first disable time kept", async () => {
    const user = (await newUser())!;
    const disabled = await updateUser(t.db.prisma, user.id, { disabled: true, role: "VIEWER" });
    expect(disabled?.role).toBe("VIEWER");
    const again = await updateUser(t.db.prisma, user.id, { disabled: true });
    expect(again?.disabledAt).toEqual(disabled?.disabledAt);
    expect((await updateUser(t.db.prisma, user.id, { disabled: false }))?.disabledAt).toBeNull();
    expect((await updateUser(t.db.prisma, user.id, {}))?.role).toBe("VIEWER");
  });
});

describe("API keys", () => {
  const key = (hash: string) =>
    insertApiKey(t.db.prisma, {
      name: "tool",
      prefix: "fxbt_abcdef",
      keyHash: hash.padEnd(64, "0"),
      role: "VIEWER",
      partner: null,
      createdBy: "test",
    });

  it("are found by hash until revoked, and revocation keeps its first time", async () => {
    const created = await key("a1");
    expect((await useApiKey(t.db.prisma, "a1".padEnd(64, "0")))?.id).toBe(created.id);
    expect(await unrevokedApiKeyIds(t.db.prisma, [created.id])).toEqual(new Set([created.id]));
    const revoked = await revokeApiKey(t.db.prisma, created.id);
    expect((await revokeApiKey(t.db.prisma, created.id))?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await useApiKey(t.db.prisma, "a1".padEnd(64, "0"))).toBeNull();
    expect(await unrevokedApiKeyIds(t.db.prisma, [created.id])).toEqual(new Set());
  });

  it("note their last use at most once a minute", async () => {
    await key("b2");
    const first = await useApiKey(t.db.prisma, "b2".padEnd(64, "0"));
    expect(first?.lastUsedAt).toBeNull(); // the row as found; the statement notes the use
    const second = await useApiKey(t.db.prisma, "b2".padEnd(64, "0"));
    expect(second?.lastUsedAt).not.toBeNull();
    const third = await useApiKey(t.db.prisma, "b2".padEnd(64, "0"));
    expect(third?.lastUsedAt).toEqual(second?.lastUsedAt);
  });
});

describe("sessions", () => {
  const cookie = { originalMaxAge: 60_000 };

  it("are live until their expiry, or until their user is disabled or their sessions ended", async () => {
    const user = (await newUser())!;
    const soon = new Date(Date.now() + 60_000);
    await saveSession(t.db.prisma, "s-live", { userId: user.id, data: { cookie, userId: user.id }, expiresAt: soon });
    await saveSession(t.db.prisma, "s-past", { userId: user.id, data: { cookie }, expiresAt: new Date(Date.now() - 1) });
    expect(await findLiveSession(t.db.prisma, "s-live")).toEqual({ cookie, userId: user.id });
    expect(await findLiveSession(t.db.prisma, "s-past")).toBeNull();
    expect(await liveSessionIds(t.db.prisma, ["s-live", "s-past", "s-none"])).toEqual(new Set(["s-live"]));

    await touchSession(t.db.prisma, "s-past", new Date(Date.now() + 60_000));
    expect(await findLiveSession(t.db.prisma, "s-past")).not.toBeNull();
    await touchSession(t.db.prisma, "s-past", new Date(Date.now() - 60_000)); // never earlier
    expect(await findLiveSession(t.db.prisma, "s-past")).not.toBeNull();

    await updateUser(t.db.prisma, user.id, { disabled: true });
    expect(await liveSessionIds(t.db.prisma, ["s-live", "s-past"])).toEqual(new Set());
    await updateUser(t.db.prisma, user.id, { disabled: false });
    expect(await endUserSessions(t.db.prisma, user.id, "s-live")).toBe(1);
    expect(await liveSessionIds(t.db.prisma, ["s-live", "s-past"])).toEqual(new Set(["s-live"]));
  });
});

describe("the audit log", () => {
  it("pages newest first without gaps, filters, and refuses changes and deletions", async () => {
    const actor = { actorKind: "USER" as const, actorId: null, actor: "auditor@example.com", outcome: "SUCCEEDED" as const };
    for (let i = 0; i < 5; i++) await insertAuditEvent(t.db.prisma, { ...actor, action: i % 2 ? "START_BATCH" : "STAGE_BATCH" });
    const filter = { actor: "auditor@" };
    const first = await pageAuditEvents(t.db.prisma, { first: 2, filter });
    expect(first.totalCount).toBe(5);
    const last = first.rows[1]!;
    const next = await pageAuditEvents(t.db.prisma, { first: 10, filter, after: { at: last.at.toISOString(), id: last.id.toString() } });
    const ids = [...first.rows.slice(0, 2), ...next.rows].map((row) => Number(row.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(5);
    expect((await pageAuditEvents(t.db.prisma, { first: 10, filter: { ...filter, actions: ["START_BATCH"] } })).totalCount).toBe(2);

    await expect(t.db.prisma.$executeRaw`UPDATE audit_event SET actor = 'someone else'`).rejects.toThrow(/never changed or deleted/);
    await expect(t.db.prisma.$executeRaw`DELETE FROM audit_event`).rejects.toThrow(/never changed or deleted/);
    await expect(t.db.prisma.$executeRaw`TRUNCATE audit_event`).rejects.toThrow(/never changed or deleted/);
  });
});

describe("partners' batches", () => {
  const row = {
    rowNumber: 1,
    clientId: "C-1",
    clientName: null,
    accountNumber: "1234567890",
    sellCurrency: "EUR",
    buyCurrency: "USD",
    direction: "SELL" as const,
    amount: "100.00",
    valueDate: null,
    reference: null,
  };
  const stageAs = (partner: string | null, stagingKey: string, contentHash: string) =>
    stageBatchOnce(t.db.prisma, { name: null, priority: 0, rows: [row], partner, stagingKey, contentHash, stagedBy: partner ?? "staff" });

  it("keep staging keys and duplicate files apart per partner, and list only their own", async () => {
    const acme = await stageAs("acme", "key-1", "c".repeat(64));
    expect(acme.kind).toBe("staged");
    expect((await stageAs("acme", "key-1", "c".repeat(64))).kind).toBe("sameKey");
    const globex = await stageAs("globex", "key-1", "c".repeat(64));
    expect(globex.kind).toBe("staged");
    expect(globex.batch.id).not.toBe(acme.batch.id);
    expect((await stageAs("globex", "key-2", "c".repeat(64))).kind).toBe("duplicateContent");

    const page = (partner: string | null) =>
      pageBatches(t.db.prisma, { first: 100, orderBy: { field: "CREATED_AT", descending: true }, partner });
    expect((await page("acme")).rows.map((batch) => batch.id)).toEqual([acme.batch.id]);
    expect((await page("acme")).totalCount).toBe(1);
    expect((await page(null)).rows.map((batch) => batch.id)).toEqual(expect.arrayContaining([acme.batch.id, globex.batch.id]));
  });
});
