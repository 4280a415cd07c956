/** One trade entered by hand: into a staged batch from its page, and alone from the header, each after an inline field error is fixed. */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  batchFromApi,
  batchStatusText,
  browserForFile,
  eventually,
  screenshot,
  stageViaApi,
  startFromPage,
  tradesCsv,
  tradesFromApi,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();
const run = String(Date.now()).slice(-9);

/** Fills the trade's fields; the account number as given (a wrong one first, to be fixed). */
async function fillTrade(page: Page, trade: { clientId: string; account: string; reference: string }) {
  await page.getByLabel("Client ID").fill(trade.clientId);
  await page.getByLabel(/^Client name/).fill("Hand Entered Ltd");
  await page.getByLabel("Account number").fill(trade.account);
  await page.getByLabel("Sell currency").fill("zar");
  await page.getByLabel("Buy currency").fill("usd");
  await page.getByLabel("Direction").selectOption("SELL");
  await page.getByLabel("Amount").fill("2500.5");
  await page.getByLabel(/^Reference/).fill(trade.reference);
}

/** Submits, waits for the account number's inline error, checks it is announced and focused, and fixes it. */
async function fixAccountNumberError(page: Page, submit: string) {
  await page.getByRole("button", { name: submit }).click();
  const account = page.getByLabel("Account number");
  await eventually(async () => (await account.getAttribute("aria-invalid")) === "true");
  const hintId = await account.getAttribute("aria-describedby");
  const hint = page.locator(`[id="${hintId}"]`);
  expect(await hint.textContent()).toBe('Account_number must be 6 to 20 digits (0-9 only, no spaces or dashes), got "12-34".');
  expect(await account.evaluate((element) => element === document.activeElement)).toBe(true);
  await page.getByRole("alert").filter({ hasText: "1 field needs fixing. Nothing was saved." }).waitFor();
  // The other fields were right: none is marked.
  expect(await page.getByLabel("Amount").getAttribute("aria-invalid")).toBeNull();
  await account.fill("1234567890");
  expect(await account.getAttribute("aria-invalid")).toBeNull();
}

describe("Entering one trade by hand", () => {
  test("into a staged batch, from its page: an inline error fixed, then the trade joins the batch (shown as entered by hand) and runs with it", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(
      tradesCsv(3, (row) => `77${run}${row}`.slice(0, 12)),
      { name: `E2E single trade ${run}` },
    );
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    await page.getByRole("link", { name: "Add a trade" }).click();
    await page.waitForURL(/\/trades\/new\?batch=/);
    await page.getByRole("heading", { level: 1, name: "New trade" }).waitFor();
    const batchSelect = page.getByLabel("Batch", { exact: true });
    await eventually(async () => (await batchSelect.inputValue()) === staged.id);

    const reference = `HAND-${run}-IN`;
    await fillTrade(page, { clientId: `HAND-${run}`, account: "12-34", reference });
    await fixAccountNumberError(page, "Add trade to batch");
    await screenshot(page, "new-trade-field-error-fixed");
    await page.getByRole("button", { name: "Add trade to batch" }).click();

    const status = page.getByRole("status").filter({ hasText: "The trade was added to batch" });
    await status.waitFor();
    expect((await status.textContent())?.replace(/\s+/g, " ")).toContain(
      `The trade was added to batch ${staged.batchUid}, which holds 4 trades`,
    );
    // A staged batch is started from its page, not from here.
    expect(await page.getByRole("button", { name: /^Start/ }).count()).toBe(0);
    await screenshot(page, "new-trade-added-to-batch");

    await page.getByRole("link", { name: `Open batch ${staged.batchUid}` }).click();
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    await startFromPage(page);
    await eventually(async () => ["Succeeded", "Partially succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 60_000);
    const done = await waitForFinal(staged.id);
    expect(done.totalTrades).toBe(4);
    const trades = await tradesFromApi(staged.id);
    const added = trades.find((trade) => trade.reference === reference);
    // Entered by hand, it came from no row of the file: the API gives it none, the page says so.
    expect(added).toMatchObject({
      rowNumber: null,
      accountNumber: "1234567890",
      direction: "SELL",
      amount: "2500.50",
      sellCurrency: "ZAR",
    });
    expect(trades.map((trade) => trade.rowNumber)).toEqual([1, 2, 3, null]);
    expect(["SUCCESS", "FAILED"]).toContain(added?.status);
    await page.getByRole("row").filter({ hasText: reference }).getByText("by hand", { exact: true }).waitFor();
  });

  test("alone, from the header: an inline error fixed, then a one-trade batch that is started at once from the form", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "New trade" }).click();
    await page.getByRole("heading", { level: 1, name: "New trade" }).waitFor();
    expect(await page.getByLabel("Batch", { exact: true }).inputValue()).toBe("");

    const reference = `HAND-${run}-ALONE`;
    await fillTrade(page, { clientId: `ALONE-${run}`, account: "12-34", reference });
    await fixAccountNumberError(page, "Create trade");
    await page.getByRole("button", { name: "Create trade" }).click();

    const status = page.getByRole("status").filter({ hasText: "The trade is in a batch of its own" });
    await status.waitFor();
    const batchUid = (await status.getByRole("link").textContent()) ?? "";
    expect(batchUid).toMatch(/^B-\d{8}-\d{4,}$/);
    await page.getByRole("button", { name: `Start ${batchUid}` }).click();
    await page.getByText("started: it runs as soon as the runner takes it").waitFor();
    await screenshot(page, "new-trade-alone-started");

    await page.getByRole("link", { name: `Open batch ${batchUid}` }).click();
    await page.getByRole("heading", { level: 1, name: batchUid }).waitFor();
    await eventually(async () => ["Succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 60_000);
    const id = new URL(page.url()).pathname.split("/").at(-1)!;
    const batch = await batchFromApi(id);
    expect(batch).toMatchObject({ batchUid, totalTrades: 1, name: `One trade: ALONE-${run} SELL 2500.50 ZAR` });
    const [trade] = await tradesFromApi(id);
    expect(trade).toMatchObject({ rowNumber: null, reference, accountNumber: "1234567890" });
  });
});
