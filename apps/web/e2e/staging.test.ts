/** Staging a CSV from the "New batch" page, then running the batch from its page. */
import { readFileSync } from "node:fs";
import type { Page, Request } from "playwright-core";
import { describe, expect, onTestFinished, test } from "vitest";
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
  startFromPage,
  tableRecords,
  tradeTable,
  uniqueTradesCsvFile,
  visit,
} from "./harness";

const browserHolder = browserForFile();

const BATCH_PAGE = /\/batches\/[0-9a-f-]{36}$/;

/** The refusal of a file whose trades were staged lately: an alert that names DUPLICATE_FILE. */
const duplicateAlert = (page: Page) => page.getByRole("alert").filter({ hasText: "DUPLICATE_FILE" });

/**
 * Clicks "Stage batch" and waits for the batch page. Other test files stage the same samples
 * (through the API) in the same run, in an order vitest chooses: when the API answers that
 * these trades were staged already, the page must say so, and "Stage anyway" stages them.
 */
async function stageFromPage(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Stage batch" }).click();
  const answer = await Promise.race([
    page.waitForURL(BATCH_PAGE).then(() => "staged" as const),
    duplicateAlert(page)
      .waitFor()
      .then(() => "duplicate" as const),
  ]);
  if (answer === "duplicate") {
    await duplicateAlert(page).getByRole("link", { name: /^B-/ }).waitFor();
    await page.getByRole("button", { name: "Stage anyway" }).click();
    await page.waitForURL(BATCH_PAGE);
  }
}

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
    await stageFromPage(page);

    const id = page.url().split("/").at(-1)!;
    const heading = page.getByRole("heading", { level: 1 });
    await eventually(async () => /^B-/.test((await heading.textContent()) ?? ""));
    const batchUid = ((await heading.textContent()) ?? "").trim();
    const staged = await batchFromApi(id);
    expect(staged).toMatchObject({ batchUid, name: "E2E good", status: "PENDING", totalTrades: 6 });

    const sameDocument = await markWindow(page);
    const bar = page.getByRole("progressbar", { name: "Batch progress" });
    expect(await progressValue(bar)).toBe(0);
    await startFromPage(page);

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

  test("a double submit stages once; the same file again is refused as DUPLICATE_FILE, naming the batch, until staged anyway", async () => {
    const { page } = browserHolder.current;
    const file = uniqueTradesCsvFile("duplicate", 3);
    const before = await batchCount();
    const keys: string[] = [];
    const recordKey = (request: Request) => {
      if (request.method() !== "POST") return;
      const body = JSON.parse(request.postData() ?? "{}") as {
        operationName?: string;
        variables?: { input?: { idempotencyKey?: string } };
      };
      if (body.operationName === "StageBatch") keys.push(body.variables?.input?.idempotencyKey ?? "none");
    };
    page.on("request", recordKey);
    onTestFinished(() => {
      page.off("request", recordKey);
    });

    // Two submits before the page can re-render: both are sent, under one key, and one batch is staged.
    await visit(page, "/batches/new");
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByRole("button", { name: "Stage batch" }).evaluate((button) => {
      const form = (button as HTMLButtonElement).form;
      form?.requestSubmit();
      form?.requestSubmit();
    });
    await page.waitForURL(BATCH_PAGE);
    const firstId = page.url().split("/").at(-1)!;
    const first = await batchFromApi(firstId);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(await batchCount()).toBe(before + 1);

    // The same file again: refused, and the earlier batch is named and linked.
    await visit(page, "/batches/new");
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByRole("button", { name: "Stage batch" }).click();
    const alert = duplicateAlert(page);
    await alert.waitFor();
    const link = alert.getByRole("link", { name: first.batchUid, exact: true });
    await link.waitFor();
    expect(await link.getAttribute("href")).toBe(`/batches/${firstId}`);
    expect(await alert.textContent()).toMatch(/Nothing was saved/);
    expect(await page.getByRole("table", { name: "Row errors" }).count()).toBe(0);
    expect(page.url()).toMatch(/\/batches\/new$/);
    expect(await batchCount()).toBe(before + 1);
    await screenshot(page, "new-batch-duplicate");

    // Staged anyway: a second batch with the same trades, under a new key.
    await page.getByRole("button", { name: "Stage anyway" }).click();
    await page.waitForURL(BATCH_PAGE);
    const secondId = page.url().split("/").at(-1)!;
    expect(secondId).not.toBe(firstId);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(3);
    expect(await batchFromApi(secondId)).toMatchObject({ status: "PENDING", totalTrades: 3 });
    expect(await batchCount()).toBe(before + 2);
  });
});
