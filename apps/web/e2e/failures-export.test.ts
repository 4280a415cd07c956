/** "Export failures" on a batch's page: the failed trades in the upload format, fixed and staged again. */
import { readFileSync } from "node:fs";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { describe, expect, test } from "vitest";
import {
  batchFromApi,
  browserForFile,
  CSV_HEADER,
  e2e,
  parseCsv,
  stageViaApi,
  startViaApi,
  tradesFromApi,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

const BATCH_PAGE = /\/batches\/([0-9a-f-]{36})$/;

/** A CSV line; cells with a comma or a quote are quoted. */
const csvLine = (cells: readonly string[]) =>
  cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(",");

describe("Export failures", () => {
  test("the page exports the failed trades in the upload format; fixed, they stage again from the New batch page", async () => {
    const { page } = browserHolder.current;
    // This run's own account numbers, so no other test's file is a duplicate of the fixed one.
    const run = String(Date.now()).slice(-8);
    const csv = [
      CSV_HEADER,
      `C-1,Fine,1${run}1,ZAR,USD,BUY,100.00,,FX-${run}-1`,
      // Accounts ending 9999 are refused by the bank simulator (INVALID_ACCOUNT).
      `C-2,"=Closed, Ltd",1${run}9999,ZAR,EUR,BUY,200.50,,FX-${run}-2`,
      `C-3,Fine,1${run}3,USD,ZAR,SELL,300,,FX-${run}-3`,
      `C-4,Gone,2${run}9999,GBP,ZAR,SELL,400.25,,FX-${run}-4`,
    ].join("\n");
    const staged = await stageViaApi(csv, { name: "E2E failures" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);
    const failed = (await tradesFromApi(staged.id)).filter((trade) => trade.status === "FAILED");
    expect(failed.map((trade) => trade.reference)).toEqual(expect.arrayContaining([`FX-${run}-2`, `FX-${run}-4`]));

    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { name: "Results" }).waitFor();
    const link = page.getByRole("link", { name: "Export failures (CSV)" });
    expect(await link.getAttribute("href")).toBe(`${e2e().apiOrigin}/export/batches/${staged.id}/failures.csv`);

    // A click is a top-level navigation carrying the session cookie, like the results export.
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toBe(`${staged.batchUid}-failures.csv`);
    const [header, ...rows] = parseCsv(readFileSync((await download.path())!, "utf8"));
    expect(header).toEqual([...TRADE_CSV_COLUMNS, "error_code", "error_message"]);
    const column = (name: string) => header!.indexOf(name);
    // Exactly the failed trades, in row order, each with the bank's code.
    expect(rows.map((row) => row[column("reference")])).toEqual(failed.map((trade) => trade.reference));
    expect(rows.map((row) => row[column("error_code")])).toEqual(failed.map((trade) => trade.errorCode));
    const closed = rows.find((row) => row[column("reference")] === `FX-${run}-2`)!;
    expect(closed.slice(0, TRADE_CSV_COLUMNS.length)).toEqual([
      "C-2",
      "'=Closed, Ltd",
      `1${run}9999`,
      "ZAR",
      "EUR",
      "BUY",
      "200.50",
      "",
      `FX-${run}-2`,
    ]);

    // Fix the account numbers, as a person would, and stage the file as it is otherwise.
    const account = column("account_number");
    const fixed = [header!, ...rows.map((row, i) => row.map((cell, c) => (c === account ? `3${run}${i}1` : cell)))]
      .map(csvLine)
      .join("\r\n");
    await visit(page, "/batches/new");
    await page.getByRole("heading", { level: 1, name: "New batch" }).waitFor();
    await page
      .getByLabel("CSV file")
      .setInputFiles({ name: `${staged.batchUid}-failures.csv`, mimeType: "text/csv", buffer: Buffer.from(fixed) });
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.waitForURL(BATCH_PAGE);
    const newId = BATCH_PAGE.exec(page.url())![1]!;
    expect(newId).not.toBe(staged.id);

    const again = await batchFromApi(newId);
    expect({ status: again.status, totalTrades: again.totalTrades }).toEqual({ status: "PENDING", totalTrades: failed.length });
    await page.getByRole("heading", { level: 1, name: again.batchUid }).waitFor();
    const trades = await tradesFromApi(newId);
    // The same instructions but the account, and the export's formula escape undone.
    expect(trades.map((trade) => [trade.reference, trade.accountNumber, trade.clientName])).toEqual(
      failed.map((trade, i) => [trade.reference, `3${run}${i}1`, trade.clientName]),
    );
    expect(trades.find((trade) => trade.reference === `FX-${run}-2`)?.clientName).toBe("=Closed, Ltd");
  });
});
