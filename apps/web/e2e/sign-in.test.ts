/** Signing in and out of the dashboard, and what a page shows to nobody. */
import { describe, expect, test } from "vitest";
import { browserForFile, createAccount, eventually, gql, screenshot, signIn, signOut, stageViaApi, tradesCsv, visit } from "./harness";

const browserHolder = browserForFile(undefined, { as: null });

describe("Sign-in", () => {
  test("a wrong password shows the API's refusal and stays on /login", async () => {
    const { page } = browserHolder.current;
    const account = await createAccount("TRADER");
    // Signed out, the page opens no socket (the API would refuse it, 4401, and it would retry).
    const sockets: string[] = [];
    page.on("websocket", (socket) => sockets.push(socket.url()));
    await visit(page, "/login");
    await page.getByLabel("Email", { exact: true }).fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill("not-the-password-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "Sign-in failed." });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("Email or password is wrong, or the account is locked or disabled.");
    expect(new URL(page.url()).pathname).toBe("/login");
    // Nothing of the dashboard is shown to nobody.
    expect(await page.getByRole("navigation", { name: "Main" }).count()).toBe(0);
    expect(sockets).toEqual([]);
    await screenshot(page, "sign-in-refused");
  });

  test("a page asked for while signed out opens after sign-in (one-time password replaced first); Sign out leaves", async () => {
    const { page } = browserHolder.current;
    const staged = await stageViaApi(tradesCsv(2), { name: "E2E sign-in next" });
    await visit(page, `/batches/${staged.id}`);
    await page.waitForURL((url) => url.pathname === "/login");
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/batches/${staged.id}`);

    const account = await createAccount("VIEWER", { label: "sign-in" });
    await page.getByLabel("Email", { exact: true }).fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill(account.oneTimePassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Choose your password" }).waitFor();
    await screenshot(page, "choose-password");
    // Too short: refused here, before the API is asked.
    await page.getByLabel("New password", { exact: true }).fill("short");
    await page.getByLabel("Confirm new password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Save password" }).click();
    await page.getByRole("alert").filter({ hasText: "at least 12 characters" }).waitFor();
    await page.getByLabel("New password", { exact: true }).fill("a long enough new password");
    await page.getByLabel("Confirm new password", { exact: true }).fill("a long enough new password");
    await page.getByRole("button", { name: "Save password" }).click();

    await page.waitForURL((url) => url.pathname === `/batches/${staged.id}`);
    await page.getByRole("heading", { level: 1, name: staged.batchUid }).waitFor();
    const header = page.getByRole("banner");
    await header.getByText(account.email).waitFor();
    expect(await header.getByText("VIEWER", { exact: true }).count()).toBe(1);
    await screenshot(page, "signed-in");

    await signOut(page);
    await page.getByText("You signed out.").waitFor();
    // The session is gone on the API too: the batch page sends to /login again.
    await visit(page, `/batches/${staged.id}`);
    await page.waitForURL((url) => url.pathname === "/login");

    // The password chosen is the one that works now.
    await signIn(page, { email: account.email, password: "a long enough new password", role: "VIEWER", partner: null });
    await header.getByText(account.email).waitFor();
    await signOut(page);
  });

  test("a session ended elsewhere sends the page to /login with a notice", async () => {
    const { page } = browserHolder.current;
    const account = await signIn(page, await createAccount("TRADER", { label: "ended" }));
    await visit(page, "/trades");
    await page.getByRole("heading", { level: 1, name: "Trades" }).waitFor();
    // An admin disables the account: its sessions end, and its open socket is closed within seconds.
    const { users } = await gql<{ users: { id: string; email: string }[] }>("{ users { id email } }");
    const user = users.find((candidate) => candidate.email === account.email);
    await gql("mutation($id: ID!) { updateUser(input: { id: $id, disabled: true }) { id } }", { id: user!.id });
    await page.waitForURL((url) => url.pathname === "/login", { timeout: 30_000 });
    await page.getByText("Your session ended; sign in again.").waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/trades");
    await eventually(async () => (await page.getByRole("navigation", { name: "Main" }).count()) === 0);
  });
});
