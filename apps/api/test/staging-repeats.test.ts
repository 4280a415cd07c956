import { type RowError, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import { eventually, type GraphQLResponse, STAGE, stage, type TestApp, tradesCsv, useTestApp } from "./harness";

interface StagedBatch {
  id: string;
  batchUid: string;
  status: string;
  totalTrades: number;
}
interface StagePayload {
  stageBatch: { batch: StagedBatch | null; errors: RowError[] };
}
interface ListEvent {
  batchListChanged: { kind: "CHANGED" | "DELETED"; batch: { id: string; batchUid: string; status: string } };
}

const DELETE = `mutation($id: ID!) { deleteBatch(id: $id) }`;

const { app, sql } = useTestApp();

/** Trades no other test of this file stages: the tag is part of every reference. */
function distinctCsv(tag: string, count = 4): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (let i = 1; i <= count; i++) lines.push(`C-${i},Client ${i},1234567890,ZAR,USD,BUY,${100 + i}.25,,${tag}-${i}`);
  return lines.join("\n");
}

/** stageBatch as the app's ADMIN key (of no partner), or as `caller`. */
function stageRaw(input: { csv: string; idempotencyKey?: string; allowDuplicate?: boolean; name?: string }, caller: TestApp = app) {
  return caller.request<StagePayload>(STAGE, { input });
}

async function stageOk(
  input: { csv: string; idempotencyKey?: string; allowDuplicate?: boolean },
  caller: TestApp = app,
): Promise<StagedBatch> {
  const response = await stageRaw(input, caller);
  expect(response.errors).toBeUndefined();
  expect(response.data!.stageBatch.errors).toEqual([]);
  expect(response.data!.stageBatch.batch).not.toBeNull();
  return response.data!.stageBatch.batch!;
}

async function batchCount(): Promise<number> {
  return (await app.query<{ batches: { totalCount: number } }>(`{ batches(first: 1) { totalCount } }`)).batches.totalCount;
}

/** The response must be the one DUPLICATE_FILE row error naming `earlier`, and no batch. */
function expectDuplicateOf(response: GraphQLResponse<StagePayload>, earlier: StagedBatch) {
  expect(response.errors).toBeUndefined();
  const { batch, errors } = response.data!.stageBatch;
  expect(batch).toBeNull();
  expect(errors).toHaveLength(1);
  expect(errors[0]!.row).toBeNull();
  expect(errors[0]!.field).toBeNull();
  expect(errors[0]!.message.startsWith("DUPLICATE_FILE:"), errors[0]!.message).toBe(true);
  expect(errors[0]!.message).toContain(earlier.batchUid);
}

