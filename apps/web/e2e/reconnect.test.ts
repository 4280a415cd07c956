/** The dashboard tells when the API is gone, and catches up when it is back. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiKeyHeader, type Browser, controlApi, e2e, markWindow, openBrowser, screenshot, tradesCsv, visit } from "./harness";
import { type Child, freePort, startApi } from "./servers";

let browser: Browser;
let stopped = false;
beforeAll(async () => {
  browser = await openBrowser();
});
afterAll(async () => {
  // Whatever happened, leave the API running for the files after this one.
  if (stopped) await controlApi("start");
  if (browser?.consoleErrors.length)
    console.warn("browser console errors (some expected while the API was down):", browser.consoleErrors.length);
  await browser?.close();
});

/** Stages a batch through an API of the test's own, on another port, while the main one is down. */
async function stageWhileMainApiIsDown(name: string): Promise<string> {
  const { databaseUrl, webUrl } = e2e();
  const port = await freePort();
  let other: Child | null = null;
  try {
    other = await startApi({ databaseUrl, port, webOrigin: webUrl, logName: "api-other" });
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", ...apiKeyHeader() },
      body: JSON.stringify({
        query: `mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { batchUid } errors { message } } }`,
        variables: { input: { csv: tradesCsv(2), name, allowDuplicate: true } },
      }),
    });
    const body = (await response.json()) as { data: { stageBatch: { batch: { batchUid: string } | null } } };
    const batch = body.data.stageBatch.batch;
    if (!batch) throw new Error(`staging failed: ${JSON.stringify(body)}`);
    return batch.batchUid;
  } finally {
    await other?.stop();
  }
}

describe("Connection to the API", () => {
  test("the banner appears when the API stops and goes once it is back; the list catches up", async () => {
    const { page } = browser;
    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    const sameDocument = await markWindow(page);
    const banner = page.getByRole("alert").filter({ hasText: /^\s*Connection to the API lost/ });
    expect(await banner.count()).toBe(0);

    await controlApi("stop");
    stopped = true;
    await banner.waitFor({ timeout: 30_000 });
    await screenshot(page, "connection-lost");

    const batchUid = await stageWhileMainApiIsDown("E2E staged while offline");
    expect(await page.getByRole("link", { name: batchUid }).count()).toBe(0);

    await controlApi("start");
    stopped = false;
    await banner.waitFor({ state: "detached", timeout: 60_000 });
    await page.getByRole("link", { name: batchUid }).waitFor({ timeout: 30_000 });
    expect(await sameDocument()).toBe(true);
  });
});
