import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { GENEROUS_LIMITS } from "./access-fixtures";
import { finishedBatch, START, stage, tradesCsv, useTestApp } from "./harness";
import { createdTrade, createTrade, entry, futureDate, type TradeFields } from "./trade-entry-fixtures";

/**
 * Trades entered by hand have no CSV row (Trade.rowNumber null) yet keep their position in their
 * batch: the pages, the preview, the reference check, the exports and a retry by selection.
 */

const { app, sql } = useTestApp({ ...GENEROUS_LIMITS, BANK_SIM_LATENCY_MS: "5", BANK_SIM_SUCCESS_RATE: "1" });

const create = (input: Record<string, unknown>) => createTrade(app, input);
const created = (input: Record<string, unknown>) => createdTrade(app, input);

describe("createTrade and row numbers", () => {
  const PAGE = `query($id: ID!, $after: String) { batch(id: $id) { trades(first: 2, after: $after) {
    edges { node { id rowNumber } } pageInfo { hasNextPage endCursor } } } }`;
  const HISTORY_PAGE = `query($id: ID!, $after: String) { trades(first: 2, after: $after, filter: { batchId: $id }) {
    edges { node { id } } pageInfo { hasNextPage endCursor } } }`;
  type Page<T> = { edges: { node: T }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

  async function everyPage<T>(read: (after: string | null) => Promise<Page<T>>): Promise<T[]> {
    const nodes: T[] = [];
    for (let after: string | null = null, pages = 0; pages < 10; pages++) {
      const page: Page<T> = await read(after);
      nodes.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
    throw new Error("more pages than trades");
  }

  it("a staged batch's CSV rows keep 1…n; trades entered by hand have none, yet keep their place in every page and check", async () => {
    const batch = await stage(app, tradesCsv(3));
    const first = await created(entry({ batchId: batch.id, valueDate: futureDate(3) }));
    const second = await created(entry({ batchId: batch.id }));
    expect([first.rowNumber, second.rowNumber]).toEqual([null, null]);

    // Inside, they are positions 4 and 5, after the file's rows: the runner's claim order and the cancel's windows.
    const { rows } = await sql.query(`SELECT row_number, entered_singly FROM trade WHERE batch_id = $1 ORDER BY row_number`, [batch.id]);
    expect(rows.map((row) => [row.row_number, row.entered_singly])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
      [5, true],
    ]);

    // Pages of two: the cursors carry the position, so the pages neither skip nor repeat the trades without a row.
    const paged = await everyPage(async (after) => {
      const read = await app.query<{ batch: { trades: Page<{ id: string; rowNumber: number | null }> } }>(PAGE, { id: batch.id, after });
      return read.batch.trades;
    });
    expect(paged.map((trade) => trade.rowNumber)).toEqual([1, 2, 3, null, null]);
    expect(paged.slice(3).map((trade) => trade.id)).toEqual([first.id, second.id]);
    const history = await everyPage(async (after) => {
      const read = await app.query<{ trades: Page<{ id: string }> }>(HISTORY_PAGE, { id: batch.id, after });
      return read.trades;
    });
    expect(new Set(history.map((trade) => trade.id))).toEqual(new Set(paged.map((trade) => trade.id)));
    expect(history).toHaveLength(5);

    // The preview names CSV rows only: the one value date only a trade entered by hand has, none.
    const preview = await app.query<{
      batch: { preview: { valueDates: { valueDate: string | null; tradeCount: number; firstRow: number | null }[] } };
    }>(`query($id: ID!) { batch(id: $id) { preview { valueDates { valueDate tradeCount firstRow } } } }`, { id: batch.id });
    expect(preview.batch.preview.valueDates).toEqual([
      { valueDate: null, tradeCount: 4, firstRow: 1 },
      { valueDate: futureDate(3), tradeCount: 1, firstRow: null },
    ]);

    // A reference taken by a trade entered by hand is named by that trade, not by a row.
    const again = await create(entry({ batchId: batch.id, reference: first.reference }));
    expect(again.data!.createTrade.errors).toEqual([
      {
        row: null,
        field: "reference",
        message: `reference "${first.reference}" is already used in batch ${first.batch.batchUid} by trade ${first.id}, entered by hand; references must be unique within a batch`,
      },
    ]);
  });

  it("the results and failures exports of a batch with a trade entered by hand stage again as they are", async () => {
    const batch = await stage(app, tradesCsv(2));
    // Accounts ending 9999 are refused by the bank simulator (INVALID_ACCOUNT): the trade entered by hand fails.
    const byHand = await created(entry({ batchId: batch.id, accountNumber: "1000009999" }));
    await app.query(START, { id: batch.id });
    expect(await finishedBatch(app, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 1 });
    const download = async (path: string) => {
      const response = await fetch(new URL(path, app.url), { headers: { authorization: `Bearer ${app.key}` } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const STAGED = `mutation($csv: String!) { stageBatch(input: { csv: $csv, allowDuplicate: true }) {
      batch { id totalTrades trades(first: 10) { edges { node { rowNumber clientId accountNumber amount reference } } } }
      errors { row field message } } }`;
    type Restaged = {
      stageBatch: {
        batch: { totalTrades: number; trades: { edges: { node: Partial<TradeFields> }[] } } | null;
        errors: unknown[];
      };
    };
    const handCells = { clientId: byHand.clientId, accountNumber: "1000009999", amount: "1500.50", reference: byHand.reference };

    // The results export: the trade's row cell is empty (staging ignores the row column).
    const results = await download(`/export/batches/${batch.id}/trades.csv`);
    const [header, ...lines] = parse(results) as string[][];
    expect(lines.map((line) => line[header!.indexOf("row")])).toEqual(["1", "2", ""]);
    const fromResults = await app.query<Restaged>(STAGED, { csv: results });
    expect(fromResults.stageBatch.errors).toEqual([]);
    const restaged = fromResults.stageBatch.batch!.trades.edges.map((edge) => edge.node);
    expect(restaged.map((trade) => trade.rowNumber)).toEqual([1, 2, 3]);
    expect(restaged[2]).toMatchObject(handCells);

    // The failures export: only that trade, which becomes row 1 of the new file.
    const failures = await download(`/export/batches/${batch.id}/failures.csv`);
    const fromFailures = await app.query<Restaged>(STAGED, { csv: failures });
    expect(fromFailures.stageBatch.errors).toEqual([]);
    expect(fromFailures.stageBatch.batch!.trades.edges.map((edge) => edge.node)).toEqual([{ rowNumber: 1, ...handCells }]);

    // Retried by selection, it is named by its id, not by a row, in the audit record.
    await app.query(`mutation($id: ID!, $tradeIds: [ID!]) { retryFailedTrades(id: $id, tradeIds: $tradeIds) { id } }`, {
      id: batch.id,
      tradeIds: [byHand.id],
    });
    const audit = await sql.query(`SELECT detail FROM audit_event WHERE batch_id = $1 AND action = 'RETRY_FAILED_TRADES'`, [batch.id]);
    expect(audit.rows).toEqual([{ detail: `${byHand.batch.batchUid}: retried 1 selected trade (trade ${byHand.id}): 1 INVALID_ACCOUNT` }]);
  });
});
