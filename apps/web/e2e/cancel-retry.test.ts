/** Cancelling a running batch and retrying failed trades from the batch page. */
import { describe, expect, test } from "vitest";
import {
  answered,
  batchFromApi,
  batchStatusText,
  browserForFile,
  eventually,
  FINAL_STATUSES,
  markWindow,
  progressValue,
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

describe("Batch page actions", () => {
  test("a large running batch is cancelled through the confirmation dialog", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(tradesCsv(5_000), { name: "E2E cancel" });
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);

    const bar = page.getByRole("progressbar", { name: "Batch progress" });
    await startFromPage(page);
    await eventually(async () => (await progressValue(bar)) > 0, 30_000, 50);
    const before = await progressValue(bar);
    expect(before).toBeLessThan(100);
    await screenshot(page, "batch-running");

    await page.getByRole("button", { name: "Cancel batch" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await answered(dialog);

    await eventually(async () => (await batchStatusText(page)) === "Cancelled", 30_000);
    await eventually(async () => (await progressValue(bar)) === 100, 30_000);
    await eventually(async () => (await page.getByRole("button", { name: "Cancel batch" }).count()) === 0);
    // The cancel's rows are written after the batch is CANCELLED (cancelledUnmovedTrades): the page
    // offers Archive once the feed says they are, without a reload.
    await eventually(() => page.getByRole("button", { name: "Archive batch" }).isEnabled(), 30_000);
    expect(await sameDocument()).toBe(true);

    const batch = await batchFromApi(staged.id);
    expect(batch.status).toBe("CANCELLED");
    expect(batch.cancelledUnmovedTrades).toBe(0);
    expect(batch.cancelledTrades).toBeGreaterThan(0);
    expect(batch.processedTrades).toBe(5_000);
    expect(batch.succeededTrades + batch.failedTrades + batch.cancelledTrades).toBe(5_000);
    await screenshot(page, "batch-cancelled");
  });

  test("retrying failed trades runs only them again: attempts 2 for refused rows, 1 for booked rows", async () => {
    const { page } = browserHolder.current;
    // Rows 2, 5 and 8 use accounts the bank always refuses at booking (…8888).
    const refusedRows = new Set([2, 5, 8]);
    const csv = tradesCsv(10, (row) => (refusedRows.has(row) ? `55500${row}8888` : `12345${row}0000`));
    const staged = await stageViaApi(csv, { name: "E2E retry" });
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);

    await startFromPage(page);
    await eventually(async () => (await batchStatusText(page)) === "Partially succeeded", 60_000);
    const firstRun = await tradesFromApi(staged.id);
    const bookedFirstTime = new Set(firstRun.filter((trade) => trade.status === "SUCCESS").map((trade) => trade.accountNumber));
    expect(bookedFirstTime.size).toBeGreaterThan(0);

    await page.getByRole("button", { name: "Retry failed trades" }).click();
    // Retrying asks first; every failure here is retryable (…8888 and the bank's random refusals).
    const confirm = page.getByRole("dialog");
    await confirm.getByRole("button", { name: /^Retry \d+ trades?$/ }).click();
    await answered(confirm);
    // The batch runs again, then finishes PARTIAL_SUCCESS again (…8888 is always refused).
    const final = await eventually(
      async () => {
        const [batch, trades] = await Promise.all([batchFromApi(staged.id), tradesFromApi(staged.id)]);
        const refusedTwice = trades.filter((trade) => trade.accountNumber.endsWith("8888")).every((trade) => trade.attempts === 2);
        return FINAL_STATUSES.includes(batch.status) && refusedTwice ? batch : null;
      },
      60_000,
      200,
    );
    expect(final.status).toBe("PARTIAL_SUCCESS");
    await eventually(async () => (await batchStatusText(page)) === "Partially succeeded", 30_000);

    const table = tradeTable(page);
    const records = await eventually(async () => {
      const rows = await tableRecords(table);
      const refused = rows.filter((row) => Object.values(row).some((cell) => cell.endsWith("8888")));
      // The rows follow trade events, which may arrive a moment after the batch's own: wait for the refusals too.
      return rows.length === 10 && refused.every((row) => row.Attempts === "2" && /^Failed/.test(row.Status ?? "")) ? rows : null;
    }, 30_000);
    for (const row of records) {
      const account = Object.values(row).find((cell) => /^\d{6,20}$/.test(cell));
      expect(account, `a row shows its account number: ${JSON.stringify(row)}`).toBeDefined();
      if (account!.endsWith("8888")) {
        expect(row.Attempts, `row of ${account}`).toBe("2");
        expect(row.Status, `row of ${account}`).toMatch(/^Failed/);
      } else if (bookedFirstTime.has(account!)) {
        expect(row.Attempts, `row of ${account}, booked on the first run`).toBe("1");
      }
    }
    const api = await tradesFromApi(staged.id);
    expect(api.filter((trade) => trade.accountNumber.endsWith("8888")).map((trade) => [trade.status, trade.attempts])).toEqual([
      ["FAILED", 2],
      ["FAILED", 2],
      ["FAILED", 2],
    ]);
    expect(await sameDocument()).toBe(true);
    await screenshot(page, "batch-retried");
  });
});