describe("stageBatch with an idempotencyKey", () => {
  it("stages one batch for ten concurrent calls with one key, announces it once, and refuses the key for other trades", async () => {
    const subscription = app.collect<ListEvent>(`subscription { batchListChanged { kind batch { id batchUid status } } }`, {});
    const seen = (id: string) => subscription.events.filter((event) => event.batchListChanged.batch.id === id);
    // The subscription is live once it reports a probe batch staged after it.
    const probes = new Set<string>();
    await eventually(async () => {
      probes.add((await stage(app, tradesCsv(1), { name: "probe" })).id);
      await new Promise((resolve) => setTimeout(resolve, 150));
      return subscription.events.some((event) => probes.has(event.batchListChanged.batch.id));
    }, 10_000);

    const before = await batchCount();
    const csv = distinctCsv("KEYED", 20);
    const key = `upload-${Date.now()}`;
    const responses = await Promise.all(Array.from({ length: 10 }, () => stageRaw({ csv, idempotencyKey: key })));
    for (const response of responses) {
      expect(response.errors).toBeUndefined();
      expect(response.data!.stageBatch.errors).toEqual([]);
    }
    const ids = new Set(responses.map((response) => response.data!.stageBatch.batch!.id));
    expect(ids.size).toBe(1);
    const [batch] = responses.map((response) => response.data!.stageBatch.batch!);
    expect(batch).toMatchObject({ status: "PENDING", totalTrades: 20 });
    expect(await batchCount()).toBe(before + 1);
    const {
      rows: [stored],
    } = await sql.query(`SELECT count(*)::int AS batches FROM batch WHERE staging_key::jsonb ->> 1 = $1`, [key]);
    expect(stored.batches).toBe(1);

    // A batch staged after them is announced after them: once its event is in, theirs are too.
    const marker = await stage(app, tradesCsv(1), { name: "marker" });
    await eventually(async () => seen(marker.id).length > 0, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen(batch!.id).map((event) => event.batchListChanged.kind)).toEqual(["CHANGED"]);
    subscription.stop();

    // A later call with the key answers with the same batch, still without staging anything.
    expect((await stageOk({ csv, idempotencyKey: key })).id).toBe(batch!.id);

    const count = await batchCount();
    const other = await stageRaw({ csv: distinctCsv("OTHER", 3), idempotencyKey: key });
    expect(other.data?.stageBatch ?? null).toBeNull();
    expect(other.errors).toHaveLength(1);
    expect(other.errors![0]!.extensions?.code).toBe("BAD_USER_INPUT");
    expect(other.errors![0]!.message).toContain(batch!.batchUid);
    expect(other.errors![0]!.extensions?.batchUid).toBe(batch!.batchUid);
    expect(await batchCount()).toBe(count);
    const {
      rows: [other3],
    } = await sql.query(`SELECT count(*)::int AS trades FROM trade WHERE reference LIKE 'OTHER-%'`);
    expect(other3.trades).toBe(0);
  });
});

describe("stageBatch refusing a duplicate file", () => {
  const first = ["client_id,client_name,account_number,sell_currency,buy_currency,direction,amount,value_date,reference"];
  for (let i = 1; i <= 5; i++) first.push(`C-${i},Client ${i},1234567890,ZAR,USD,BUY,${250 + i}.50,,DUP-${i}`);
  const original = first.join("\n");
  // The same trades: other column order, lower-case codes, leading zeros, CRLF and a blank line.
  const reordered = ["reference,amount,direction,buy_currency,sell_currency,account_number,client_name,client_id,value_date"];
  for (let i = 1; i <= 5; i++) {
    reordered.push(`DUP-${i},000${250 + i}.50,buy,usd,zar,1234567890,Client ${i},C-${i},`);
    if (i === 2) reordered.push("");
  }
  const rewritten = `${reordered.join("\r\n")}\r\n`;

  it("refuses the same trades written differently, stages them with allowDuplicate, and again once the first is deleted", async () => {
    const firstBatch = await stageOk({ csv: original, allowDuplicate: false });
    const count = await batchCount();

    expectDuplicateOf(await stageRaw({ csv: rewritten, allowDuplicate: false }), firstBatch);
    expectDuplicateOf(await stageRaw({ csv: rewritten }), firstBatch);
    expectDuplicateOf(await stageRaw({ csv: original }), firstBatch);
    expect(await batchCount()).toBe(count);
    const {
      rows: [trades],
    } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE reference LIKE 'DUP-%'`);
    expect(trades.n).toBe(5);

    const allowed = await stageOk({ csv: rewritten, allowDuplicate: true });
    expect(allowed.id).not.toBe(firstBatch.id);
    expect(allowed.totalTrades).toBe(5);
    expect(await batchCount()).toBe(count + 1);

    // With both deleted, nothing recent has these trades: the file stages without allowDuplicate.
    expect((await app.query<{ deleteBatch: string }>(DELETE, { id: allowed.id })).deleteBatch).toBe(allowed.id);
    expectDuplicateOf(await stageRaw({ csv: rewritten }), firstBatch);
    expect((await app.query<{ deleteBatch: string }>(DELETE, { id: firstBatch.id })).deleteBatch).toBe(firstBatch.id);
    const again = await stageOk({ csv: rewritten });
    expect(again.totalTrades).toBe(5);
    expect(await batchCount()).toBe(count);
    expectDuplicateOf(await stageRaw({ csv: original }), again);
  });

  it("stages one batch of ten concurrent stagings of one new file; the other nine are told it is a duplicate", async () => {
    const before = await batchCount();
    const csv = distinctCsv("RACE", 50);
    const responses = await Promise.all(Array.from({ length: 10 }, () => stageRaw({ csv, allowDuplicate: false })));
    for (const response of responses) expect(response.errors).toBeUndefined();
    const staged = responses.map((response) => response.data!.stageBatch.batch).filter((batch) => batch !== null);
    expect(staged).toHaveLength(1);
    for (const response of responses) if (response.data!.stageBatch.batch === null) expectDuplicateOf(response, staged[0]!);
    expect(await batchCount()).toBe(before + 1);
    const {
      rows: [trades],
    } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE reference LIKE 'RACE-%'`);
    expect(trades.n).toBe(50);
  });

  it("looks back 7 days: a batch staged 6 days ago makes the file a duplicate, one staged 8 days ago does not", async () => {
    const csv = distinctCsv("WINDOW", 3);
    const earlier = await stageOk({ csv });
    await sql.query(`UPDATE batch SET created_at = now() - interval '6 days' WHERE id = $1`, [earlier.id]);
    expectDuplicateOf(await stageRaw({ csv }), earlier);

    await sql.query(`UPDATE batch SET created_at = now() - interval '8 days' WHERE id = $1`, [earlier.id]);
    const later = await stageOk({ csv });
    expect(later.id).not.toBe(earlier.id);
    expect(later.batchUid).not.toBe(earlier.batchUid);
    expectDuplicateOf(await stageRaw({ csv }), later);
  });
});

