/**
 * People in the browser tests: users made as an admin makes them, and signing in and out the
 * way a person does, on /login.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { inject } from "vitest";
import type { E2ERole, NewAccount } from "./accounts";

/** A user who has signed in at least once: the password is their own from then on. */
export interface Account {
  email: string;
  password: string;
  role: E2ERole;
  partner: string | null;
}

/** A new user with a one-time password, made as an admin makes one (AccessService, through the global setup). */
export async function createAccount(role: E2ERole, options: { partner?: string; label?: string } = {}): Promise<NewAccount> {
  const response = await fetch(`${inject("e2e").controlUrl}/accounts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ role, ...options }),
  });
  if (!response.ok) throw new Error(`creating a ${role} user failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as NewAccount;
}

/** A password a person might choose: long enough for the API (12 characters or more). */
export function choosePassword(): string {
  return `e2e-${randomBytes(12).toString("base64url")}`;
}

/**
 * Signs in the way a person does: /login, "Email" and "Password", "Sign in"; with a one-time
 * password, the "Choose your password" step too. Resolves once the dashboard shows who is
 * signed in, with the account's password as it now is.
 */
export async function signIn(
  page: Page,
  account: NewAccount | Account,
  options: { webUrl?: string; path?: string } = {},
): Promise<Account> {
  await page.goto(new URL(options.path ?? "/login", options.webUrl ?? inject("e2e").webUrl).toString(), { waitUntil: "load" });
  const password = "oneTimePassword" in account ? account.oneTimePassword : account.password;
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const choose = page.getByRole("heading", { name: "Choose your password" });
  const signedIn = page.getByRole("button", { name: "Sign out" }).first();
  const refused = page.getByRole("alert").filter({ hasText: "Sign-in failed." });
  await Promise.race([
    choose.waitFor(),
    page.waitForURL((url) => url.pathname !== "/login"),
    refused.waitFor().then(async () => {
      throw new Error(`signing in as ${account.email} was refused: ${await refused.textContent()}`);
    }),
  ]);
  let current = password;
  if (await choose.isVisible()) {
    current = choosePassword();
    await page.getByLabel("One-time password", { exact: true }).fill(password);
    await page.getByLabel("New password", { exact: true }).fill(current);
    await page.getByLabel("Confirm new password", { exact: true }).fill(current);
    await page.getByRole("button", { name: "Save password" }).click();
    await page.waitForURL((url) => url.pathname !== "/login");
  }
  await signedIn.waitFor();
  return { email: account.email, password: current, role: account.role, partner: account.partner };
}

/** Clicks "Sign out" in the header and waits for the sign-in page. */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/login");
  await page.getByRole("button", { name: "Sign in" }).waitFor();
}
