/** Review before start: a staged batch's totals and warnings, and the confirmation Start asks for, typed for a large batch. */
import { mkdirSync, writeFileSync } from "node:fs";
import { nextCalendarDay, nextGoodValueDate } from "@fxbt/domain";
import { describe, expect, test } from "vitest";
import { answered, batchFromApi, browserForFile, CSV_HEADER, readTable, screenshot, visit, waitForFinal } from "./harness";
import { RESULTS_DIR } from "./servers";

const browserHolder = browserForFile();

const utcDate = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** The first Saturday at least three days away (staging takes no past value date). */
function nextSaturday(): string {
  let date = utcDate(3);
  while (new Date(`${date}T00:00:00Z`).getUTCDay() !== 6) date = nextCalendarDay(date);
  return date;
}

describe("Review before start", () => {
  test("a batch with a weekend value date and a large trade shows its totals and warnings, and starts once its id is typed", async () => {
    const { page } = browserHolder.current;
    const good = nextGoodValueDate(utcDate(5), ["ZAR", "USD"], utcDate(0));
    const saturday = nextSaturday();
    const run = String(Date.now()).slice(-9);
    const path = `${RESULTS_DIR}review-${run}.csv`;
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(
      path,
      [
        CSV_HEADER,
        `C-1,Client 1,1234567890,ZAR,USD,BUY,1500.00,${good},REVIEW-${run}-1`,
        `C-2,Client 2,1234567890,ZAR,USD,BUY,2500.50,${saturday},REVIEW-${run}-2`,
        `C-3,Client 3,1234567890,ZAR,USD,SELL,20000.00,${good},REVIEW-${run}-3`,
        `C-4,Client 4,1234567890,ZAR,USD,BUY,12000000.00,${good},REVIEW-${run}-4`,
      ].join("\n"),
    );

    await visit(page, "/batches/new");
    await page.getByLabel("CSV file").setInputFiles(path);
    await page.getByLabel("Name").fill("E2E review");
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    const id = page.url().split("/").at(-1)!;
    const { batchUid } = await batchFromApi(id);
    await page.getByRole("heading", { level: 1, name: batchUid }).waitFor();

    // The review, before anything starts.
    const review = page.getByRole("region", { name: "Review before start" });
    await review.getByRole("table", { name: "Totals by pair and direction" }).waitFor();
    expect((await readTable(review.getByRole("table", { name: "Totals by pair and direction" }))).rows).toEqual([
      ["ZAR/USD", "BUY USD", "USD 12,004,000.50", "3"],
      ["ZAR/USD", "SELL ZAR", "ZAR 20,000.00", "1"],
    ]);
    expect((await readTable(review.getByRole("table", { name: "Totals by currency" }))).rows).toEqual([
      ["USD", "12,004,000.50", "3"],
      ["ZAR", "20,000.00", "1"],
    ]);
    expect((await readTable(review.getByRole("table", { name: "Trades by value date" }))).rows).toEqual(
      [
        [good, "3", "1"],
        [saturday, "1", "2"],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    const warnings = (await review.getByRole("list", { name: "Warnings" }).getByRole("listitem").allTextContents()).map((text) =>
      text.replace(/\s+/g, " ").trim(),
    );
    expect(warnings).toEqual([
      `Value date not a business day NON_BUSINESS_DAY value date ${saturday} is not a business day for ZAR/USD (Saturday): 1 trade (row 2)`,
      "Large trade LARGE_TRADE 1 trade of USD 1000000 or more (the largest USD 12000000.00) (row 4)",
    ]);
    await screenshot(page, "batch-review");

    // Start asks first, with the totals; a large batch wants its id typed.
    await page.getByRole("button", { name: "Start", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Start ${batchUid}?` });
    await dialog.getByRole("table", { name: "Totals by currency" }).waitFor();
    expect((await readTable(dialog.getByRole("table", { name: "Totals by pair and direction" }))).rows).toHaveLength(2);
    await dialog.getByText("This is a large batch: USD 12004000.50 in all (USD 10000000 or more).", { exact: false }).waitFor();
    const confirm = dialog.getByRole("button", { name: "Run 4 trades" });
    expect(await confirm.isDisabled()).toBe(true);
    const typed = dialog.getByRole("textbox", { name: "Batch id" });
    await typed.fill("B-00000000-0000");
    expect(await confirm.isDisabled()).toBe(true);
    expect((await batchFromApi(id)).status).toBe("PENDING");
    await typed.fill(batchUid);
    expect(await confirm.isDisabled()).toBe(false);
    await screenshot(page, "batch-start-confirm");
    await confirm.click();
    await answered(dialog);

    // It starts: the review goes, and the batch runs to the end.
    const final = await waitForFinal(id);
    expect(final.succeededTrades + final.failedTrades).toBe(4);
    await review.waitFor({ state: "detached" });
  });
});
