/** Export failures → fix → stage again (issue 10), and the full results export staged again. */
import type { TestDatabase } from "@fxbt/db/testing";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finishedBatch, STAGE, START, stage, startTestApp, type TestApp, testDatabase } from "./harness";

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

const FAILURES_HEADER = [...TRADE_CSV_COLUMNS, "error_code", "error_message"];

type Staged = {
  stageBatch: {
    batch: { id: string; totalTrades: number } | null;
    errors: { row: number | null; field: string | null; message: string }[];
  };
};
type Paths = { batch: { batchUid: string; failuresCsvPath: string; resultsCsvPath: string } };
type TradeCells = {
  rowNumber: number;
  clientId: string;
  clientName: string | null;
  accountNumber: string;
  amount: string;
  reference: string | null;
  status: string;
};

const PATHS = `query($id: ID!) { batch(id: $id) { batchUid failuresCsvPath resultsCsvPath } }`;
const TRADES = `query($id: ID!) { batch(id: $id) { trades(first: 100) { edges { node { rowNumber clientId clientName accountNumber amount reference status } } } } }`;

async function download(path: string, key = app.key): Promise<Response> {
  return fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${key}` } });
}

async function tradesOf(id: string): Promise<TradeCells[]> {
  const { batch } = await app.query<{ batch: { trades: { edges: { node: TradeCells }[] } } }>(TRADES, { id });
  return batch.trades.edges.map((edge) => edge.node);
}

/** A CSV line of plain cells (the test's own values need no quoting but the one it quotes). */
const line = (cells: readonly string[]) => cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(",");

/** Stages and runs `csv` to its end; the batch's id. */
async function ranBatch(csv: string): Promise<string> {
  const batch = await stage(app, csv);
  await app.query(START, { id: batch.id });
  await finishedBatch(app, batch.id);
  return batch.id;
}

describe("failures export", () => {
  it("holds only the failed trades in the upload columns plus why; fixed, it stages again as a new batch and runs", async () => {
    const run = String(Date.now()).slice(-8);
    const id = await ranBatch(
      [
        TRADE_CSV_COLUMNS.join(","),
        `C-1,Fine,1234567890,ZAR,USD,BUY,100.25,,OK-${run}`,
        // Accounts ending 9999 are refused by the bank simulator (INVALID_ACCOUNT).
        `-C2,"=Bad, Ltd",10${run}9999,USD,JPY,SELL,10.50,,+F2-${run}`,
        `C-3,Fine too,2345678901,ZAR,EUR,BUY,200,,OK3-${run}`,
        `C-4,,20${run}9999,ZAR,JPY,BUY,1500,,`,
      ].join("\n"),
    );
    const { batch } = await app.query<Paths>(PATHS, { id });
    expect(batch.failuresCsvPath).toBe(`/export/batches/${id}/failures.csv`);

    const response = await download(batch.failuresCsvPath);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(response.headers.get("content-disposition")).toContain(`${batch.batchUid}-failures.csv`);
    const text = await response.text();
    const [header, ...rows] = parse(text) as string[][];
    expect(header).toEqual(FAILURES_HEADER);
    // Only rows 2 and 4, in row order, as uploaded (formula-safe, like every export), then the bank's answer.
    expect(rows.map((row) => row.slice(0, TRADE_CSV_COLUMNS.length))).toEqual([
      ["'-C2", "'=Bad, Ltd", `10${run}9999`, "USD", "JPY", "SELL", "10.50", "", `'+F2-${run}`],
      ["C-4", "", `20${run}9999`, "ZAR", "JPY", "BUY", "1500", "", ""],
    ]);
    expect(rows.map((row) => row[TRADE_CSV_COLUMNS.length])).toEqual(["INVALID_ACCOUNT", "INVALID_ACCOUNT"]);
    expect(rows.every((row) => row[TRADE_CSV_COLUMNS.length + 1]!.length > 0)).toBe(true);

    // Fix the account column and stage the file as it is otherwise, duplicate check on.
    const account = TRADE_CSV_COLUMNS.indexOf("account_number");
    const fixed = [line(header!), ...rows.map((row, i) => line(row.map((cell, c) => (c === account ? `3${run}${i}00` : cell))))].join(
      "\r\n",
    );
    const { stageBatch } = await app.query<Staged>(STAGE, { input: { csv: fixed } });
    expect(stageBatch.errors).toEqual([]);
    expect(stageBatch.batch?.totalTrades).toBe(2);
    const again = stageBatch.batch!.id;
    // The export's formula escape is undone: the new trades are the old ones but for the account.
    expect(await tradesOf(again)).toEqual([
      {
        rowNumber: 1,
        clientId: "-C2",
        clientName: "=Bad, Ltd",
        accountNumber: `3${run}000`,
        amount: "10.50",
        reference: `+F2-${run}`,
        status: "PENDING",
      },
      { rowNumber: 2, clientId: "C-4", clientName: null, accountNumber: `3${run}100`, amount: "1500", reference: null, status: "PENDING" },
    ]);
    await app.query(START, { id: again });
    const done = await finishedBatch(app, again);
    expect({ status: done.status, succeeded: done.succeededTrades, failed: done.failedTrades }).toEqual({
      status: "SUCCESS",
      succeeded: 2,
      failed: 0,
    });

    // Nothing failed there: its failures export is the header alone.
    const { batch: fixedBatch } = await app.query<Paths>(PATHS, { id: again });
    expect(await (await download(fixedBatch.failuresCsvPath)).text()).toBe(`${FAILURES_HEADER.join(",")}\r\n`);
  });

  it("is guarded like the results export: 401 without credentials, 404 for another partner's batch or none", async () => {
    const id = (await stage(app, `${TRADE_CSV_COLUMNS.join(",")}\nC-1,Secret,1234567890,ZAR,USD,BUY,1,,SECRET-1`)).id;
    const url = new URL(`/export/batches/${id}/failures.csv`, app.url);
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(await anonymous.text()).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const hidden = await download(url.pathname, await app.createKey("VIEWER", "other-partner"));
    expect(hidden.status).toBe(404);
    expect(await hidden.text()).not.toContain("SECRET-1");
    expect((await download("/export/batches/00000000-0000-4000-8000-000000000000/failures.csv")).status).toBe(404);
    expect((await download(url.pathname, await app.createKey("VIEWER"))).status).toBe(200);
    // A batchUid in the id's place: NOT_FOUND saying it is one, as every GraphQL field that takes an id answers it.
    const { batch } = await app.query<Paths>(PATHS, { id });
    const byUid = await download(`/export/batches/${batch.batchUid}/failures.csv`);
    expect(byUid.status).toBe(404);
    const uidAnswer = (await byUid.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(uidAnswer.errors[0]!.extensions.code).toBe("NOT_FOUND");
    expect(uidAnswer.errors[0]!.message).toContain(`${batch.batchUid} is a batchUid`);
  });
});

