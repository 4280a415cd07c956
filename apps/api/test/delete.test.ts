import { FINAL_BATCH_STATUSES } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_FIELDS, eventually, readSample, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

interface BatchNode {
  id: string;
  batchUid: string;
  status: string;
  totalTrades: number;
}

const DELETE = `mutation($id: ID!) { deleteBatch(id: $id) }`;
const BATCH = `query($id: ID!) { batch(id: $id) { ${BATCH_FIELDS} trades(first: 100) { totalCount edges { node { id } } } } }`;
/** The domain's final statuses, as strings the API returns. */
const FINAL: readonly string[] = FINAL_BATCH_STATUSES;

let db: Awaited<ReturnType<typeof testDatabase>>;
let app: TestApp;

beforeAll(async () => {
  db = await testDatabase();
  // A slow bank and few trades in flight: a 300-row batch stays RUNNING for several seconds.
  app = await startTestApp(db.url, { BANK_SIM_LATENCY_MS: "200", RUNNER_CONCURRENCY: "32" });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function batchWithTrades(id: string) {
  return (
    await app.query<{ batch: (BatchNode & { trades: { totalCount: number; edges: { node: { id: string } }[] } }) | null }>(BATCH, { id })
  ).batch;
}

async function tradeIsGone(id: string): Promise<boolean> {
  return (await app.query<{ trade: { id: string } | null }>(`query($id: ID!) { trade(id: $id) { id } }`, { id })).trade === null;
}

async function batchCount(): Promise<number> {
  return (await app.query<{ batches: { totalCount: number } }>(`{ batches(first: 1) { totalCount } }`)).batches.totalCount;
}

async function status(id: string): Promise<string | undefined> {
  return (await batchWithTrades(id))?.status;
}

describe("deleteBatch", () => {
  it("deletes a PENDING batch with its trades and returns its id", async () => {
    const batch = await stage(app, readSample("trades-small.csv"), { name: "to delete" });
    const before = await batchWithTrades(batch.id);
    const tradeIds = before!.trades.edges.map((edge) => edge.node.id);
    expect(tradeIds).toHaveLength(6);
    const count = await batchCount();

    const { deleteBatch } = await app.query<{ deleteBatch: string }>(DELETE, { id: batch.id });
    expect(deleteBatch).toBe(batch.id);
    expect(await batchWithTrades(batch.id)).toBeNull();
    for (const id of tradeIds) expect(await tradeIsGone(id), `trade ${id}`).toBe(true);
    expect(await batchCount()).toBe(count - 1);
  });

  it("deletes a CANCELLED batch", async () => {
    const batch = await stage(app, tradesCsv(3));
    await app.query(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: batch.id });
    await eventually(async () => (await status(batch.id)) === "CANCELLED");
    expect((await app.query<{ deleteBatch: string }>(DELETE, { id: batch.id })).deleteBatch).toBe(batch.id);
    expect(await batchWithTrades(batch.id)).toBeNull();
  });

  it("answers NOT_FOUND for an unknown id, a malformed id and a batch already deleted", async () => {
    const batch = await stage(app, tradesCsv(1));
    await app.query(DELETE, { id: batch.id });
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", batch.id]) {
      const response = await app.request<{ deleteBatch: string }>(DELETE, { id });
      expect(response.data ?? null, id).toBeNull();
      expect(response.errors?.[0]?.extensions?.code, id).toBe("NOT_FOUND");
      expect(response.errors?.[0]?.message, id).toContain(id);
    }
  });

  it("refuses to delete a RUNNING batch, saying to cancel it first, and once finished keeps its booked trades", async () => {
    const batch = await stage(app, tradesCsv(300), { name: "running" });
    await app.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id });
    await eventually(async () => (await status(batch.id)) === "RUNNING");

    const refused = await app.request<{ deleteBatch: string }>(DELETE, { id: batch.id });
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors![0]!.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(refused.errors![0]!.message).toMatch(/cancel/i);
    const still = await batchWithTrades(batch.id);
    expect(still).not.toBeNull();
    expect(still!.trades.totalCount).toBe(300);
    expect(still!.status).toBe("RUNNING");

    const final = await eventually(async () => {
      const current = await status(batch.id);
      return current && FINAL.includes(current) ? current : null;
    }, 60_000);
    expect(["SUCCESS", "PARTIAL_SUCCESS"]).toContain(final);
    const booked = await app.query<{ batch: { succeededTrades: number } }>(`query($id: ID!) { batch(id: $id) { succeededTrades } }`, {
      id: batch.id,
    });
    const again = await app.request<{ deleteBatch: string }>(DELETE, { id: batch.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(again.errors?.[0]?.message).toContain(`${booked.batch.succeededTrades} of its trades were booked`);
    const kept = await batchWithTrades(batch.id);
    expect(kept?.trades.totalCount).toBe(300);
    const history = await app.query<{ trades: { totalCount: number } }>(
      `query($batchId: ID!) { trades(first: 1, filter: { batchId: $batchId, status: [SUCCESS] }) { totalCount } }`,
      { batchId: batch.id },
    );
    expect(history.trades.totalCount).toBe(booked.batch.succeededTrades);
  }, 90_000);

  it("deletes a finished batch none of whose trades was booked", async () => {
    const batch = await stage(
      app,
      tradesCsv(5, () => "9999999999"),
    );
    await app.query(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id });
    await eventually(async () => (await status(batch.id)) === "FAILED");
    expect((await app.query<{ deleteBatch: string }>(DELETE, { id: batch.id })).deleteBatch).toBe(batch.id);
    expect(await batchWithTrades(batch.id)).toBeNull();
  });
});

describe("batchesChanged", () => {
  it("sees a batch created and then deleted", async () => {
    let target: string | null = null;
    const subscription = app.collect<{ batchesChanged: BatchNode }>(
      `subscription { batchesChanged { id batchUid status totalTrades } }`,
      {},
      (_, all) => target !== null && all.filter((event) => event.batchesChanged.id === target).length >= 2,
    );
    // The subscription is live once it reports a probe batch staged after it.
    const probes = new Set<string>();
    await eventually(async () => {
      probes.add((await stage(app, tradesCsv(1), { name: "probe" })).id);
      await new Promise((resolve) => setTimeout(resolve, 150));
      return subscription.events.some((event) => probes.has(event.batchesChanged.id));
    }, 10_000);

    const batch = await stage(app, tradesCsv(2), { name: "watched" });
    target = batch.id;
    const created = await eventually(async () => subscription.events.find((event) => event.batchesChanged.id === batch.id), 10_000);
    expect(created.batchesChanged).toMatchObject({ id: batch.id, status: "PENDING", totalTrades: 2 });

    await app.query(DELETE, { id: batch.id });
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no deletion event within 10 s")), 10_000));
    const events = await Promise.race([subscription.done, timeout]);
    const mine = events.filter((event) => event.batchesChanged.id === batch.id);
    expect(mine).toHaveLength(2);
    expect(mine[1]!.batchesChanged).toMatchObject({ id: batch.id, batchUid: mine[0]!.batchesChanged.batchUid });
    expect(await batchWithTrades(batch.id)).toBeNull();
    subscription.stop();
  });
});
