/** The "Export results (CSV)" link of a finished batch. */
import { readFileSync } from "node:fs";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { describe, expect, test } from "vitest";
import {
  apiKeyHeader,
  batchFromApi,
  browserForFile,
  CSV_HEADER,
  e2e,
  parseCsv,
  stageViaApi,
  startViaApi,
  tradesFromApi,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

/** The export's columns: the upload's own, then what the run made of each trade. */
const EXPORT_HEADER = [
  "row",
  ...TRADE_CSV_COLUMNS,
  "status",
  "quote_id",
  "rate",
  "transaction_id",
  "error_code",
  "error_message",
  "attempts",
  "updated_at",
];

describe("Results export", () => {
  test("the export link serves one formula-safe line per trade, matching the API", async () => {
    const { page } = browserHolder.current;
    const csv = [
      CSV_HEADER,
      `C-1,"=HYPERLINK(""x"")",1234567890,ZAR,USD,BUY,100.00,,EXP-1`,
      `C-2,Plain Name,2345678901,ZAR,EUR,BUY,200.50,,EXP-2`,
      `C-3,"+Plus, Ltd",3456789012,USD,ZAR,SELL,300,,EXP-3`,
      `C-4,Refused,4567898888,GBP,ZAR,SELL,400.25,,EXP-4`,
      `C-5,@At,5678901234,ZAR,JPY,BUY,5000,,EXP-5`,
    ].join("\n");
    const staged = await stageViaApi(csv, { name: "E2E export" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);

    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { name: "Results" }).waitFor();
    const link = page.getByRole("link", { name: "Export results (CSV)" });
    const href = await link.getAttribute("href");
    const batch = await batchFromApi(staged.id);
    expect(href).toBe(`${e2e().apiOrigin}${batch.resultsCsvPath}`);
    expect(batch.resultsCsvPath).toBe(`/export/batches/${staged.id}/trades.csv`);

    // The export needs credentials like everything else: the harness's key here, the browser's session below.
    expect((await fetch(href!)).status).toBe(401);
    const response = await fetch(href!, { headers: apiKeyHeader() });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = parseCsv(await response.text());
    expect(rows[0]).toEqual(EXPORT_HEADER);
    const body = rows.slice(1);
    expect(body).toHaveLength(5);

    const column = (name: string) => EXPORT_HEADER.indexOf(name);
    const trades = await tradesFromApi(staged.id);
    expect(body.map((line) => Number(line[column("row")]))).toEqual(trades.map((trade) => trade.rowNumber));
    expect(body.map((line) => line[column("status")])).toEqual(trades.map((trade) => trade.status));
    expect(body.map((line) => line[column("transaction_id")])).toEqual(trades.map((trade) => trade.transactionId ?? ""));
    expect(body.map((line) => line[column("attempts")])).toEqual(trades.map((trade) => String(trade.attempts)));
    expect(trades[3]!.status).toBe("FAILED");

    // Text that a spreadsheet would run as a formula is exported with a leading apostrophe.
    expect(body.map((line) => line[column("client_name")])).toEqual([`'=HYPERLINK("x")`, "Plain Name", "'+Plus, Ltd", "Refused", "'@At"]);
    expect(trades[0]!.clientName).toBe(`=HYPERLINK("x")`);

    // The browser may fetch it too, with its session cookie (the link points at another origin:
    // CORS must allow it, with credentials).
    const fromPage = await page.evaluate(async (url) => {
      const answer = await fetch(url, { credentials: "include" });
      return { status: answer.status, text: await answer.text() };
    }, href!);
    expect(fromPage.status).toBe(200);
    expect(parseCsv(fromPage.text)).toHaveLength(6);

    // Clicking the link is a top-level navigation: the SameSite=Lax session cookie goes with it.
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const path = await download.path();
    expect(parseCsv(readFileSync(path, "utf8"))).toHaveLength(6);
  });
});
