/** A trade row of the batch page opens to show every attempt to execute the trade. */
import { describe, expect, test } from "vitest";
import {
  browserForFile,
  screenshot,
  stageViaApi,
  startViaApi,
  tableRecords,
  tradesCsv,
  tradesFromApi,
  tradeTable,
  visit,
  waitForFinal,
} from "./harness";

const browserHolder = browserForFile();

describe("Trade attempt history", () => {
  test("a booked trade shows its one attempt BOOKED with the row's transaction id; a refused one REFUSED with INSUFFICIENT_FUNDS", async () => {
    const { page } = browserHolder.current;
    // Row 2's account ends 8888: the bank quotes it and refuses the booking (INSUFFICIENT_FUNDS).
    const csv = tradesCsv(4, (row) => (row === 2 ? "5550028888" : `12345${row}0000`));
    const staged = await stageViaApi(csv, { name: "E2E history" });
    await startViaApi(staged.id);
    await waitForFinal(staged.id);
    const trades = await tradesFromApi(staged.id);
    const booked = trades.find((trade) => trade.status === "SUCCESS");
    const refused = trades.find((trade) => trade.rowNumber === 2);
    expect(booked, `a booked trade among ${JSON.stringify(trades.map((trade) => trade.status))}`).toBeDefined();
    expect(refused).toMatchObject({ status: "FAILED", errorCode: "INSUFFICIENT_FUNDS" });

    await visit(page, `/batches/${staged.id}`);
    await page.getByRole("heading", { name: "Results" }).waitFor();
    const rows = tradeTable(page);
    await rows.getByRole("row").nth(4).waitFor();
    const records = await tableRecords(rows);
    const bookedRow = records.find((record) => record.Row === String(booked!.rowNumber));
    expect(bookedRow?.Transaction).toBe(booked!.transactionId);

    // A finished batch with booked trades is never offered for deletion, and says why.
    expect(await page.getByRole("button", { name: "Delete batch" }).count()).toBe(0);
    await page.getByText("Cannot be deleted:").waitFor();

    // Opened with the mouse.
    const bookedLabel = `Attempts of row ${booked!.rowNumber}`;
    const bookedToggle = page.getByRole("button", { name: bookedLabel, exact: true });
    expect(await bookedToggle.getAttribute("aria-expanded")).toBe("false");
    await bookedToggle.click();
    expect(await bookedToggle.getAttribute("aria-expanded")).toBe("true");
    const bookedHistory = page.getByRole("table", { name: bookedLabel, exact: true });
    await bookedHistory.getByRole("row").nth(1).waitFor();
    const [bookedAttempt, ...moreBooked] = await tableRecords(bookedHistory);
    expect(moreBooked).toEqual([]);
    expect(bookedAttempt).toMatchObject({
      Attempt: "1",
      Outcome: "Booked",
      Transaction: bookedRow!.Transaction,
      Quote: bookedRow!.Quote,
      Error: "—",
    });
    expect(bookedAttempt?.Key).toMatch(/\S{8,}/);
    expect(bookedAttempt?.["Booking sent"]).toMatch(/UTC$/);
    expect(bookedAttempt?.Finished).toMatch(/UTC$/);

    // Opened from the keyboard.
    const refusedLabel = "Attempts of row 2";
    const refusedToggle = page.getByRole("button", { name: refusedLabel, exact: true });
    await refusedToggle.focus();
    await page.keyboard.press("Enter");
    expect(await refusedToggle.getAttribute("aria-expanded")).toBe("true");
    const refusedHistory = page.getByRole("table", { name: refusedLabel, exact: true });
    await refusedHistory.getByRole("row").nth(1).waitFor();
    const [refusedAttempt, ...moreRefused] = await tableRecords(refusedHistory);
    expect(moreRefused).toEqual([]);
    expect(refusedAttempt).toMatchObject({ Attempt: "1", Outcome: "Refused", Transaction: "—" });
    expect(refusedAttempt?.Error).toContain("INSUFFICIENT_FUNDS");
    await refusedToggle.scrollIntoViewIfNeeded();
    await screenshot(page, "batch-trade-history");

    // Closed again with the keyboard: the attempts are gone.
    await page.keyboard.press("Space");
    expect(await refusedToggle.getAttribute("aria-expanded")).toBe("false");
    expect(await refusedHistory.count()).toBe(0);
  });
});
