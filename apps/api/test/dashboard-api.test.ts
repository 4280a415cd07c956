import type { TestDatabase } from "@fxbt/db/testing";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishedBatch, START, stage, startTestApp, type TestApp, testDatabase, tradesCsv } from "./harness";

let db: TestDatabase;
let app: TestApp;

beforeAll(async () => {
  db = await testDatabase();
  app = await startTestApp(db.url, { BANK_SIM_SUCCESS_RATE: "1" });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const finished = (id: string) => finishedBatch(app, id);

type Trade = { id: string; reference: string; status: string; batch: { id: string; batchUid: string } };
const HISTORY = `query($first: Int, $after: String, $filter: TradeFilter) {
  trades(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id reference status batch { id batchUid } } }
  }
}`;

describe("trade history across batches", () => {
  it("lists trades newest batch first, filters by batch, status and search, and pages without gaps", async () => {
    const older = await stage(app, tradesCsv(3));
    const newer = await stage(
      app,
      tradesCsv(4, (i) => (i === 2 ? "1000009999" : "1234567890")),
    );
    await app.query(START, { id: newer.id });
    await finished(newer.id);

    const all: Trade[] = [];
    let after: string | null = null;
    do {
      const {
        trades,
      }: { trades: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: Trade }[] } } =
        await app.query(HISTORY, { first: 2, after });
      expect(trades.totalCount).toBe(7);
      all.push(...trades.edges.map((e) => e.node));
      after = trades.pageInfo.hasNextPage ? trades.pageInfo.endCursor : null;
    } while (after);
    expect(new Set(all.map((t) => t.id)).size).toBe(7);
    expect(all.slice(0, 4).every((t) => t.batch.id === newer.id)).toBe(true);
    expect(all.slice(4).every((t) => t.batch.id === older.id)).toBe(true);
    expect(all.map((t) => t.reference)).toEqual(["REF-4", "REF-3", "REF-2", "REF-1", "REF-3", "REF-2", "REF-1"]);

    const failed = await app.query<{ trades: { totalCount: number; edges: { node: Trade }[] } }>(HISTORY, {
      first: 10,
      filter: { status: ["FAILED"] },
    });
    expect(failed.trades.edges.map((e) => e.node.reference)).toEqual(["REF-2"]);
    const ofOlder = await app.query<{ trades: { totalCount: number } }>(HISTORY, { first: 10, filter: { batchId: older.id } });
    expect(ofOlder.trades.totalCount).toBe(3);
    const searched = await app.query<{ trades: { totalCount: number; edges: { node: Trade }[] } }>(HISTORY, {
      first: 10,
      filter: { search: "ref-3" },
    });
    expect(searched.trades.edges.map((e) => e.node.reference)).toEqual(["REF-3", "REF-3"]);
    expect(searched.trades.totalCount).toBe(2);
    // A search is matched within one field: the account and the reference next to it are two.
    const across = await app.query<{ trades: { totalCount: number; edges: unknown[] } }>(HISTORY, {
      first: 10,
      filter: { search: "1234567890\nREF-3" },
    });
    expect(across.trades).toMatchObject({ totalCount: 0, edges: [] });
    const bad = await app.request(HISTORY, { first: 101 });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

describe("batchListChanged", () => {
  it("tells a created or changed batch from a deleted one", async () => {
    const events = app.collect<{ batchListChanged: { kind: string; batch: { id: string; status: string } } }>(
      `subscription { batchListChanged { kind batch { id status } } }`,
      {},
      (_, all) => all.some((e) => e.batchListChanged.kind === "DELETED"),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const batch = await stage(app, tradesCsv(2));
    await app.query(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: batch.id });
    const seen = (await events.done).filter((e) => e.batchListChanged.batch.id === batch.id).map((e) => e.batchListChanged.kind);
    expect(seen).toEqual(["CHANGED", "DELETED"]);
  });
});

describe("batchFeed", () => {
  it("says when it is listening: a batch staged as soon as that arrives is delivered, then its deletion", async () => {
    type FeedEvent = { batchFeed: { kind: string; batch: { id: string; status: string } | null } };
    let listening = () => {};
    const heard = new Promise<void>((resolve) => {
      listening = resolve;
    });
    const events = app.collect<FeedEvent>(`subscription { batchFeed { kind batch { id status } } }`, {}, (event, all) => {
      if (event.batchFeed.kind === "LISTENING") listening();
      return all.some((e) => e.batchFeed.kind === "DELETED");
    });
    // No pause for the API to set the subscription up (batchListChanged's test above waits 200 ms): LISTENING says it has.
    await heard;
    const batch = await stage(app, tradesCsv(2));
    await app.query(`mutation($id: ID!) { deleteBatch(id: $id) }`, { id: batch.id });
    const all = await events.done;
    expect(all[0]).toEqual({ batchFeed: { kind: "LISTENING", batch: null } });
    expect(all.filter((e) => e.batchFeed.kind === "LISTENING")).toHaveLength(1);
    expect(all.filter((e) => e.batchFeed.batch?.id === batch.id).map((e) => e.batchFeed.kind)).toEqual(["CHANGED", "DELETED"]);
  });
});

describe("results CSV export", () => {
  it("streams every trade with its outcome, formula-safe, as an attachment", async () => {
    const csv = [
      TRADE_CSV_COLUMNS.join(","),
      `C-1,"=HYPERLINK(""http://x"")",1234567890,USD,JPY,SELL,10.50,,+R1`,
      `C-2,"Comma, Inc",1000009999,ZAR,JPY,BUY,1500,,R2`,
    ].join("\n");
    const batch = await stage(app, csv);
    await app.query(START, { id: batch.id });
    await finished(batch.id);
    const { batch: withPath } = await app.query<{ batch: { resultsCsvPath: string; batchUid: string } }>(
      `query($id: ID!) { batch(id: $id) { resultsCsvPath batchUid } }`,
      { id: batch.id },
    );
    const withKey = { headers: { authorization: `Bearer ${app.key}` } };
    const response = await fetch(new URL(withPath.resultsCsvPath, app.url), withKey);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toContain(`${withPath.batchUid}-trades.csv`);
    const rows: Record<string, string>[] = parse(await response.text(), { columns: true });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      row: "1",
      client_name: `'=HYPERLINK("http://x")`,
      reference: "'+R1",
      amount: "10.50",
      status: "SUCCESS",
    });
    expect(rows[0]!.transaction_id).toMatch(/\S/);
    expect(rows[0]!.rate).toMatch(/^\d+\.\d+$/);
    expect(rows[1]).toMatchObject({
      client_name: "Comma, Inc",
      amount: "1500",
      status: "FAILED",
      error_code: "INVALID_ACCOUNT",
      transaction_id: "",
    });

    const missing = await fetch(new URL("/export/batches/00000000-0000-4000-8000-000000000000/trades.csv", app.url), withKey);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/application\/json/);
    expect(JSON.parse(await missing.text()).errors[0].extensions.code).toBe("NOT_FOUND");
  });

  it("answers 401 without credentials, with a wrong key or one not sent as Bearer, and 404 for another partner's batch", async () => {
    const batch = await stage(app, tradesCsv(1));
    const url = new URL(`/export/batches/${batch.id}/trades.csv`, app.url);
    const refusals: Record<string, string>[] = [{}, { authorization: "Bearer not-a-key" }, { authorization: app.key }];
    for (const headers of refusals) {
      const refused = await fetch(url, { headers });
      expect(refused.status, JSON.stringify(headers)).toBe(401);
      expect(refused.headers.get("content-type")).toMatch(/application\/json/);
      const body = await refused.text();
      expect(body).not.toContain("REF-1");
      expect(JSON.parse(body).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
    const partnerKey = await app.createKey("VIEWER", "other-partner");
    const hidden = await fetch(url, { headers: { authorization: `Bearer ${partnerKey}` } });
    expect(hidden.status).toBe(404);
    const body = await hidden.text();
    expect(body).not.toContain("REF-1");
    expect(JSON.parse(body).errors[0].extensions.code).toBe("NOT_FOUND");
    // A VIEWER key of no partner reads it: the 404 came from the partner, not from the batch.
    const viewerKey = await app.createKey("VIEWER");
    expect((await fetch(url, { headers: { authorization: `Bearer ${viewerKey}` } })).status).toBe(200);
  });
});
