/**
 * Screenshots of the main pages on a desktop (1280 px) and a phone (390 px) screen, and the user
 * guide's (docs/user-guide.md) taken along one batch's life.
 */
import { mkdirSync, readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { afterAll, describe, expect, test } from "vitest";
import {
  type ApiBatch,
  answered,
  type Browser,
  batchStatusText,
  CSV_HEADER,
  eventually,
  gql,
  openBrowser,
  progressValue,
  SAMPLES_DIR,
  SCREENSHOT_DIR,
  SCREENSHOT_TIMEOUT_MS,
  screenshot,
  stageViaApi,
  startViaApi,
  tradesCsv,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const VIEWPORTS = [
  { width: 1280, height: 900 },
  { width: 390, height: 844 },
];

const running: ApiBatch[] = [];
afterAll(async () => {
  for (const batch of running) {
    await gql(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: batch.id }).catch(() => undefined);
  }
});

describe.each(VIEWPORTS)("main pages at $width px", (viewport) => {
  test("batches, new batch with errors, batch running, batch finished, trades", async () => {
    const browser: Browser = await openBrowser(viewport);
    const { page } = browser;
    const suffix = `${viewport.width}`;
    try {
      const finished = await stageViaApi(readFileSync(`${SAMPLES_DIR}trades-small.csv`, "utf8"), { name: `Screenshots ${suffix}` });
      await startViaApi(finished.id);
      const big = await stageViaApi(tradesCsv(5_000), { name: `Screenshots running ${suffix}` });
      running.push(big);

      await visit(page, "/");
      await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
      await page.getByRole("link", { name: finished.batchUid }).waitFor();
      await screenshot(page, `batches-${suffix}`);

      await visit(page, "/batches/new");
      await page.getByLabel("CSV file").setInputFiles(`${SAMPLES_DIR}trades-bad.csv`);
      await page.getByRole("button", { name: "Stage batch" }).click();
      await page.getByRole("table", { name: "Row errors" }).waitFor();
      await screenshot(page, `new-batch-errors-${suffix}`);

      await startViaApi(big.id);
      await visit(page, `/batches/${big.id}`);
      const bar = page.getByRole("progressbar", { name: "Batch progress" });
      const value = await eventually(
        async () => {
          const now = await progressValue(bar);
          return now > 0 && now < 100 ? now : null;
        },
        30_000,
        50,
      );
      expect(value).toBeLessThan(100);
      await tradeTable(page).getByRole("row").nth(1).waitFor();
      await screenshot(page, `batch-running-${suffix}`);
      await gql(`mutation($id: ID!) { cancelBatch(id: $id) { id } }`, { id: big.id });

      await waitForFinal(finished.id);
      await visit(page, `/batches/${finished.id}`);
      await page.getByRole("heading", { name: "Results" }).waitFor();
      await page.getByRole("table", { name: "Totals by currency" }).waitFor();
      await tradeTable(page).getByRole("row").nth(1).waitFor();
      await screenshot(page, `batch-finished-${suffix}`);

      await visit(page, "/trades");
      await page.getByRole("heading", { level: 1, name: "Trades" }).waitFor();
      await tradeTable(page).getByRole("row").nth(1).waitFor();
      await screenshot(page, `trades-${suffix}`);

      // Nothing wider than the screen: a phone user must not scroll sideways.
      for (const path of ["/", "/batches/new", `/batches/${finished.id}`, "/trades"]) {
        await visit(page, path);
        await page.getByRole("heading", { level: 1 }).waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect.soft(overflow, `horizontal overflow of ${path} at ${suffix} px`).toBeLessThanOrEqual(0);
      }
    } finally {
      if (browser.consoleErrors.length) console.warn(`browser console errors at ${suffix} px:`, browser.consoleErrors);
      await browser.close();
    }
  });
});

/**
 * Where the guide's screenshots go: docs/images/ when DOCS_SCREENSHOTS=1 (`npm run docs:screenshots`
 * refreshes the committed ones), else beside the others, so a plain test run leaves the docs alone.
 */
const GUIDE_DIR =
  process.env.DOCS_SCREENSHOTS === "1" ? new URL("../../../docs/images/", import.meta.url).pathname : `${SCREENSHOT_DIR}guide/`;

/**
 * One picture of the guide: the screen as a person sees it (not the whole page: a live page of
 * thousands of rows is long and keeps changing), or one part of it. Each name is linked by
 * docs/user-guide.md, and apps/api/test/docs.test.ts checks the two lists agree.
 */
async function guideScreenshot(page: Page, name: string, part?: Locator): Promise<void> {
  mkdirSync(GUIDE_DIR, { recursive: true });
  const path = `${GUIDE_DIR}${name}.png`;
  if (part) await part.screenshot({ path, timeout: SCREENSHOT_TIMEOUT_MS });
  else await page.screenshot({ path, timeout: SCREENSHOT_TIMEOUT_MS });
}

describe("user guide", () => {
  // Twenty-odd pages and full-page pictures: 40 s on a quiet machine, 112–120 s at load 20 (a
  // full-page picture of a running batch alone took 18–24 s), so more than the suite's 120 s.
  test("stage, start, watch, cancel, retry, fix and resubmit, export, trade history", { timeout: 300_000 }, async () => {
    const browser = await openBrowser();
    const { page } = browser;
    try {
      // This run's own account numbers, so no earlier run's file is a duplicate of this one.
      const run = String(Date.now()).slice(-8);
      // Accounts ending 9999 are refused at quote (INVALID_ACCOUNT), 8888 at booking (INSUFFICIENT_FUNDS).
      const account = (row: number) => (row === 3 ? `1${run}9999` : row === 5 ? `2${run}8888` : `3${run}${row}0`);
      const rows = [CSV_HEADER];
      const pairs = ["ZAR,USD,BUY", "EUR,ZAR,SELL", "GBP,USD,BUY", "USD,JPY,SELL", "ZAR,EUR,BUY", "USD,ZAR,SELL"];
      // Row 1 settles on the next Saturday, so the review has a warning to show.
      const saturday = new Date();
      saturday.setUTCDate(saturday.getUTCDate() + ((6 - saturday.getUTCDay() + 7) % 7 || 7));
      const valueDate = (row: number) => (row === 1 ? saturday.toISOString().slice(0, 10) : "");
      for (let row = 1; row <= 6; row++) {
        rows.push(`C-${row},Client ${row},${account(row)},${pairs[row - 1]},${row * 1000}.50,${valueDate(row)},GUIDE-${run}-${row}`);
      }
      const csv = `${rows.join("\n")}\n`;

      await visit(page, "/batches/new");
      await page.getByRole("heading", { level: 1, name: "New batch" }).waitFor();
      await page.getByLabel("CSV file").setInputFiles(`${SAMPLES_DIR}trades-bad.csv`);
      await page.getByRole("button", { name: "Stage batch" }).click();
      await page.getByRole("table", { name: "Row errors" }).waitFor();
      await guideScreenshot(page, "stage-row-errors");

      await visit(page, "/batches/new");
      await page.getByLabel("CSV file").setInputFiles({ name: `guide-${run}.csv`, mimeType: "text/csv", buffer: Buffer.from(csv) });
      await guideScreenshot(page, "stage-new-batch");
      await page.getByRole("button", { name: "Stage batch" }).click();
      await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
      const start = page.getByRole("button", { name: "Start", exact: true });
      await start.waitFor();
      await guideScreenshot(page, "staged-batch");
      const id = /\/batches\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
      const review = page.getByRole("region", { name: "Review before start" });
      await review.getByRole("list", { name: "Warnings" }).waitFor();
      await guideScreenshot(page, "review-before-start", review);

      await start.click();
      const confirm = page.getByRole("dialog");
      await confirm.getByRole("table", { name: "Totals by currency" }).waitFor();
      await guideScreenshot(page, "start-confirm");
      await confirm.getByRole("button", { name: /^Run / }).click();
      await answered(confirm);
      await eventually(async () => ["Partially succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 60_000);
      await page.getByRole("table", { name: "Failures by error code" }).waitFor();
      await guideScreenshot(page, "batch-finished");

      await page.getByRole("button", { name: "Retry failed trades" }).click();
      await page.getByRole("dialog").getByRole("list", { name: "Will be retried" }).waitFor();
      await guideScreenshot(page, "retry-confirm");
      // Escape keeps the batch as it is, as the dialog's Keep button does.
      await page.keyboard.press("Escape");
      await eventually(async () => (await page.getByRole("dialog").count()) === 0);

      await page.getByRole("button", { name: "Show the INVALID_ACCOUNT trades" }).click();
      await page.getByText("Showing the failed trades with error code").waitFor();
      await page.getByRole("region", { name: "Trades", exact: true }).scrollIntoViewIfNeeded();
      await guideScreenshot(page, "failures-by-code");
      expect(await page.getByRole("link", { name: "Export failures (CSV)" }).getAttribute("href")).toContain(
        `/export/batches/${id}/failures.csv`,
      );
      await guideScreenshot(page, "exports", page.getByRole("region", { name: "Results", exact: true }));

      const big = await stageViaApi(
        tradesCsv(5_000, (row) => `4${run}${row}0`),
        { name: "Guide: a long batch" },
      );
      running.push(big);
      await startViaApi(big.id);
      await visit(page, `/batches/${big.id}`);
      const bar = page.getByRole("progressbar", { name: "Batch progress" });
      await eventually(
        async () => {
          const now = await progressValue(bar);
          return now > 0 && now < 100 ? now : null;
        },
        30_000,
        50,
      );
      await tradeTable(page).getByRole("row").nth(1).waitFor();
      await guideScreenshot(page, "batch-running");
      await page.getByRole("button", { name: "Cancel batch" }).click();
      await page.getByRole("dialog").waitFor();
      await guideScreenshot(page, "cancel-confirm");
      await page.getByRole("dialog").getByRole("button", { name: "Confirm" }).click();
      await eventually(async () => (await batchStatusText(page)) === "Cancelled", 60_000);
      await guideScreenshot(page, "batch-cancelled");

      await visit(page, "/");
      await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
      await page.getByRole("link", { name: big.batchUid }).waitFor();
      await guideScreenshot(page, "batches");

      await visit(page, "/trades");
      await page.getByRole("heading", { level: 1, name: "Trades" }).waitFor();
      await tradeTable(page).getByRole("row").nth(1).waitFor();
      await guideScreenshot(page, "trade-history");

      // Templates: the long batch's settings and rows saved under a name, then the Templates page.
      const template = `Month-end ZAR ${run}`;
      await visit(page, `/batches/${big.id}`);
      await page.getByRole("heading", { level: 1, name: big.batchUid }).waitFor();
      await page.getByRole("button", { name: "Save as template" }).click();
      const saveDialog = page.getByRole("dialog");
      await saveDialog.getByLabel("Template name").fill(template);
      await saveDialog.getByLabel("Name pattern").fill("Month-end {date} #{n}");
      await saveDialog.getByRole("button", { name: "Save template" }).click();
      await saveDialog.waitFor({ state: "hidden" });
      await visit(page, "/templates");
      await page.getByRole("table", { name: "Batch templates" }).getByRole("row").filter({ hasText: template }).waitFor();
      await guideScreenshot(page, "templates");
      // Its Stage batch opens New batch with the template chosen: the pattern's name, its priority, no file needed.
      await page.getByRole("link", { name: `Stage batch from ${template}` }).click();
      await page.waitForURL(/\/batches\/new\?template=/);
      await page.getByText(/rows from the template; value dates past/).waitFor();
      await guideScreenshot(page, "stage-from-template");

      // One trade by hand, with a field to fix: the form shows the problem at the field.
      await visit(page, "/trades/new");
      await page.getByRole("heading", { level: 1, name: "New trade" }).waitFor();
      await page.getByLabel("Client ID").fill(`HAND-${run}`);
      await page.getByLabel(/^Client name/).fill("Hand Entered Ltd");
      await page.getByLabel("Account number").fill("12-34");
      await page.getByLabel("Sell currency").fill("ZAR");
      await page.getByLabel("Buy currency").fill("USD");
      await page.getByLabel("Direction").selectOption("SELL");
      await page.getByLabel("Amount").fill("2500.50");
      await page.getByRole("button", { name: "Create trade" }).click();
      await page.getByRole("alert").filter({ hasText: "1 field needs fixing. Nothing was saved." }).waitFor();
      await guideScreenshot(page, "new-trade");
    } finally {
      if (browser.consoleErrors.length) console.warn("browser console errors (user guide):", browser.consoleErrors);
      await browser.close();
    }
  });
});
