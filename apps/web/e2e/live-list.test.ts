/** The batches list follows the server live, and stops following while paused. */
import { describe, expect, test } from "vitest";
import {
  browserForFile,
  eventually,
  markWindow,
  progressValue,
  screenshot,
  stageViaApi,
  startViaApi,
  tradesCsv,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

describe("Batches list", () => {
  test("a batch staged and run elsewhere appears and its progress reaches 100% without a reload", async () => {
    const { page } = browserHolder.current;
    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    // Let the live subscription connect before the change it must deliver.
    await page.waitForLoadState("networkidle").catch(() => undefined);
    const sameDocument = await markWindow(page);

    const staged = await stageViaApi(tradesCsv(1_000), { name: "E2E live list" });
    await page.getByRole("link", { name: staged.batchUid }).waitFor({ timeout: 15_000 });
    const bar = page.getByRole("progressbar", { name: `Progress of ${staged.batchUid}` });
    expect(await progressValue(bar)).toBe(0);

    await startViaApi(staged.id);
    const seen = new Set<number>();
    await eventually(
      async () => {
        const value = await progressValue(bar);
        seen.add(value);
        return value === 100;
      },
      60_000,
      50,
    );
    await waitForFinal(staged.id);
    expect(
      [...seen].some((value) => value > 0 && value < 100),
      `values seen: ${[...seen].join(", ")}`,
    ).toBe(true);
    expect(await sameDocument()).toBe(true);
    await screenshot(page, "batches-live");
  });

  test("a batch staged after the list was read and before its live feed started is shown", async () => {
    // A page of its own: the route below holds what this page's socket sends, and only this page's.
    const page = await browserHolder.current.context.newPage();
    try {
      // Held for every socket the page opens until the batch is staged: should the API close one
      // for its connection_init coming late (SOCKET_INIT_TIMEOUT_MS), the page's next socket must wait as well.
      let holding = true;
      const held: (() => void)[] = [];
      await page.routeWebSocket(/\/graphql$/, (socket) => {
        const server = socket.connectToServer();
        let serverClosed = false;
        const send = (message: string | Buffer) => {
          if (!serverClosed) server.send(message);
        };
        socket.onMessage((message) => (holding ? held.push(() => send(message)) : send(message)));
        server.onMessage((message) => socket.send(message));
        // Set, this handler replaces Playwright's own passing on of the close: the page must still see it.
        server.onClose((code, reason) => {
          serverClosed = true;
          void socket.close({ code, reason });
        });
      });
      const listRead = page.waitForResponse((response) => response.request().postData()?.includes("query BatchesPage") ?? false);
      await visit(page, "/");
      await listRead;
      // The list has been read and the feed has not subscribed (its socket's messages wait above):
      // the event of this staging goes to nobody.
      const staged = await stageViaApi(tradesCsv(2), { name: "E2E staged before the feed" });
      holding = false;
      for (const send of held.splice(0)) send();
      await page.getByRole("link", { name: staged.batchUid }).waitFor({ timeout: 15_000 });
    } finally {
      await page.close();
    }
  });

  test('while "Pause live updates" is checked new batches do not appear; unchecking shows them', async () => {
    const { page } = browserHolder.current;
    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    await page.waitForLoadState("networkidle").catch(() => undefined);
    const sameDocument = await markWindow(page);

    const pause = page.getByLabel("Pause live updates");
    await pause.check();
    expect(await pause.isChecked()).toBe(true);
    const hidden = await stageViaApi(tradesCsv(3), { name: "E2E paused" });
    // Long enough for a live event to arrive and be drawn (it does within ~100 ms when not paused).
    await page.waitForTimeout(3_000);
    expect(await page.getByRole("link", { name: hidden.batchUid }).count()).toBe(0);

    await pause.uncheck();
    await page.getByRole("link", { name: hidden.batchUid }).waitFor({ timeout: 15_000 });
    expect(await sameDocument()).toBe(true);
  });
});
