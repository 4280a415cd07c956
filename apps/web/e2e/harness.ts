/**
 * What end-to-end tests share: the servers' URLs, a Chromium page, screenshots, waiting,
 * reading tables the way a person reads them, and direct API calls to arrange big data or
 * check the server's state after a UI action.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FINAL_BATCH_STATUSES, type RowError } from "@fxbt/domain";
import { print } from "graphql";
import { type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, inject } from "vitest";
import { type BatchFieldsFragment, BatchFieldsFragmentDoc, type TradeRowFragment, TradeRowFragmentDoc } from "../src/gql/graphql";
import type { E2ERole } from "./accounts";
import type { E2EContext } from "./global-setup";
import { type Account, createAccount, signIn } from "./people";
import { RESULTS_DIR } from "./servers";

export { CSV_HEADER, parseCsv, tradesCsv, uniqueTradesCsvFile } from "./csv";
export { type Account, choosePassword, createAccount, signIn, signOut } from "./people";

export const SCREENSHOT_DIR = `${RESULTS_DIR}screenshots/`;
export const SAMPLES_DIR = new URL("../../../samples/", import.meta.url).pathname;

export function e2e(): E2EContext {
  return inject("e2e");
}

// ---------------------------------------------------------------- browser

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Who the page signed in as (null when it was opened signed out). */
  account: Account | null;
  /** Messages the page logged as errors, and uncaught exceptions: printed when a test fails. */
  consoleErrors: string[];
  close(): Promise<void>;
}

/**
 * Flags that keep Chromium quiet on a closed network (no background fetches, updates or
 * sync), on top of the flags @sparticuz/chromium needs to run without a sandbox or a GPU.
 */
const QUIET_ARGS = ["--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/**
 * Flags of @sparticuz/chromium made for serverless functions that would make the browser
 * unlike a user's: same-origin and mixed-content checks off, one process for everything.
 */
const SERVERLESS_ONLY_ARGS = new Set([
  "--disable-web-security",
  "--allow-running-insecure-content",
  "--disable-site-isolation-trials",
  "--single-process",
]);

/**
 * The browser the tests drive: E2E_CHROMIUM when it names one, otherwise the Chromium build
 * that `npm install` brought inside @sparticuz/chromium (unpacked to the temp directory on
 * first use, about 3 s), so a machine needs no browser installed by hand.
 */
async function chromiumLaunchOptions(): Promise<{ executablePath: string; args: string[] }> {
  const named = process.env.E2E_CHROMIUM;
  if (named) return { executablePath: named, args: ["--headless", "--no-sandbox", "--disable-gpu", ...QUIET_ARGS] };
  const { default: bundled } = await import("@sparticuz/chromium");
  const args = bundled.args.filter((arg) => !SERVERLESS_ONLY_ARGS.has(arg));
  return { executablePath: await bundled.executablePath(), args: [...args, ...QUIET_ARGS] };
}

export interface OpenOptions {
  /** Signs in, through /login, as a new user of this role; null opens the browser signed out. ADMIN unless told. */
  as?: E2ERole | null;
  /** The dashboard to sign in to, when not the run's own. */
  webUrl?: string;
  /**
   * The browser's language (navigator.language). Default "en-US": left to itself, the bundled
   * headless Chromium reports its POSIX locale, "en-US@posix", which no desktop browser does and
   * Intl refuses as a tag (the run charts could not be drawn in the user guide's screenshots).
   */
  locale?: string;
}

/** Chromium with a fresh profile, one page at 1280×900, signed in as a new ADMIN unless told otherwise. */
export async function openBrowser(viewport = { width: 1280, height: 900 }, options: OpenOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "fxbt-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    ...(await chromiumLaunchOptions()),
    headless: true,
    viewport,
    locale: options.locale ?? "en-US",
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(`pageerror: ${error.message}`));
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  const role = options.as === undefined ? "ADMIN" : options.as;
  let account: Account | null = null;
  try {
    if (role) account = await signIn(page, await createAccount(role), { webUrl: options.webUrl });
  } catch (error) {
    await close();
    throw error;
  }
  return { context, page, account, consoleErrors, close };
}

/** Opens a path of the dashboard, e.g. "/batches/new". */
/**
 * One browser for a test file: opened before its tests, closed after them, and any
 * console errors the pages logged reported in the output.
 */
export function browserForFile(viewport?: { width: number; height: number }, options?: OpenOptions): { readonly current: Browser } {
  const holder: { current: Browser } = { current: undefined as unknown as Browser };
  beforeAll(async () => {
    holder.current = await openBrowser(viewport, options);
  });
  afterAll(async () => {
    if (holder.current?.consoleErrors.length) console.warn("browser console errors:", holder.current.consoleErrors);
    await holder.current?.close();
  });
  return holder;
}

export async function visit(page: Page, path: string, webUrl = e2e().webUrl): Promise<void> {
  await page.goto(new URL(path, webUrl).toString(), { waitUntil: "load" });
}

