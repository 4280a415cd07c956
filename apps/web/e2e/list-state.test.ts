/**
 * Lists keep their filters, search, sort and page in the address: a reload shows the same
 * list and page, back steps to the state before, and a link with nonsense in it still opens.
 */
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import {
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

const browserHolder = browserForFile({ width: 1366, height: 768 });

/** This run's own mark, so searches find only what this file staged. */
const RUN = `u${String(Date.now()).slice(-8)}`;

/** CSV of `count` trades whose references carry `mark`. */
function markedCsv(count: number, mark: string): string {
  const lines = [CSV_HEADER];
  for (let row = 1; row <= count; row++)
    lines.push(`C-${row},Client ${row},12345${row % 10}0000,ZAR,USD,BUY,${100 + row}.25,,${mark}-${row}`);
  return `${lines.join("\n")}\n`;
}

async function pagerText(page: Page, label: string): Promise<string> {
  return (await page.getByRole("navigation", { name: label }).locator(".pager-status").textContent()) ?? "";
}

async function batchLinks(page: Page): Promise<string[]> {
  const table = page.getByRole("table", { name: "Batches, with their status and progress" });
  return table.locator("tbody tr td.cell-id a").allTextContents();
}

async function tradeReferences(page: Page): Promise<string[]> {
  const table = page.getByRole("table", { name: "Trades across all batches, newest first" });
  const references = await table.locator("tbody > tr:not(.attempts-row) > td:nth-child(6)").allTextContents();
  return references;
}

describe("List state in the address", () => {
  test("the batches list: status, search, sort and page 2 survive a reload; back returns to page 1", async () => {
    const { page } = browserHolder.current;
    // 22 batches of 1..22 trades: sorted by total trades ascending, page 2 (of 20 a page) holds the 21- and 22-trade ones.
    const name = `E2E list ${RUN}`;
    for (let count = 22; count >= 1; count--) await stageViaApi(markedCsv(count, `${RUN}-b${count}`), { name: `${name} ${count}` });

    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    await page.getByRole("checkbox", { name: "Pending" }).check();
    await page.getByRole("searchbox", { name: "Search" }).fill(name);
    await page.getByLabel("Sort by").selectOption("TOTAL_TRADES");
    await page.getByLabel("Direction").selectOption("ASC");
    await eventually(async () => (await pagerText(page, "Batch pages")) === "Page 1 of 2 · 22 in all");
    // Fewest trades first: the batches were staged from 22 trades down to 1, so their ids descend.
    // The pager says the same for any order, so the page is taken once it shows the sorted one
    // (taken as soon as it had 20 rows, it once held the list before the sort came back).
    const sortedFirst = (links: string[]) => links.length === 20 && links.every((link, i) => i === 0 || link < links[i - 1]!);
    const firstPage = await eventually(async () => {
      const links = await batchLinks(page);
      return sortedFirst(links) ? links : null;
    });

    await page.getByRole("navigation", { name: "Batch pages" }).getByRole("button", { name: "Next page" }).click();
    await eventually(async () => (await pagerText(page, "Batch pages")) === "Page 2 of 2 · 22 in all");
    const secondPage = await eventually(async () => {
      const links = await batchLinks(page);
      return links.length === 2 ? links : null;
    });
    const url = new URL(page.url());
    expect(url.searchParams.getAll("status")).toEqual(["PENDING"]);
    expect(url.searchParams.get("q")).toBe(name);
    expect(url.searchParams.get("sort")).toBe("TOTAL_TRADES");
    expect(url.searchParams.get("dir")).toBe("ASC");
    expect(url.searchParams.getAll("after")).toHaveLength(1);

    await page.reload({ waitUntil: "load" });
    await eventually(async () => (await pagerText(page, "Batch pages")) === "Page 2 of 2 · 22 in all");
    expect(await eventually(async () => ((await batchLinks(page)).length === 2 ? batchLinks(page) : null))).toEqual(secondPage);
    expect(await page.getByRole("checkbox", { name: "Pending" }).isChecked()).toBe(true);
    expect(await page.getByRole("searchbox", { name: "Search" }).inputValue()).toBe(name);
    expect(await page.getByLabel("Sort by").inputValue()).toBe("TOTAL_TRADES");
    expect(await page.getByLabel("Direction").inputValue()).toBe("ASC");

    // The same link opened elsewhere (a new tab) shows the same page.
    const shared = await page.context().newPage();
    await shared.goto(page.url(), { waitUntil: "load" });
    await eventually(async () => (await pagerText(shared, "Batch pages")) === "Page 2 of 2 · 22 in all");
    expect(await eventually(async () => ((await batchLinks(shared)).length === 2 ? batchLinks(shared) : null))).toEqual(secondPage);
    await shared.close();

    await page.goBack();
    await eventually(async () => (await pagerText(page, "Batch pages")) === "Page 1 of 2 · 22 in all");
    expect(await eventually(async () => ((await batchLinks(page)).length === 20 ? batchLinks(page) : null))).toEqual(firstPage);
    await page.goForward();
    await eventually(async () => (await pagerText(page, "Batch pages")) === "Page 2 of 2 · 22 in all");
  });

  test("the trade history: status, search and page 2 survive a reload", async () => {
    const { page } = browserHolder.current;
    const mark = `${RUN}-t`;
    await stageViaApi(markedCsv(55, mark), { name: `E2E history ${RUN}` });

    await visit(page, "/trades");
    await page.getByRole("heading", { level: 1, name: "Trades" }).waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill(mark);
    await page.getByLabel("Trade status").selectOption("PENDING");
    await eventually(async () => (await pagerText(page, "Trade pages")) === "Page 1 of 2 · 55 in all");
    await page.getByRole("navigation", { name: "Trade pages" }).getByRole("button", { name: "Next page" }).click();
    await eventually(async () => (await pagerText(page, "Trade pages")) === "Page 2 of 2 · 55 in all");
    const shown = await eventually(async () => {
      const references = await tradeReferences(page);
      return references.length === 5 ? references : null;
    });
    expect(shown.every((reference) => reference.startsWith(`${mark}-`))).toBe(true);

    await page.reload({ waitUntil: "load" });
    await eventually(async () => (await pagerText(page, "Trade pages")) === "Page 2 of 2 · 55 in all");
    expect(await eventually(async () => ((await tradeReferences(page)).length === 5 ? tradeReferences(page) : null))).toEqual(shown);
    expect(await page.getByRole("searchbox", { name: "Search" }).inputValue()).toBe(mark);
    expect(await page.getByLabel("Trade status").inputValue()).toBe("PENDING");
  });

  test("the batch page's trades: the error code chosen in the results and the status survive a reload", async () => {
    const { page } = browserHolder.current;
    // Rows 4 and 9 are refused at booking (…8888, INSUFFICIENT_FUNDS); the rest are booked.
    const account = (row: number) => (row === 4 || row === 9 ? `55500${row}8888` : `12345${row}0000`);
    const lines = [CSV_HEADER];
    for (let row = 1; row <= 10; row++) lines.push(`C-${row},Client ${row},${account(row)},ZAR,USD,BUY,${100 + row}.25,,${RUN}-p${row}`);
    const staged = await stageViaApi(`${lines.join("\n")}\n`, { name: `E2E page state ${RUN}` });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);

    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("button", { name: "Show the INSUFFICIENT_FUNDS trades" }).click();
    await page.getByLabel("Trade status").selectOption("FAILED");
    const accounts = async () => (await tableRecords(tradeTable(page))).map((row) => row.Account);
    await eventually(async () => (await accounts()).length === 2);
    expect(new URL(page.url()).searchParams.get("error")).toBe("INSUFFICIENT_FUNDS");
    expect(new URL(page.url()).searchParams.get("status")).toBe("FAILED");

    await page.reload({ waitUntil: "load" });
    await page.getByText("Showing the failed trades with error code").waitFor();
    expect(await eventually(async () => ((await accounts()).length === 2 ? accounts() : null))).toEqual(["5550048888", "5550098888"]);
    expect(await page.getByLabel("Trade status").inputValue()).toBe("FAILED");

    // Back twice: the status, then the code, are undone; every trade shows again.
    await page.goBack();
    await page.goBack();
    await eventually(async () => (await accounts()).length === 10);
    expect(await page.getByText("Showing the failed trades with error code").count()).toBe(0);
  });

  test("nonsense in the address falls back to the defaults, with no error", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/?status=LOST&sort=DROP&dir=UP&from=2026-02-30&after=not-a-cursor!");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    await eventually(async () => (await pagerText(page, "Batch pages")).startsWith("Page 1 of"));
    expect(await page.getByLabel("Sort by").inputValue()).toBe("CREATED_AT");
    expect(await page.locator(".alert-danger").count()).toBe(0);

    // A well-formed cursor the list never made: the API refuses it and the list opens at page 1.
    const forged = Buffer.from(JSON.stringify(["x"])).toString("base64url");
    await visit(page, `/trades?status=PENDING&after=${forged}`);
    await page.getByRole("heading", { level: 1, name: "Trades" }).waitFor();
    await eventually(async () => (await pagerText(page, "Trade pages")).startsWith("Page 1"));
    await eventually(async () => !new URL(page.url()).searchParams.has("after"));
    expect(new URL(page.url()).searchParams.get("status")).toBe("PENDING");
    await screenshot(page, "list-state-fallback");
  });
});
