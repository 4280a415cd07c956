/** Screenshots of the main pages on a desktop (1280 px) and a phone (390 px) screen. */
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, test } from "vitest";
import {
  type ApiBatch,
  type Browser,
  eventually,
  gql,
  openBrowser,
  progressValue,
  SAMPLES_DIR,
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
