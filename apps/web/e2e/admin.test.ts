/** The admin pages: API keys shown once, users with one-time passwords, the audit log. */
import { describe, expect, test } from "vitest";
import { type Browser, browserForFile, eventually, gqlRequest, openBrowser, screenshot, signIn, tableRecords, visit } from "./harness";

const adminBrowser = browserForFile(undefined, { as: "ADMIN" });

/** The row of a table whose first cell is `text`. */
const rowOf = (table: Record<string, string>[], column: string, text: string) => table.find((row) => row[column]?.startsWith(text));

describe("API keys page", () => {
  test("an ADMIN creates a key and sees it once; the list shows only its prefix; revoking it (confirmed) stops it", async () => {
    const { page } = adminBrowser.current;
    await visit(page, "/admin/keys");
    await page.getByRole("heading", { level: 1, name: "API keys" }).waitFor();
    const name = `e2e import ${Date.now()}`;
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Role", { exact: true }).selectOption("TRADER");
    await page.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByRole("alert").filter({ hasText: "Shown once." });
    await shown.waitFor();
    const key = (await shown.locator("code").textContent())?.trim() ?? "";
    expect(key).toMatch(/^fxbt_/);
    await screenshot(page, "admin-key-created");
    // The key works, with the role it was given.
    const me = await gqlRequest<{ me: { name: string; role: string } }>("{ me { name role } }", undefined, { key });
    expect(me.data?.me).toEqual({ name, role: "TRADER" });

    const keysTable = page.getByRole("table", { name: "API keys, active first, then revoked" });
    await keysTable.getByRole("cell", { name, exact: true }).waitFor();
    const row = rowOf(await tableRecords(keysTable), "Name", name);
    expect(key.startsWith((row?.Prefix ?? "?").replace("…", ""))).toBe(true);
    expect(row).toMatchObject({ Role: "TRADER", Revoked: "Active" });

    await page.getByRole("button", { name: "I have stored it safely" }).click();
    await shown.waitFor({ state: "detached" });
    await visit(page, "/admin/keys");
    await keysTable.getByRole("cell", { name, exact: true }).waitFor();
    expect(await page.content()).not.toContain(key);

    await keysTable.getByRole("row").filter({ hasText: name }).getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("cannot be undone", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await dialog.waitFor({ state: "detached" });
    await eventually(async () => rowOf(await tableRecords(keysTable), "Name", name)?.Revoked !== "Active");
    const refused = await gqlRequest("{ me { name } }", undefined, { key });
    expect(refused.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("Users page", () => {
  test("an ADMIN creates a user, sees the one-time password once, and the user signs in with it", async () => {
    const { page } = adminBrowser.current;
    await visit(page, "/admin/users");
    await page.getByRole("heading", { level: 1, name: "Users" }).waitFor();
    const email = `e2e-made-${Date.now()}@example.test`;
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Role", { exact: true }).selectOption("VIEWER");
    await page.getByLabel("Partner (optional)", { exact: true }).fill("acme");
    await page.getByRole("button", { name: "Create user" }).click();
    const shown = page.getByRole("alert").filter({ hasText: `One-time password for ${email}` });
    await shown.waitFor();
    const oneTimePassword = (await shown.locator("code").textContent())?.trim() ?? "";
    expect(oneTimePassword.length).toBeGreaterThanOrEqual(12);
    const usersTable = page.getByRole("table", { name: "Users, their roles and whether they can sign in" });
    await usersTable.getByRole("cell", { name: email }).waitFor();
    expect(rowOf(await tableRecords(usersTable), "Email", email)).toMatchObject({ Partner: "acme", State: "One-time password" });

    let newcomer: Browser | null = null;
    try {
      newcomer = await openBrowser(undefined, { as: null });
      await signIn(newcomer.page, { email, oneTimePassword, role: "VIEWER", partner: "acme" });
      await newcomer.page.getByRole("banner").getByText("partner acme").waitFor();
    } finally {
      await newcomer?.close();
    }
    await visit(page, "/admin/users");
    await eventually(async () => rowOf(await tableRecords(usersTable), "Email", email)?.State === "Active");
  });
});

describe("Audit log page", () => {
  test("lists this ADMIN's sign-in, found by the actor and action filters", async () => {
    const { page, account } = adminBrowser.current;
    await visit(page, "/admin/audit");
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await page.getByLabel("Actor", { exact: true }).fill(account!.email);
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "Sign in" });
    const table = page.getByRole("table", { name: "Audited events, newest first" });
    const rows = await eventually(async () => {
      const records = await tableRecords(table);
      return records.length > 0 && records.every((row) => row.Who?.startsWith(account!.email)) ? records : null;
    });
    expect(rows[0]).toMatchObject({ Action: "Sign in", Outcome: "Succeeded" });
    expect(rows[0]!.Address).not.toBe("—");
    await page
      .getByRole("navigation", { name: "Audit log pages" })
      .getByText(/in all/)
      .waitFor();
    await screenshot(page, "admin-audit");
  });
});
