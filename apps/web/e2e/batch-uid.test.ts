/** A batch page opened by the batchUid people see (/batches/B-…), and the priority's range on the New batch page. */
import { describe, expect, test } from "vitest";
import {
  batchCount,
  browserForFile,
  eventually,
  markWindow,
  progressValue,
  screenshot,
  stageViaApi,
  startFromPage,
  tableRecords,
  tradesCsv,
  tradeTable,
  uniqueTradesCsvFile,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

describe("A batch by its batchUid", () => {
  test("/batches/<batchUid> opens the batch and follows it live to the end", async () => {
    const { page } = browserHolder.current;
    const batch = await stageViaApi(tradesCsv(5), { name: "E2E by uid" });
    expect(batch.batchUid).toMatch(/^B-\d{8}-\d{4,}$/);

    await visit(page, `/batches/${batch.batchUid}`);
    await page.getByRole("heading", { level: 1, name: batch.batchUid }).waitFor();
    await page.getByText("E2E by uid").first().waitFor();
    expect(page.url()).toMatch(new RegExp(`/batches/${batch.batchUid}$`));

    // Started from this page, the batch is followed by its id's live streams: no reload needed.
    const sameDocument = await markWindow(page);
    const bar = page.getByRole("progressbar", { name: "Batch progress" });
    await startFromPage(page);
    await eventually(async () => (await progressValue(bar)) === 100, 60_000);
    const final = await waitForFinal(batch.id);
    await page.getByRole("heading", { name: "Results" }).waitFor();
    const records = await eventually(async () => {
      const all = await tableRecords(tradeTable(page));
      return all.length === 5 && all.every((record) => record.Status !== "Pending" && record.Status !== "Executing") ? all : null;
    }, 30_000);
    expect(records).toHaveLength(5);
    expect(final.processedTrades).toBe(5);
    expect(await sameDocument()).toBe(true);
    await screenshot(page, "batch-by-uid");
  });

  test("an unknown batchUid, and one in the wrong case, are not found", async () => {
    const { page } = browserHolder.current;
    const batch = await stageViaApi(tradesCsv(1));
    for (const path of ["/batches/B-19700101-0001", `/batches/${batch.batchUid.toLowerCase()}`]) {
      await visit(page, path);
      await page.getByRole("heading", { level: 1, name: "Batch not found" }).waitFor();
    }
  });
});

describe("New batch page: priority", () => {
  test("shows the range, and a priority beyond it at the field; nothing is staged", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/batches/new");
    await page.getByRole("heading", { level: 1, name: "New batch" }).waitFor();
    await page.getByText("A whole number from -1000 to 1000, 0 by default.").waitFor();
    await page.getByLabel("CSV file").setInputFiles(uniqueTradesCsvFile("priority", 2));
    const before = await batchCount();

    const priority = page.getByLabel("Priority");
    await priority.fill("99999999999");
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.getByText("Priority must be a whole number from -1000 to 1000, got 99999999999.").waitFor();
    expect(await priority.getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "new-batch-priority-error");
    expect(page.url()).toMatch(/\/batches\/new$/);
    expect(await batchCount()).toBe(before);

    // In range, the same file stages with that priority.
    await priority.fill("-1000");
    expect(await priority.getAttribute("aria-invalid")).toBeNull();
    await page.getByRole("button", { name: "Stage batch" }).click();
    await page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    await page.getByText("-1000", { exact: true }).first().waitFor();
  });
});
