/** Batch templates end to end: saved from a batch's page, renamed, a batch staged from it on New batch (its rows, or a file), deleted. */

import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import {
  batchFromApi,
  browserForFile,
  CSV_HEADER,
  eventually,
  gql,
  parseCsv,
  screenshot,
  stageViaApi,
  tradesFromApi,
  uniqueTradesCsvFile,
  visit,
} from "./harness";

const browserHolder = browserForFile();

const BATCH_PAGE = /\/batches\/([0-9a-f-]{36})$/;
const DAY_MS = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** The first Saturday at least two days from today (UTC): a value date a template moves to a good day. */
function nextSaturday(): string {
  let date = plusDays(new Date().toISOString().slice(0, 10), 2);
  while (new Date(`${date}T00:00:00Z`).getUTCDay() !== 6) date = plusDays(date, 1);
  return date;
}

describe("Batch templates", () => {
  test("save from a batch → rename → stage a new batch from it → it appears → delete the template", async () => {
    const { page } = browserHolder.current;
    const run = String(Date.now()).slice(-8);
    const saturday = nextSaturday();
    const csv = [
      CSV_HEADER,
      `C-1,Acme,1${run}1,ZAR,USD,BUY,1000.50,${saturday},T-${run}-1`,
      `C-2,Beta,1${run}2,EUR,GBP,SELL,250,,T-${run}-2`,
    ].join("\n");
    const source = await stageViaApi(csv, { name: `E2E template source ${run}`, priority: 9 });

    // Save as template, from the batch's page.
    await visit(page, `/batches/${source.id}`);
    await page.getByRole("heading", { level: 1, name: source.batchUid }).waitFor();
    await page.getByRole("button", { name: "Save as template" }).click();
    const saveDialog = page.getByRole("dialog");
    await saveDialog.waitFor();
    const name = `E2E weekly ${run}`;
    await saveDialog.getByLabel("Template name").fill(name);
    await saveDialog.getByLabel("Name pattern").fill("E2E {date} #{n}");
    expect(await saveDialog.getByRole("checkbox", { name: /Include the trades \(2\)/ }).isChecked()).toBe(true);
    await saveDialog.getByRole("button", { name: "Save template" }).click();
    await saveDialog.waitFor({ state: "detached" });

    // The Templates page, from the header, lists it.
    await page.getByRole("navigation").getByRole("link", { name: "Templates" }).click();
    await page.waitForURL(/\/templates$/);
    const table = page.getByRole("table", { name: "Batch templates" });
    const row = table.getByRole("row").filter({ hasText: name });
    await row.waitFor();
    expect((await row.textContent()) ?? "").toContain(`from ${source.batchUid}`);
    expect(await row.getByRole("cell").nth(1).textContent()).toBe("2");
    expect(await row.getByRole("cell").nth(2).textContent()).toBe("9");

    // Rename in place.
    const renamed = `E2E weekly renamed ${run}`;
    await row.getByRole("button", { name: `Rename ${name}` }).click();
    const field = page.getByLabel(`New name for ${name}`);
    await field.fill(renamed);
    await field.press("Enter");
    const renamedRow = table.getByRole("row").filter({ hasText: renamed });
    await renamedRow.waitFor();
    await screenshot(page, "templates");

    // Its Stage batch leads to New batch with the template chosen: its priority, its pattern as the name's placeholder.
    await renamedRow.getByRole("link", { name: `Stage batch from ${renamed}` }).click();
    await page.waitForURL(/\/batches\/new\?template=[0-9a-f-]{36}$/);
    const templateId = new URL(page.url()).searchParams.get("template")!;
    await eventually(async () => (await page.getByLabel("Priority").inputValue()) === "9");
    expect(await page.getByLabel("Template", { exact: true }).inputValue()).toBe(templateId);

    // From New batch itself: find the template, choose it, stage with no file.
    await visit(page, "/batches/new");
    await page.getByLabel("Search templates").fill(renamed);
    const templateSelect = page.getByLabel("Template", { exact: true });
    await templateSelect.locator("option", { hasText: renamed }).waitFor({ state: "attached" });
    await templateSelect.selectOption({ label: `${renamed} (2 rows)` });
    await page.waitForURL((url) => url.pathname === "/batches/new" && url.searchParams.get("template") === templateId);
    await eventually(async () => (await page.getByLabel("Priority").inputValue()) === "9");
    const today = new Date().toISOString().slice(0, 10);
    expect(await page.getByLabel("Name", { exact: true }).getAttribute("placeholder")).toBe(`E2E ${today} #1`);
    await page.getByText("2 rows from the template; value dates past or on non-business days roll forward.").waitFor();
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.waitForURL(BATCH_PAGE);
    const stagedId = BATCH_PAGE.exec(page.url())![1]!;
    const staged = await batchFromApi(stagedId);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    expect(staged).toMatchObject({
      name: `E2E ${today} #1`,
      priority: 9,
      totalTrades: 2,
      status: "PENDING",
    });
    const trades = await tradesFromApi(stagedId);
    expect(trades.map((trade) => trade.amount)).toEqual(["1000.50", "250.00"]);
    expect(trades[0]!.valueDate! > saturday).toBe(true);
    expect(trades[1]!.valueDate).toBeNull();

    // It appears in the batches list.
    await visit(page, "/");
    await page.getByRole("link", { name: staged.batchUid }).first().waitFor();

    // Delete the template, after a confirmation; the staged batch stays.
    await visit(page, "/templates");
    const toDelete = page.getByRole("table", { name: "Batch templates" }).getByRole("row").filter({ hasText: renamed });
    await toDelete.getByRole("button", { name: `Delete ${renamed}` }).click();
    const confirm = page.getByRole("dialog");
    await confirm.getByRole("button", { name: "Delete template" }).click();
    await toDelete.waitFor({ state: "detached" });
    const left = await gql<{ batchTemplates: { edges: { node: { name: string } }[] } }>(
      `query($search: String) { batchTemplates(search: $search) { edges { node { name } } } }`,
      { search: run },
    );
    expect(left.batchTemplates.edges).toEqual([]);
    expect((await batchFromApi(stagedId)).id).toBe(stagedId);
  });

  test("New batch with a template and a file: the file's rows are staged with the template's name pattern and priority", async () => {
    const { page } = browserHolder.current;
    const run = String(Date.now()).slice(-8);
    const source = await stageViaApi([CSV_HEADER, `C-1,Acme,2${run}1,ZAR,USD,BUY,75.25,,F-${run}-1`].join("\n"), { priority: 4 });
    // A long name: the select and its hint must still fit a phone's width.
    const name = `E2E with a file, a name long enough to test a phone's narrow screen ${run}`;
    const { saveBatchTemplate } = await gql<{ saveBatchTemplate: { id: string } }>(
      "mutation($input: SaveBatchTemplateInput!) { saveBatchTemplate(input: $input) { id } }",
      { input: { batchId: source.id, name, namePattern: "E2E file {template}", includeRows: true } },
    );

    await visit(page, `/batches/new?template=${saveBatchTemplate.id}`);
    await eventually(async () => (await page.getByLabel("Priority").inputValue()) === "4");
    const file = uniqueTradesCsvFile("template-file", 3);
    await page.getByLabel("CSV file").setInputFiles(file);
    await page.getByText("its rows are staged with the template's settings").waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, "horizontal overflow of New batch with a template at 390 px").toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.waitForURL(BATCH_PAGE);

    const staged = await batchFromApi(BATCH_PAGE.exec(page.url())![1]!);
    expect(staged).toMatchObject({ name: `E2E file ${name}`, priority: 4, totalTrades: 3, status: "PENDING" });
    const accounts = parseCsv(readFileSync(file, "utf8"))
      .slice(1)
      .map((row) => row[2]);
    expect((await tradesFromApi(staged.id)).map((trade) => trade.accountNumber)).toEqual(accounts);
    await gql("mutation($id: ID!) { deleteBatchTemplate(id: $id) }", { id: saveBatchTemplate.id });
  });
});
