/**
 * Archiving from the batch page: a finished batch with booked trades cannot be deleted (the page
 * says why and offers Archive), is archived, leaves the default list, is listed with the Archived
 * filter (kept in the address), and its page still opens with every trade, as does the trade
 * history's Archived filter.
 */
import { describe, expect, test } from "vitest";
import {
  answered,
  batchStatusText,
  browserForFile,
  CSV_HEADER,
  eventually,
  screenshot,
  stageViaApi,
  startViaApi,
  tableRecords,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile({ width: 1366, height: 900 });

/** This run's own mark, so searches find only what this file staged. */
const RUN = `a${String(Date.now()).slice(-8)}`;

/** Six trades, row 2 refused at booking (…8888): some booked, one failed. */
function csv(): string {
  const lines = [CSV_HEADER];
  for (let row = 1; row <= 6; row++)
    lines.push(`C-${row},Client ${row},${row === 2 ? "5550028888" : `12345${row}0000`},ZAR,USD,BUY,${100 + row}.25,,${RUN}-${row}`);
  return `${lines.join("\n")}\n`;
}

const batchLinks = (page: import("playwright-core").Page) =>
  page.getByRole("table", { name: "Batches, with their status and progress" }).locator("tbody tr td.cell-id a").allTextContents();

describe("Archiving a batch", () => {
  test("Delete is refused and explained, Archive moves it out of the list; the Archived filter and its page still show it", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(csv(), { name: `E2E archive ${RUN}` });
    await startViaApi(staged.id);
    const finished = await waitForFinal(staged.id);
    expect(finished.succeededTrades).toBeGreaterThan(0);

    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    await eventually(async () => ["Partially succeeded", "Succeeded"].includes((await batchStatusText(page)) ?? ""));
    expect(await page.getByRole("button", { name: "Delete batch" }).count()).toBe(0);
    const refused = page.locator("#action-delete-refused");
    expect(await refused.textContent()).toBe(
      `Cannot be deleted: ${finished.succeededTrades} of its trades were booked by the bank, and booked trades are records that are never deleted.` +
        " Archive it instead: it leaves the lists and stays readable, with every trade.",
    );
    await page.getByRole("button", { name: "Archive batch" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(`The batch and its 6 trades move to the archive: nothing is deleted`).waitFor();
    await screenshot(page, "batch-archive-confirm");
    await dialog.getByRole("button", { name: "Archive batch" }).click();
    await answered(dialog);
    const notice = page.locator("#batch-archived");
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/^Archived on .+: this batch is read-only\./);
    expect(await page.getByRole("button", { name: "Archive batch" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Retry failed trades" }).count()).toBe(0);

    // The default list no longer shows it; the Archived filter does, and keeps it in the address.
    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill(`E2E archive ${RUN}`);
    await page.getByText("No batches match").waitFor();
    expect(await batchLinks(page)).toEqual([]);
    await page.getByRole("checkbox", { name: "Archived" }).check();
    await eventually(async () => (await batchLinks(page)).includes(staged.batchUid));
    expect(new URL(page.url()).searchParams.get("archived")).toBe("1");
    await screenshot(page, "batches-archived-filter");
    await page.reload();
    await eventually(async () => (await batchLinks(page)).includes(staged.batchUid));
    expect(await page.getByRole("checkbox", { name: "Archived" }).isChecked()).toBe(true);

    // Its page opens from the list, with every trade.
    await page.getByRole("link", { name: staged.batchUid }).click();
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    await page.locator("#batch-archived").waitFor();
    const rows = await eventually(async () => {
      const records = await tableRecords(tradeTable(page));
      return records.length === 6 ? records : null;
    });
    expect(rows.map((row) => row.Account)).toContain("5550028888");

    // The trade history: its trades only with Archived ticked.
    await visit(page, `/trades?q=${RUN}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.getByText("No trades match.").waitFor();
    await page.getByRole("checkbox", { name: "Archived" }).check();
    const history = page.getByRole("table", { name: "Trades across all batches, newest first" });
    await eventually(async () => (await history.locator("tbody > tr:not(.attempts-row)").count()) === 6);
    expect(new URL(page.url()).searchParams.get("archived")).toBe("1");
  });
});