describe("results export staged again", () => {
  it("is accepted with all its columns: a duplicate of its batch, and staged when duplicates are allowed", async () => {
    const run = String(Date.now()).slice(-8);
    const id = await ranBatch(
      [
        TRADE_CSV_COLUMNS.join(","),
        `C-1,Acme,1234567890,ZAR,USD,BUY,100.25,2099-01-02,R1-${run}`,
        `C-2,,30${run}9999,USD,ZAR,SELL,7,,R2-${run}`,
      ].join("\n"),
    );
    const { batch } = await app.query<Paths>(PATHS, { id });
    const exported = await (await download(batch.resultsCsvPath)).text();
    expect(exported.split("\r\n")[0]).toMatch(
      /^row,client_id,.*,status,quote_id,rate,transaction_id,error_code,error_message,attempts,updated_at$/,
    );

    // No "Unknown column": the file is read, and its trades are exactly its batch's.
    const repeated = await app.query<Staged>(STAGE, { input: { csv: exported } });
    expect(repeated.stageBatch.batch).toBeNull();
    expect(repeated.stageBatch.errors).toEqual([
      expect.objectContaining({ row: null, message: expect.stringMatching(new RegExp(`^DUPLICATE_FILE: .*${batch.batchUid}`)) }),
    ]);
    const allowed = await app.query<Staged>(STAGE, { input: { csv: exported, allowDuplicate: true } });
    expect(allowed.stageBatch.errors).toEqual([]);
    expect(await tradesOf(allowed.stageBatch.batch!.id)).toEqual((await tradesOf(id)).map((trade) => ({ ...trade, status: "PENDING" })));
  });

  it("still refuses a truly unknown column, naming it", async () => {
    const { stageBatch } = await app.query<Staged>(STAGE, {
      input: { csv: `${FAILURES_HEADER.join(",")},notes\nC-1,Acme,1234567890,ZAR,USD,BUY,1,,,X,Y,hello` },
    });
    expect(stageBatch.batch).toBeNull();
    expect(stageBatch.errors).toEqual([
      expect.objectContaining({ row: 0, field: "notes", message: expect.stringMatching(/^Unknown column "notes"/) }),
    ]);
  });
});
