/** The dashboard tells when the API is gone, and catches up when it is back. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  apiKeyHeader,
  type Browser,
  batchStatusText,
  controlApi,
  e2e,
  eventually,
  gqlRequest,
  markWindow,
  openBrowser,
  readTable,
  screenshot,
  tradesCsv,
  tradeTable,
  visit,
} from "./harness";
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

  test("a batch page resumes its live streams after the drop: what happened meanwhile arrives, and the batch is not read again", async () => {
    const { page } = browser;
    const staged = await gqlRequest<{ stageBatch: { batch: { id: string; eventSequence: number } } }>(
      `mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id eventSequence } } }`,
      { input: { csv: tradesCsv(12), name: "E2E resumed while offline", allowDuplicate: true } },
    );
    const batch = staged.data!.stageBatch.batch;
    await visit(page, `/batches/${batch.id}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    expect(await batchStatusText(page)).toBe("Pending");
    await eventually(async () => (await readTable(tradeTable(page))).rows.length === 12 || null);

    // From here: what the page asks over HTTP, and what it subscribes to over the socket.
    const queries: string[] = [];
    page.on("request", (request) => {
      const body = request.method() === "POST" ? request.postData() : null;
      if (body?.includes("operationName")) queries.push((JSON.parse(body) as { operationName: string }).operationName);
    });
    const subscribes: { query: string; variables: Record<string, unknown> }[] = [];
    page.on("websocket", (socket) =>
      socket.on("framesent", ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload?: { query: string; variables: Record<string, unknown> } };
        if (message.type === "subscribe" && message.payload) subscribes.push(message.payload);
      }),
    );

    await controlApi("stop");
    stopped = true;
    // Another API on the same database runs the whole batch while the page's API is down.
    const { databaseUrl, webUrl } = e2e();
    const port = await freePort();
    const other = await startApi({ databaseUrl, port, webOrigin: webUrl, logName: "api-other" });
    try {
      const otherUrl = `http://127.0.0.1:${port}/graphql`;
      await gqlRequest(`mutation($id: ID!) { startBatch(id: $id) { id } }`, { id: batch.id }, { apiUrl: otherUrl });
      await eventually(async () => {
        const read = await gqlRequest<{ batch: { completedAt: string | null } }>(
          `query($id: ID!) { batch(id: $id) { completedAt } }`,
          { id: batch.id },
          { apiUrl: otherUrl },
        );
        return read.data?.batch.completedAt ?? null;
      }, 60_000);
    } finally {
      await other.stop();
    }
    queries.length = 0;

    await controlApi("start");
    stopped = false;
    // The page catches up through its resumed subscriptions: the batch's final state, every trade's.
    const { data } = await gqlRequest<{ batch: { status: string; failedTrades: number } }>(
      `query($id: ID!) { batch(id: $id) { status failedTrades } }`,
      { id: batch.id },
    );
    const finalStatus = data!.batch.status === "SUCCESS" ? "Succeeded" : "Partially succeeded";
    await eventually(async () => ((await batchStatusText(page)) === finalStatus ? true : null), 60_000).catch(async (error: Error) => {
      await screenshot(page, "batch-not-resumed");
      const seen = `status ${await batchStatusText(page)}; subscribed ${JSON.stringify(subscribes)}; queried ${JSON.stringify(queries)}`;
      throw new Error(`${error.message}: the page did not catch up to ${finalStatus} (${seen})`, { cause: error });
    });
    await eventually(async () => {
      const { rows } = await readTable(tradeTable(page));
      const statuses = rows
        .map((cells) => cells.join(" "))
        .map((row) => (row.includes("Succeeded") ? "Succeeded" : row.includes("Failed") ? "Failed" : "other"));
      const failed = statuses.filter((status) => status === "Failed").length;
      return rows.length === 12 && !statuses.includes("other") && failed === data!.batch.failedTrades ? true : null;
    }, 30_000);
    await screenshot(page, "batch-resumed-after-drop");
    const resumed = subscribes.filter((s) => /tradeStatusChanged|batchProgress/.test(s.query));
    expect(resumed.length).toBeGreaterThanOrEqual(2);
    expect(resumed.every((s) => s.variables.afterSequence === batch.eventSequence)).toBe(true);
    expect(queries.filter((name) => name === "BatchDetail" || name === "BatchTrades")).toEqual([]);
  });
});
