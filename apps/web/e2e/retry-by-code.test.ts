/** Failures by error code filter the batch's trade table, and one code is retried from its row after a confirmation. */
import { describe, expect, test } from "vitest";
import {
  batchStatusText,
  browserForFile,
  eventually,
  markWindow,
  screenshot,
  stageViaApi,
  startFromPage,
  tableRecords,
  tradesCsv,
  tradesFromApi,
  tradeTable,
  visit,
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
      return rows.length === 2 ? rows : null;
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
    await dialog.waitFor({ state: "detached" });

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
});
