/** Staging a CSV from the "New batch" page, then running the batch from its page. */
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  batchCount,
  batchFromApi,
  browserForFile,
  eventually,
  markWindow,
  progressValue,
  readTable,
  rowErrorsFromApi,
  SAMPLES_DIR,
  screenshot,
  tableRecords,
  tradeTable,
  visit,
} from "./harness";

const browserHolder = browserForFile();

describe("New batch page", () => {
  test("a bad file lists every row error, says nothing was saved, and saves nothing", async () => {
    const { page } = browserHolder.current;
    const badCsv = `${SAMPLES_DIR}trades-bad.csv`;
    const expected = await rowErrorsFromApi(readFileSync(badCsv, "utf8"));
    // What docs/csv-format.md makes of samples/trades-bad.csv: data rows from 1, row 1 is valid.
    expect(expected.map((error) => [error.row, error.field])).toEqual([
      [2, "client_id"],
      [3, "account_number"],
      [4, "buy_currency"],
      [5, "buy_currency"],
      [6, "direction"],
      [7, "amount"],
      [8, "amount"],
      [9, "amount"],
      [10, "value_date"],
      [11, "reference"],
    ]);
    const before = await batchCount();

    await visit(page, "/batches/new");
    await page.getByRole("heading", { level: 1, name: "New batch" }).waitFor();
    await page.getByLabel("CSV file").setInputFiles(badCsv);
    await page.getByRole("button", { name: "Stage batch" }).click();

    const table = page.getByRole("table", { name: "Row errors" });
    await table.waitFor();
    const { headers, rows } = await readTable(table);
    expect(headers).toEqual(["Row", "Field", "Message"]);
    expect(rows.map(([row, field]) => [row, field])).toEqual(expected.map((error) => [String(error.row), error.field]));
    expect(rows.map((cells) => cells[2])).toEqual(expected.map((error) => error.message));
    await page
      .getByText(/nothing was saved/i)
      .first()
      .waitFor();
    expect(page.url()).toMatch(/\/batches\/new$/);
    await screenshot(page, "new-batch-errors");

    expect(await batchCount()).toBe(before);
  });

  test("a good file is staged, started, and watched to the end without a reload", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/batches/new");
    await page.getByLabel("CSV file").setInputFiles(`${SAMPLES_DIR}trades-small.csv`);
    await page.getByLabel("Name").fill("E2E good");
    await page.getByRole("button", { name: "Stage batch" }).click();

    await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").at(-1)!;
    const heading = page.getByRole("heading", { level: 1 });
    await eventually(async () => /^B-/.test((await heading.textContent()) ?? ""));
    const batchUid = ((await heading.textContent()) ?? "").trim();
    const staged = await batchFromApi(id);
    expect(staged).toMatchObject({ batchUid, name: "E2E good", status: "PENDING", totalTrades: 6 });

    const sameDocument = await markWindow(page);
    const bar = page.getByRole("progressbar", { name: "Batch progress" });
    expect(await progressValue(bar)).toBe(0);
    await page.getByRole("button", { name: "Start" }).click();

    await eventually(async () => (await progressValue(bar)) === 100, 60_000);
    await page
      .getByRole("status")
      .filter({ hasText: `${batchUid} finished` })
      .first()
      .waitFor({ timeout: 30_000 });
    await page.getByRole("heading", { name: "Results" }).waitFor();
    expect(await sameDocument()).toBe(true);

    const trades = tradeTable(page);
    const records = await eventually(async () => {
      const all = await tableRecords(trades);
      return all.length === 6 && all.every((trade) => /^(Succeeded|Failed)\b/.test(trade.Status ?? "")) ? all : null;
    });
    const final = await batchFromApi(id);
    expect(["SUCCESS", "PARTIAL_SUCCESS", "FAILED"]).toContain(final.status);
    expect(records.filter((trade) => trade.Status?.startsWith("Succeeded"))).toHaveLength(final.succeededTrades);
    expect(records.filter((trade) => trade.Status?.startsWith("Failed"))).toHaveLength(final.failedTrades);
    expect(await page.getByRole("button", { name: "Start" }).count()).toBe(0);
    await screenshot(page, "batch-finished");
  });
});
