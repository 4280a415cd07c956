/**
 * The trade table at 1366×768: value date and reference shown, every row's status and error
 * in view without a sideways scroll, and the header still at the top after scrolling down.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  browserForFile,
  CSV_HEADER,
  SCREENSHOT_DIR,
  screenshot,
  stageViaApi,
  startViaApi,
  tableRecords,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile({ width: 1366, height: 768 });

/** 40 trades with long names and references (their limits are 200 and 140); every fifth is refused at booking (account …8888). */
function wideCsv(): string {
  const lines = [CSV_HEADER];
  for (let row = 1; row <= 40; row++) {
    const account = row % 5 === 0 ? `55500${row % 10}8888` : `12345${row % 10}0000`;
    const name = `Client ${row} Holdings and Investments International (Proprietary) Limited`;
    const reference = `INV-2026-11-${String(row).padStart(4, "0")}-settlement-of-the-quarterly-import-invoices-${"x".repeat(40)}`;
    lines.push(`C-${row},${name},${account},ZAR,USD,BUY,${1_000_000 + row}.25,2099-12-31,${reference}`);
  }
  return `${lines.join("\n")}\n`;
}

interface Fit {
  scrollWidth: number;
  clientWidth: number;
  /** Right edges of every row's Status and Error cells. */
  rightEdges: number[];
  headerPosition: string;
  /** Each column's header and width, to read when the page does not fit. */
  columns: string;
}

/** How the table sits in the window: the page's widths and where status and error cells end. */
async function measure(page: Page): Promise<Fit> {
  return page.evaluate(() => {
    const table = [...document.querySelectorAll("table.trade-table")][0] as HTMLTableElement;
    const headers = [...table.tHead!.rows[0]!.cells].map((cell) => cell.textContent?.trim());
    const status = headers.indexOf("Status");
    const error = headers.indexOf("Error");
    const rows = [...table.tBodies[0]!.rows].filter((row) => !row.classList.contains("attempts-row"));
    const rightEdges = rows.flatMap((row) => [row.cells[status]!, row.cells[error]!].map((cell) => cell.getBoundingClientRect().right));
    return {
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      rightEdges,
      headerPosition: getComputedStyle(table.tHead!.rows[0]!.cells[0]!).position,
      columns: [...table.tHead!.rows[0]!.cells]
        .map((cell) => `${cell.textContent?.trim()}:${Math.round(cell.getBoundingClientRect().width)}`)
        .join(" "),
    };
  });
}

/** Where the header's top is in the window after scrolling to the table's last row. */
async function headerTopAfterScroll(page: Page): Promise<{ top: number; bottom: number; tableTop: number }> {
  return page.evaluate(() => {
    const table = document.querySelector("table.trade-table") as HTMLTableElement;
    const body = table.tBodies[0]!;
    body.rows[body.rows.length - 1]!.scrollIntoView({ block: "end" });
    const header = table.tHead!.rows[0]!.cells[0]!.getBoundingClientRect();
    return { top: header.top, bottom: header.bottom, tableTop: table.getBoundingClientRect().top };
  });
}

describe("Trade table layout", () => {
  test("at 1366×768 every status and error is in view without sideways scrolling, and the header stays visible", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(wideCsv(), { name: "E2E wide trades" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);

    await visit(page, `/batches/${staged.id}`);
    const table = tradeTable(page);
    await table.getByRole("row").nth(40).waitFor();
    const records = await tableRecords(table);
    expect(records).toHaveLength(40);
    expect(records[0]?.["Value date"]).toBe("2099-12-31");
    expect(records[0]?.Reference).toMatch(/^INV-2026-11-0001-settlement/);
    const refused = records.filter((record) => (record.Status ?? "").startsWith("Failed"));
    // Every fifth row's account is refused at booking; the simulator may refuse a few others on its own.
    expect(refused.filter((record) => (record.Error ?? "").includes("INSUFFICIENT_FUNDS"))).toHaveLength(8);
    expect(refused.every((record) => /[A-Z_]{4,}/.test(record.Error ?? ""))).toBe(true);

    const fit = await measure(page);
    expect(fit.scrollWidth, `the page scrolls sideways (${fit.columns})`).toBeLessThanOrEqual(fit.clientWidth);
    expect(fit.rightEdges).toHaveLength(80);
    expect(Math.max(...fit.rightEdges), "a status or error cell ends beyond the window").toBeLessThanOrEqual(fit.clientWidth);
    expect(fit.headerPosition).toBe("sticky");

    const scrolled = await headerTopAfterScroll(page);
    expect(scrolled.tableTop, "the table's top has left the window").toBeLessThan(0);
    expect(scrolled.top).toBeGreaterThanOrEqual(-1);
    expect(scrolled.bottom).toBeLessThanOrEqual(200);
    // What a reader sees after scrolling: the window alone, not the whole page.
    await page.screenshot({ path: `${SCREENSHOT_DIR}trade-table-1366-scrolled.png` });

    // The trade history's table adds Batch and Created columns and must fit too.
    await visit(page, `/trades?q=${encodeURIComponent("settlement-of-the-quarterly")}`);
    await page.getByRole("table", { name: "Trades across all batches, newest first" }).getByRole("row").nth(40).waitFor();
    const history = await measure(page);
    expect(history.scrollWidth, `the trade history scrolls sideways (${history.columns})`).toBeLessThanOrEqual(history.clientWidth);
    expect(Math.max(...history.rightEdges)).toBeLessThanOrEqual(history.clientWidth);
    await screenshot(page, "trade-history-1366");
  });
});
