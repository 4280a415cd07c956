/**
 * Failures by error code filter the batch's trade table, and one code is retried from its row
 * after a confirmation; failed trades picked on the table, across its pages, are retried alone.
 */
import { describe, expect, test } from "vitest";
import {
  answered,
  batchStatusText,
  browserForFile,
  eventually,
  markWindow,
  screenshot,
  stageViaApi,
  startFromPage,
  startViaApi,
  tableRecords,
  tradesCsv,
  tradesFromApi,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

describe("Retrying by error code", () => {
  test("a breakdown row shows its trades and retries its code alone; the others keep their one attempt", async () => {
    const { page } = browserHolder.current;
    // Rows 3 and 7 are refused at quote (…9999, INVALID_ACCOUNT), rows 4 and 9 at booking (…8888, INSUFFICIENT_FUNDS).
    const account = (row: number) =>
      row === 3 || row === 7 ? `44400${row}9999` : row === 4 || row === 9 ? `55500${row}8888` : `12345${row}0000`;
    const staged = await stageViaApi(tradesCsv(10, account), { name: "E2E retry by code" });
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);

    await startFromPage(page);
    await eventually(async () => ["Partially succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 60_000);
    const firstRun = await tradesFromApi(staged.id);
    const invalid = firstRun.filter((trade) => trade.accountNumber.endsWith("9999"));
    expect(invalid.map((trade) => [trade.status, trade.errorCode])).toEqual([
      ["FAILED", "INVALID_ACCOUNT"],
      ["FAILED", "INVALID_ACCOUNT"],
    ]);

    // The row narrows the trade table to its code.
    await page.getByRole("button", { name: "Show the INVALID_ACCOUNT trades" }).click();
    const table = tradeTable(page);
    const shown = await eventually(async () => {
      const rows = await tableRecords(table);
      // Until the table has changed to the code's page, a read is the old page: read again until
      // it is the code's trades alone.
      return rows.length === 2 && rows.every((row) => row.Account?.endsWith("9999")) ? rows : null;
    }, 20_000);
    expect(shown.map((row) => row.Account)).toEqual(invalid.map((trade) => trade.accountNumber));
    await page.getByText("Showing the failed trades with error code").waitFor();

    // Retrying the code asks first, listing exactly what will run.
    await page.getByRole("button", { name: "Retry the INVALID_ACCOUNT trades" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const retried = dialog.getByRole("list", { name: "Will be retried" });
    await retried.waitFor();
    expect((await retried.getByRole("listitem").allTextContents()).map((text) => text.replace(/\s+/g, " ").trim())).toEqual([
      "2 INVALID_ACCOUNT",
    ]);
    await screenshot(page, "batch-retry-by-code");
    await dialog.getByRole("button", { name: "Retry 2 trades" }).click();
    await answered(dialog);
    // The results (and the row's button) go with the new run: the focus is on the Actions heading, not lost.
    await eventually(async () => (await page.evaluate(() => document.activeElement?.id)) === "actions-title", 5_000);

    const second = await eventually(
      async () => {
        const trades = await tradesFromApi(staged.id);
        const invalidTwice = trades
          .filter((trade) => trade.accountNumber.endsWith("9999"))
          .every((trade) => trade.status === "FAILED" && trade.attempts === 2);
        return invalidTwice ? trades : null;
      },
      60_000,
      200,
    );
    // Only the chosen code ran again: every other trade, booked or failed, kept its one attempt.
    for (const trade of second) {
      if (!trade.accountNumber.endsWith("9999")) expect([trade.accountNumber, trade.attempts]).toEqual([trade.accountNumber, 1]);
    }
    expect(second.filter((trade) => trade.accountNumber.endsWith("8888")).map((trade) => [trade.status, trade.errorCode])).toEqual([
      ["FAILED", "INSUFFICIENT_FUNDS"],
      ["FAILED", "INSUFFICIENT_FUNDS"],
    ]);
    await eventually(async () => ["Partially succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 30_000);
    expect(await sameDocument()).toBe(true);
  });

  test("failed trades picked on two pages of the table are retried alone, after a confirmation that lists them", async () => {
    const { page } = browserHolder.current;
    // Rows 3 and 57 are refused at quote (INVALID_ACCOUNT, permanent), rows 4 and 58 at booking (INSUFFICIENT_FUNDS).
    const account = (row: number) =>
      row === 3 || row === 57 ? `44400${row}9999` : row === 4 || row === 58 ? `55500${row}8888` : `12345${row}0000`;
    const staged = await stageViaApi(tradesCsv(60, account), { name: "E2E retry selected" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);
    const firstRun = await tradesFromApi(staged.id);
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);

    // Row 4 by the keyboard, row 57 on the next page by a click: the choice outlives the page.
    const retrySelected = page.getByRole("button", { name: /^Retry selected/ });
    expect(await retrySelected.isDisabled()).toBe(true);
    const row4 = page.getByRole("checkbox", { name: "Select row 4 to retry" });
    await row4.focus();
    await page.keyboard.press("Space");
    expect(await row4.isChecked()).toBe(true);
    expect(await page.getByRole("checkbox", { name: "Select row 1 to retry" }).count()).toBe(firstRun[0]!.status === "FAILED" ? 1 : 0);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByRole("checkbox", { name: "Select row 57 to retry" }).check();
    await page.getByText("2 failed trades selected.").waitFor();

    // At 390 px the bar and the table's boxes fit: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    // Measured once the page has laid itself out again at the new width.
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await eventually(async () => (await overflow()) <= 0, 5_000).catch(() => undefined);
    expect(await overflow(), "sideways scroll at 390 px").toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1280, height: 900 });

    await retrySelected.click();
    const dialog = page.getByRole("dialog", { name: `Retry 2 selected trades of ${staged.batchUid}?` });
    await dialog.waitFor();
    const listed = await dialog.getByRole("list", { name: "Will be retried" }).getByRole("listitem").allTextContents();
    expect(listed.map((text) => text.replace(/\s+/g, " ").trim())).toEqual(["1 INSUFFICIENT_FUNDS", "1 INVALID_ACCOUNT"]);
    await dialog.getByText("Rows 4, 57.").waitFor();
    expect(await dialog.getByRole("note", { name: "Refused before" }).textContent()).toContain("INVALID_ACCOUNT");
    await screenshot(page, "batch-retry-selected");
    await dialog.getByRole("button", { name: "Retry 2 trades" }).click();
    await answered(dialog);
    // The bar and its button went with the batch's new run: focus is on the trades' heading, not lost.
    await eventually(async () => (await page.evaluate(() => document.activeElement?.id)) === "trades-title", 5_000);

    const selectedRows = [4, 57];
    const second = await eventually(
      async () => {
        const trades = await tradesFromApi(staged.id);
        const ranAgain = trades.filter((trade) => selectedRows.includes(trade.rowNumber!));
        return ranAgain.every((trade) => trade.status === "FAILED" && trade.attempts === 2) ? trades : null;
      },
      60_000,
      200,
    );
    // The bank refused both again, as it always does these accounts; every other trade is as it was.
    expect(second.filter((trade) => selectedRows.includes(trade.rowNumber!)).map((trade) => trade.errorCode)).toEqual([
      "INSUFFICIENT_FUNDS",
      "INVALID_ACCOUNT",
    ]);
    const untouched = (trades: typeof second) =>
      trades
        .filter((trade) => !selectedRows.includes(trade.rowNumber!))
        .map(({ id, status, attempts, errorCode, transactionId }) => ({ id, status, attempts, errorCode, transactionId }));
    expect(untouched(second)).toEqual(untouched(firstRun));
    await eventually(async () => ["Partially succeeded", "Failed"].includes((await batchStatusText(page)) ?? ""), 30_000);
    // The choice went with the retry.
    await page.getByRole("button", { name: "Retry selected (0)" }).waitFor();
    expect(await sameDocument()).toBe(true);
  });
});