/**
 * How long a batch action's confirmation may stay open: it closes once the API has answered the
 * action. At load ~20, with two runs' runners holding the database's connections, cancelling a
 * running 5,000-trade batch was answered after more than Playwright's 15 s (2 runs of 7).
 */
export const ACTION_ANSWER_TIMEOUT_MS = 60_000;

/** Waits for a batch action's confirmation to close: the API has answered what was confirmed. */
export async function answered(dialog: Locator): Promise<void> {
  await dialog.waitFor({ state: "detached", timeout: ACTION_ANSWER_TIMEOUT_MS });
}

/**
 * Starts the batch whose page is open as a person does: Start, then the confirmation, which shows
 * the batch's totals and, for a large batch, wants its batchUid typed before it can be confirmed.
 * `start` is the Start button when the test holds one (another page's, say).
 */
export async function startFromPage(page: Page, start: Locator = page.getByRole("button", { name: "Start", exact: true })): Promise<void> {
  await start.click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("table", { name: "Totals by currency" }).waitFor();
  const typed = dialog.getByRole("textbox", { name: "Batch id" });
  if ((await typed.count()) > 0) {
    const title = (await dialog.getByRole("heading").first().textContent()) ?? "";
    await typed.fill(/Start (\S+)\?/.exec(title)?.[1] ?? "");
  }
  await dialog.getByRole("button", { name: /^Run / }).click();
  await answered(dialog);
}

/**
 * How long a picture may take. A page that is live draws slowly on a busy machine: at load ~20 on
 * the 2 cores, a full-page picture of a batch page while 5,000 trades ran took 18–24 s (the page
 * re-renders with each event and the whole of it is drawn in software), beyond Playwright's 15 s;
 * one of the screen alone took 1–3 s.
 */
export const SCREENSHOT_TIMEOUT_MS = 60_000;

/** A full-page PNG in apps/web/test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}${name}.png`;
  await page.screenshot({ path, fullPage: true, timeout: SCREENSHOT_TIMEOUT_MS });
  return path;
}

/**
 * Marks the window: if the page reloads or navigates the browser way, the mark is gone.
 * Returns a check that is true while the same document is still on screen.
 */
export async function markWindow(page: Page): Promise<() => Promise<boolean>> {
  const mark = `e2e-${Math.random().toString(36).slice(2)}`;
  await page.evaluate((value) => Object.assign(window, { __e2eMark: value }), mark);
  return async () => (await page.evaluate(() => (window as unknown as { __e2eMark?: string }).__e2eMark)) === mark;
}

// ---------------------------------------------------------------- waiting

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `check` (which throws or returns a falsy value when not there yet) until it passes. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = new Error(`still ${JSON.stringify(value)}`);
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const reason = last instanceof Error ? last.message : String(last);
      throw new Error(`not met within ${timeoutMs} ms: ${reason}`);
    }
    await sleep(intervalMs);
  }
}

/** aria-valuenow of a progressbar, as a number (NaN when missing). */
export async function progressValue(bar: Locator): Promise<number> {
  return Number(await bar.getAttribute("aria-valuenow"));
}

// ---------------------------------------------------------------- tables

export interface TableText {
  headers: string[];
  rows: string[][];
}

const normalise = (text: string) => text.replace(/\s+/g, " ").trim();

/**
 * Column headers and each body row's cells, as their text content (not CSS-transformed). The
 * table is read cell by cell, one browser round trip each, so a read can straddle a re-render
 * (a page of trades replaced by the next, a live update) and mix two tables: it is read until two
 * reads in a row agree, up to five times.
 */
