/** What each role is offered: a VIEWER watches, only an ADMIN reaches the admin pages. */
import { describe, expect, test } from "vitest";
import { browserForFile, stageViaApi, tradesCsv, visit } from "./harness";

const viewerBrowser = browserForFile(undefined, { as: "VIEWER" });

describe("A VIEWER", () => {
  test("sees no Stage action: no New batch link, a staging page that says which role it needs, actions disabled with the reason", async () => {
    const { page } = viewerBrowser.current;
    const staged = await stageViaApi(tradesCsv(2), { name: "E2E viewer" });
    await visit(page, "/");
    await page.getByRole("heading", { level: 1, name: "Batches" }).waitFor();
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Batches" }).waitFor();
    expect(await nav.getByRole("link", { name: "New batch" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "New trade" }).count()).toBe(0);
    expect(await nav.getByRole("link", { name: "Admin" }).count()).toBe(0);

    await visit(page, "/batches/new");
    await page.getByText("This page needs the TRADER role; you are signed in as VIEWER.", { exact: false }).waitFor();
    expect(await page.getByLabel("CSV file").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Stage batch" }).count()).toBe(0);
    await visit(page, "/trades/new");
    await page.getByText("This page needs the TRADER role; you are signed in as VIEWER.", { exact: false }).waitFor();
    expect(await page.getByLabel("Account number").count()).toBe(0);

    await visit(page, `/batches/${staged.id}`);
    const start = page.getByRole("button", { name: "Start" });
    await start.waitFor();
    expect(await start.isDisabled()).toBe(true);
    expect(await start.getAttribute("title")).toBe("Start needs the TRADER role or higher; you have VIEWER.");
    expect(await page.getByRole("button", { name: "Delete batch" }).isDisabled()).toBe(true);
    expect(await page.getByRole("link", { name: "Add a trade" }).count()).toBe(0);

    await visit(page, "/admin/users");
    await page.getByText("This page needs the ADMIN role; you are signed in as VIEWER.", { exact: false }).waitFor();
    expect(await page.getByRole("table").count()).toBe(0);
  });
});