describe("stageBatch per partner", () => {
  it("keeps idempotency keys and duplicate files apart per partner, and never names another partner's batch", async () => {
    const [acme, globex] = [app.as(await app.createKey("TRADER", "acme")), app.as(await app.createKey("TRADER", "globex"))];
    const csv = distinctCsv("PARTNERS", 3);
    const key = `partner-upload-${Date.now()}`;

    const ours = await stageOk({ csv, idempotencyKey: key });
    // The same key and the same file from a partner: its own batch, neither the key's nor a duplicate's answer.
    const acmes = await stageOk({ csv, idempotencyKey: key }, acme);
    expect(acmes.id).not.toBe(ours.id);
    expect((await stageOk({ csv, idempotencyKey: key }, acme)).id).toBe(acmes.id);
    // The same key for other trades from a third partner: not "already staged batch …" of someone else's.
    const globexs = await stageOk({ csv: distinctCsv("GLOBEX", 2), idempotencyKey: key }, globex);
    expect([ours.id, acmes.id]).not.toContain(globexs.id);

    // A repeat of the file is a duplicate of the partner's own batch only, and names that one.
    const repeat = await stageRaw({ csv }, acme);
    expectDuplicateOf(repeat, acmes);
    expect(repeat.data!.stageBatch.errors[0]!.message).not.toContain(ours.batchUid);
    expectDuplicateOf(await stageRaw({ csv }), ours);
    const first = await stageOk({ csv }, globex);
    expect([ours.id, acmes.id, globexs.id]).not.toContain(first.id);

    const { rows } = await sql.query(
      `SELECT partner, count(*)::int AS batches FROM batch WHERE staging_key::jsonb ->> 1 = $1 GROUP BY 1 ORDER BY 1 NULLS FIRST`,
      [key],
    );
    expect(rows).toEqual([
      { partner: null, batches: 1 },
      { partner: "acme", batches: 1 },
      { partner: "globex", batches: 1 },
    ]);
  });
});
