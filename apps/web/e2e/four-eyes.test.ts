/**
 * Four eyes: with APPROVAL_MIN_TRADES set, a batch staged by one trader starts only after
 * another approves it. The run's API has no approval policy (the other files start their
 * batches at once), so this file starts an API of its own with one, on the same database,
 * and a dashboard that talks to it.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Browser, e2e, eventually, openBrowser, screenshot, startFromPage, uniqueTradesCsvFile, waitForFinal } from "./harness";
import { type Child, freePort, startApi, startWeb } from "./servers";

const APPROVAL_MIN_TRADES = 3;

let api: Child | null = null;
let web: Child | null = null;
let webUrl = "";
const browsers: Browser[] = [];

beforeAll(async () => {
  const [apiPort, webPort] = [await freePort(), await freePort()];
  webUrl = `http://127.0.0.1:${webPort}`;
  api = await startApi({
    databaseUrl: e2e().databaseUrl,
    port: apiPort,
    webOrigin: webUrl,
    env: { APPROVAL_MIN_TRADES: String(APPROVAL_MIN_TRADES) },
    logName: "api-four-eyes",
  });
  web = await startWeb({ port: webPort, apiUrl: `http://127.0.0.1:${apiPort}/graphql` });
});

afterAll(async () => {
  for (const browser of browsers) {
    if (browser.consoleErrors.length) console.warn("browser console errors:", browser.consoleErrors);
    await browser.close();
  }
  await web?.stop();
  await api?.stop();
});

async function trader(): Promise<Browser> {
  const browser = await openBrowser(undefined, { as: "TRADER", webUrl });
  browsers.push(browser);
  return browser;
}

describe("Four eyes", () => {
  test("trader A stages; Start waits with 'Awaiting approval'; A cannot approve, trader B does; then A starts it", async () => {
    const [a, b] = [await trader(), await trader()];

    await a.page.goto(`${webUrl}/batches/new`);
    await a.page.getByLabel("CSV file").setInputFiles(uniqueTradesCsvFile("four-eyes", APPROVAL_MIN_TRADES));
    await a.page.getByRole("button", { name: "Stage batch" }).click();
    await a.page.waitForURL(/\/batches\/[0-9a-f-]{36}$/);
    const batchPath = new URL(a.page.url()).pathname;
    const batchId = batchPath.split("/").at(-1)!;

    const intro = a.page.locator("header", { has: a.page.getByRole("heading", { level: 1 }) });
    await intro.getByText("Awaiting approval", { exact: true }).waitFor();
    const start = a.page.getByRole("button", { name: "Start" });
    expect(await start.isDisabled()).toBe(true);
    expect(await start.getAttribute("title")).toMatch(/^Awaiting approval: a person with the TRADER or ADMIN role other than e2e-trader-/);
    const ownApprove = a.page.getByRole("button", { name: "Approve" });
    expect(await ownApprove.isDisabled()).toBe(true);
    expect(await ownApprove.getAttribute("title")).toContain(`other than ${a.account!.email}`);
    await screenshot(a.page, "four-eyes-awaiting");

    // The list says it too.
    await b.page.goto(`${webUrl}/`);
    const listRow = b.page.getByRole("row").filter({ has: b.page.locator(`a[href="${batchPath}"]`) });
    await listRow.getByText("Awaiting approval", { exact: true }).waitFor();

    await b.page.goto(`${webUrl}${batchPath}`);
    const approve = b.page.getByRole("button", { name: "Approve" });
    await approve.waitFor();
    expect(await approve.isDisabled()).toBe(false);
    await approve.click();
    await b.page.getByText(`Approved by ${b.account!.email} at`, { exact: false }).waitFor();

    // A's page follows live: the approval arrives, and Start is enabled.
    await a.page.getByText(`Approved by ${b.account!.email} at`, { exact: false }).waitFor();
    await eventually(async () => !(await start.isDisabled()));
    expect(await intro.getByText("Awaiting approval", { exact: true }).count()).toBe(0);
    await startFromPage(a.page, start);
    const batch = await waitForFinal(batchId);
    expect(batch.approvalRequired).toBe(true);
    expect(batch.approvedBy).toBe(b.account!.email);
    expect(batch.stagedBy).toBe(a.account!.email);
    expect(batch.succeededTrades + batch.failedTrades).toBe(APPROVAL_MIN_TRADES);
  });
});