export async function readTable(table: Locator): Promise<TableText> {
  let previous = await readTableOnce(table);
  for (let read = 0; read < 4; read++) {
    const next = await readTableOnce(table);
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  return previous;
}

async function readTableOnce(table: Locator): Promise<TableText> {
  const headers = (await table.getByRole("columnheader").allTextContents()).map(normalise);
  const rows: string[][] = [];
  for (const row of await table.getByRole("row").all()) {
    const cells = (await row.getByRole("cell").allTextContents()).map(normalise);
    if (cells.length > 0) rows.push(cells);
  }
  return { headers, rows };
}

/** The rows as records keyed by column header. */
export async function tableRecords(table: Locator): Promise<Record<string, string>[]> {
  const { headers, rows } = await readTable(table);
  return rows.map((cells) => Object.fromEntries(headers.map((header, i) => [header, cells[i] ?? ""])));
}

/** The batch page's table of trades: the one with a "Status" and an "Attempts" column. */
export function tradeTable(page: Page): Locator {
  return page
    .getByRole("table")
    .filter({ has: page.getByRole("columnheader", { name: "Status", exact: true }) })
    .filter({ has: page.getByRole("columnheader", { name: "Attempts", exact: true }) });
}

/** The words a person reads for each batch status. */
export const BATCH_STATUS_TEXT = ["Pending", "Running", "Succeeded", "Partially succeeded", "Failed", "Cancelled"];

/**
 * The batch status shown beside the page's h1 (the page header: the title, the name, the
 * status). Null when none of the status words is there.
 */
export async function batchStatusText(page: Page): Promise<string | null> {
  const intro = page.locator("header", { has: page.getByRole("heading", { level: 1 }) });
  for (const word of BATCH_STATUS_TEXT) {
    if ((await intro.getByText(word, { exact: true }).count()) > 0) return word;
  }
  return null;
}

// ---------------------------------------------------------------- API

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** The harness's ADMIN key: the tests' own API calls arrange and check data behind the browser's back. */
export function apiKeyHeader(): { authorization: string } {
  return { authorization: `Bearer ${e2e().apiKey}` };
}

export async function gqlRequest<T>(
  query: string,
  variables?: Record<string, unknown>,
  options: { apiUrl?: string; key?: string } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(options.apiUrl ?? e2e().apiUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${options.key ?? e2e().apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

export async function gql<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const response = await gqlRequest<T>(query, variables);
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}

/**
 * The API's answers are read with the dashboard's own fragments and generated types, so the
 * tests restate no field list: `...BatchFields` / `...TradeRow` plus the fragment's text.
 */
const withBatchFields = (operation: string) => `${operation} ${print(BatchFieldsFragmentDoc)}`;
export type ApiBatch = Omit<BatchFieldsFragment, "__typename">;
export type ApiTrade = Omit<TradeRowFragment, "__typename">;

const STAGE = withBatchFields(
  "mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { ...BatchFields } errors { row field message } } }",
);

export async function stageViaApi(csv: string, input: { name?: string; priority?: number } = {}): Promise<ApiBatch> {
  const { stageBatch } = await gql<{ stageBatch: { batch: ApiBatch | null; errors: RowError[] } }>(STAGE, {
    // The browser tests stage the same samples many times on purpose.
    input: { csv, allowDuplicate: true, ...input },
  });
  if (!stageBatch.batch) throw new Error(`staging failed: ${JSON.stringify(stageBatch.errors.slice(0, 5))}`);
  return stageBatch.batch;
}

/** The row errors the API reports for a CSV (nothing is saved when there are any). */
export async function rowErrorsFromApi(csv: string): Promise<RowError[]> {
  const { stageBatch } = await gql<{ stageBatch: { batch: ApiBatch | null; errors: RowError[] } }>(STAGE, { input: { csv } });
  if (stageBatch.batch) throw new Error("the CSV was valid and has been staged");
  return stageBatch.errors;
}

export async function startViaApi(id: string): Promise<ApiBatch> {
  return (await gql<{ startBatch: ApiBatch }>(withBatchFields("mutation($id: ID!) { startBatch(id: $id) { ...BatchFields } }"), { id }))
    .startBatch;
}

export async function batchFromApi(id: string): Promise<ApiBatch> {
  const { batch } = await gql<{ batch: ApiBatch | null }>(withBatchFields("query($id: ID!) { batch(id: $id) { ...BatchFields } }"), {
    id,
  });
  if (!batch) throw new Error(`batch ${id} not found`);
  return batch;
}

/** Every trade of a batch, in the API's order: by position, the CSV's rows first and trades entered by hand after them. */
export async function tradesFromApi(batchId: string): Promise<ApiTrade[]> {
  const trades: ApiTrade[] = [];
  let after: string | null = null;
  for (;;) {
    const data: { batch: { trades: { edges: { node: ApiTrade }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } } =
      await gql(
        `query($id: ID!, $after: String) { batch(id: $id) { trades(first: 100, after: $after) {
        edges { node { ...TradeRow } } pageInfo { hasNextPage endCursor } } } } ${print(TradeRowFragmentDoc)}`,
        { id: batchId, after },
      );
    trades.push(...data.batch.trades.edges.map((edge) => edge.node));
    if (!data.batch.trades.pageInfo.hasNextPage) break;
    after = data.batch.trades.pageInfo.endCursor;
  }
  return trades;
}

export async function batchCount(): Promise<number> {
  return (await gql<{ batches: { totalCount: number } }>(`{ batches(first: 1) { totalCount } }`)).batches.totalCount;
}

export const FINAL_STATUSES: readonly string[] = FINAL_BATCH_STATUSES;

export async function waitForFinal(id: string, timeoutMs = 60_000): Promise<ApiBatch> {
  return eventually(
    async () => {
      const batch = await batchFromApi(id);
      return FINAL_STATUSES.includes(batch.status) ? batch : null;
    },
    timeoutMs,
    200,
  );
}

/** Stops the API (SIGTERM) or starts it again on the same port, through the global setup. */
export async function controlApi(action: "stop" | "start"): Promise<void> {
  const response = await fetch(`${e2e().controlUrl}/api/${action}`, { method: "POST" });
  if (response.status !== 204) throw new Error(`API ${action} failed: ${response.status} ${await response.text()}`);
}
