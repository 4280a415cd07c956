/** The run charts and honest figures (issue 10): live throughput on the batch page, the 24 h volume, a cancelled batch's bar. */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
  batchFromApi,
  browserForFile,
  eventually,
  gql,
  markWindow,
  screenshot,
  stageViaApi,
  startFromPage,
  startViaApi,
  tradesCsv,
  visit,
  waitForFinal,
} from "./harness";

// uPlot formats its axis numbers with Intl.NumberFormat(navigator.language), which refuses the
// headless Chromium's own "en-US@posix": openBrowser makes the browser speak en-US, as a user's would.
const browserHolder = browserForFile();

/** The totals a chart's caption (its text alternative) gives: "…: N trades finished, S succeeded and F failed…". */
async function chartTotals(page: Page, name: RegExp): Promise<{ finished: number; succeeded: number; failed: number } | null> {
  const figure = page.getByRole("figure", { name });
  if ((await figure.count()) === 0) return null;
  const caption = (await figure.locator("figcaption").textContent()) ?? "";
  const match = /([\d,]+) trades finished, ([\d,]+) succeeded and ([\d,]+) failed/.exec(caption);
  if (!match) return null;
  const number = (text: string | undefined) => Number((text ?? "").replaceAll(",", ""));
  return { finished: number(match[1]), succeeded: number(match[2]), failed: number(match[3]) };
}

/** Enough trades that the run lasts a few seconds on a loaded machine (the bank answers after 30 ms each). */
const TOTAL = 1_500;
const THROUGHPUT = /^Trades finished over the batch's runs/;
const VOLUME = /^Trades finished in the last 24 hours/;

describe("run charts", () => {
  test("the batch page's chart grows live to every trade the bank answered, with no reload", async () => {
    const { page } = browserHolder.current;
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    const staged = await stageViaApi(tradesCsv(TOTAL), { name: "E2E chart" });
    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const sameDocument = await markWindow(page);
    // Not started: no run, so no chart.
    expect(await page.getByRole("region", { name: "Throughput chart" }).count()).toBe(0);

    await startFromPage(page);
    const seen: number[] = [];
    const final = await eventually(
      async () => {
        const totals = await chartTotals(page, THROUGHPUT);
        if (totals && totals.finished !== seen.at(-1)) seen.push(totals.finished);
        return totals?.finished === TOTAL ? totals : null;
      },
      120_000,
      50,
    ).catch(async (error) => {
      const batch = await batchFromApi(staged.id);
      throw new Error(`${error}; chart showed ${seen.join(", ")}; batch ${batch.status} with ${batch.answeredTrades} answers`);
    });
    // The chart showed the run part-way before it showed all of it: it grew while the batch ran.
    expect(seen.some((finished) => finished > 0 && finished < TOTAL)).toBe(true);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const batch = await waitForFinal(staged.id);
    expect(final).toEqual({ finished: TOTAL, succeeded: batch.succeededTrades, failed: batch.failedTrades });
    // Its drawing is uPlot's canvas; the buckets are in a hidden table too.
    const figure = page.getByRole("figure", { name: THROUGHPUT });
    expect({ drawn: (await figure.locator("canvas").count()) > 0, problems }).toEqual({ drawn: true, problems: [] });
    expect(await figure.locator("table tbody tr").count()).toBeGreaterThan(0);
    expect(await sameDocument()).toBe(true);
    await screenshot(page, "batch-throughput-chart");

    // The run figures beside it: the run time of the batch's one run, and answers per second of it.
    const runTime = await page.getByText("Run time", { exact: true }).locator("xpath=following-sibling::dd").textContent();
    expect(runTime).toMatch(/^\d+( min \d+)? s$/);
  });

  test("the batches page shows the last 24 hours' volume and it grows as another batch runs", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/");
    const before = await eventually(() => chartTotals(page, VOLUME), 20_000);
    const { tradeVolume } = await gql<{ tradeVolume: { succeeded: number; failed: number; buckets: unknown[] } }>(
      "{ tradeVolume(hours: 24) { succeeded failed buckets { start } } }",
    );
    expect(tradeVolume.buckets).toHaveLength(24);
    // The earlier test's trades finished within the hour.
    expect(before.finished).toBeGreaterThanOrEqual(TOTAL);
    expect(before.finished).toBeLessThanOrEqual(tradeVolume.succeeded + tradeVolume.failed);

    const staged = await stageViaApi(tradesCsv(40), { name: "E2E volume" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);
    const after = await eventually(async () => {
      const totals = await chartTotals(page, VOLUME);
      return totals && totals.finished >= before.finished + 40 ? totals : null;
    }, 30_000);
    expect(after.succeeded + after.failed).toBe(after.finished);
    await screenshot(page, "batches-volume-chart");
  });

  test("a cancelled batch's bar shows what was booked against what was cancelled, in the list and on its page", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(tradesCsv(5_000), { name: "E2E cancelled bar" });
    await startViaApi(staged.id);
    await eventually(async () => (await batchFromApi(staged.id)).succeededTrades > 0, 30_000, 50);
    await gql("mutation($id: ID!) { cancelBatch(id: $id) { id } }", { id: staged.id });
    const batch = await waitForFinal(staged.id);
    expect(batch.status).toBe("CANCELLED");
    expect(batch.cancelledTrades).toBeGreaterThan(0);

    const words = (n: number) => n.toLocaleString("en-US");
    const expected = new RegExp(
      `^100% processed: ${words(batch.succeededTrades)} booked, (${words(batch.failedTrades)} failed, )?${words(batch.cancelledTrades)} cancelled of 5,000$`,
    );
    await visit(page, "/");
    const listBar = page.getByRole("progressbar", { name: `Progress of ${staged.batchUid}` });
    await listBar.waitFor();
    expect(await listBar.getAttribute("aria-valuetext")).toMatch(expected);
    expect(await listBar.locator("[data-part=cancelled]").count()).toBe(1);

    await visit(page, `/batches/${staged.id}`);
    const pageBar = page.getByRole("progressbar", { name: "Batch progress" });
    await pageBar.waitFor();
    expect(await pageBar.getAttribute("aria-valuetext")).toMatch(expected);
    const widths = await pageBar
      .locator("[data-part]")
      .evaluateAll((parts) => parts.map((part) => [(part as HTMLElement).dataset.part, (part as HTMLElement).style.width]));
    expect(widths.find(([part]) => part === "booked")?.[1]).toBe(`${(100 * batch.succeededTrades) / 5_000}%`);
    expect(widths.find(([part]) => part === "cancelled")?.[1]).toBe(`${(100 * batch.cancelledTrades) / 5_000}%`);
    await screenshot(page, "batch-cancelled-bar");
  });
});
