// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { BatchFieldsFragment, TradeStatus } from "../../gql/graphql";
import { BatchTradesQuery, RetryFailedTradesMutation } from "../../graphql/batch";
import type { Role } from "../../lib/access";
import { batchFields } from "../../test/batch-fields";
import { batchTradesPage, tradeRow } from "../../test/trade-row";
import { viewerFixture } from "../../test/viewer";
import { StaticSession } from "../session/SessionProvider";
import { BatchTrades, TRADE_PAGE_SIZE } from "./BatchTrades";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

const ID = "6f1c0a4e-0000-4000-8000-000000000001";
const tradeId = (row: number) => tradeRow(row).id;

const finished: BatchFieldsFragment = batchFields({
  id: ID,
  batchUid: "B-20261127-0007",
  status: "PARTIAL_SUCCESS",
  totalTrades: 5,
  processedTrades: 5,
  succeededTrades: 1,
  failedTrades: 4,
  progress: 1,
  startedAt: "2026-11-27T09:01:00.000Z",
  completedAt: "2026-11-27T09:05:00.000Z",
});

/** A booked trade, or a failed one with this code (or none). */
const trade = (row: number, errorCode: string | null, status: TradeStatus = errorCode ? "FAILED" : "SUCCESS") =>
  tradeRow(row, { status, errorCode });

/** Where page 2 starts, a cursor of the API's form (the pager keeps only such in the address). */
const PAGE_2 = Buffer.from(JSON.stringify([3, tradeId(3)])).toString("base64url");

/** Page 1: rows 1 (booked), 2 (INVALID_ACCOUNT), 3 (QUOTE_REJECTED); page 2: rows 4 (QUOTE_REJECTED), 5 (failed, no code). */
const PAGES = [
  { after: null, trades: [trade(1, null), trade(2, "INVALID_ACCOUNT"), trade(3, "QUOTE_REJECTED")], next: PAGE_2 },
  { after: PAGE_2, trades: [trade(4, "QUOTE_REJECTED"), trade(5, null, "FAILED")], next: null },
];

function pageMocks(): MockedResponse[] {
  return PAGES.map(({ after, trades, next }) => ({
    request: { query: BatchTradesQuery, variables: { id: ID, first: TRADE_PAGE_SIZE, after, status: null, errorCode: null } },
    result: { data: batchTradesPage(ID, trades, { totalCount: 5, endCursor: next }) },
    maxUsageCount: 5,
  }));
}

function retryMock(tradeIds: string[], answer: "queued" | "refused" = "queued") {
  const answered = vi.fn(() =>
    answer === "queued"
      ? { data: { retryFailedTrades: { ...finished, status: "PENDING", failedTrades: 2, completedAt: null } } }
      : {
          errors: [
            { message: "batch B-20261127-0007: tradeIds: 1 of the 2 trades cannot be retried", extensions: { code: "BAD_USER_INPUT" } },
          ],
        },
  );
  const mock: MockedResponse = { request: { query: RetryFailedTradesMutation, variables: { id: ID, tradeIds } }, result: answered };
  return { mock, answered };
}

function renderTrades(mocks: MockedResponse[], role: Role = "TRADER", batch = finished) {
  render(
    <MockedProvider mocks={[...pageMocks(), ...mocks]}>
      <StaticSession viewer={viewerFixture(role)}>
        <BatchTrades batch={batch} />
      </StaticSession>
    </MockedProvider>,
  );
}

const box = (row: number) => screen.getByRole("checkbox", { name: `Select row ${row} to retry` });
const selectAll = () => screen.getByRole("checkbox", { name: "Select all failed trades on this page" }) as HTMLInputElement;
const retrySelected = () => screen.getByRole("button", { name: /^Retry selected/ }) as HTMLButtonElement;

async function nextPage() {
  fireEvent.click(screen.getByRole("button", { name: "Next page" }));
  await screen.findByRole("checkbox", { name: "Select row 4 to retry" });
}

describe("retrying selected trades from the trade table", () => {
  test("only failed rows have a box; the choice is kept across pages and the dialog lists it, warning of a permanent refusal", async () => {
    const retry = retryMock([tradeId(2), tradeId(4)]);
    renderTrades([retry.mock]);
    await screen.findByRole("checkbox", { name: "Select row 2 to retry" });
    expect(screen.queryByRole("checkbox", { name: "Select row 1 to retry" })).toBeNull();
    expect(retrySelected().disabled).toBe(true);

    fireEvent.click(box(2));
    expect(retrySelected().textContent).toBe("Retry selected (1)");
    await nextPage();
    fireEvent.click(box(4));
    expect(screen.getByText("2 failed trades selected.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Previous page" }));
    await waitFor(() => expect((box(2) as HTMLInputElement).checked).toBe(true));
    expect((box(3) as HTMLInputElement).checked).toBe(false);

    fireEvent.click(retrySelected());
    const dialog = await screen.findByRole("dialog", { name: "Retry 2 selected trades of B-20261127-0007?" });
    expect(
      within(dialog)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["1 INVALID_ACCOUNT", "1 QUOTE_REJECTED"]);
    expect(within(dialog).getByText("Rows 2, 4.")).toBeTruthy();
    expect(within(dialog).getByRole("note", { name: "Refused before" }).textContent).toContain("INVALID_ACCOUNT");
    expect(retry.answered).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByRole("button", { name: "Retry 2 trades" }));
    await waitFor(() => expect(retry.answered).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(retrySelected().textContent).toBe("Retry selected (0)");
    // The button that opened the confirmation is disabled now (and, on the page, gone): focus is on the section's heading.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Trades" })));
  });

  test("the header box takes every failed row of the page, a failure with no code too, and drops them again", async () => {
    renderTrades([]);
    await screen.findByRole("checkbox", { name: "Select row 2 to retry" });
    fireEvent.click(box(3));
    expect(selectAll().checked).toBe(false);
    expect(selectAll().indeterminate).toBe(true);
    fireEvent.click(selectAll());
    expect([2, 3].map((row) => (box(row) as HTMLInputElement).checked)).toEqual([true, true]);
    expect(selectAll().checked).toBe(true);
    expect(retrySelected().textContent).toBe("Retry selected (2)");

    await nextPage();
    fireEvent.click(selectAll());
    expect(retrySelected().textContent).toBe("Retry selected (4)");
    fireEvent.click(retrySelected());
    const dialog = await screen.findByRole("dialog");
    expect(
      within(dialog)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["2 QUOTE_REJECTED", "1 INVALID_ACCOUNT", "1 UNKNOWN"]);
    fireEvent.click(within(dialog).getByRole("button", { name: "Keep" }));
    fireEvent.click(selectAll());
    expect(retrySelected().textContent).toBe("Retry selected (2)");
    // Clearing keeps the button, and the focus on it; with nothing picked it is aria-disabled and does nothing.
    const clear = screen.getByRole("button", { name: "Clear selection" });
    expect(clear.getAttribute("aria-disabled")).toBe("false");
    clear.focus();
    fireEvent.click(clear);
    expect(retrySelected().textContent).toBe("Retry selected (0)");
    expect(document.activeElement).toBe(clear);
    expect(clear.getAttribute("aria-disabled")).toBe("true");
    fireEvent.click(clear);
    expect(retrySelected().textContent).toBe("Retry selected (0)");
  });

  test("a refused retry says why and keeps the choice", async () => {
    const retry = retryMock([tradeId(3)], "refused");
    renderTrades([retry.mock]);
    fireEvent.click(await screen.findByRole("checkbox", { name: "Select row 3 to retry" }));
    fireEvent.click(retrySelected());
    const dialog = await screen.findByRole("dialog", { name: "Retry the selected trade of B-20261127-0007?" });
    expect(within(dialog).queryByRole("note")).toBeNull();
    fireEvent.click(within(dialog).getByRole("button", { name: "Retry 1 trade" }));
    expect((await screen.findByRole("alert")).textContent).toContain("BAD_USER_INPUT");
    expect(retrySelected().textContent).toBe("Retry selected (1)");
  });

  test("a VIEWER, or a batch with nothing to retry, gets no boxes", async () => {
    renderTrades([], "VIEWER");
    await screen.findByText("C-2");
    expect(screen.queryAllByRole("checkbox")).toEqual([]);
    expect(screen.queryByRole("button", { name: /^Retry selected/ })).toBeNull();
    cleanup();

    renderTrades([], "TRADER", { ...finished, status: "RUNNING", completedAt: null });
    await screen.findByText("C-2");
    expect(screen.queryAllByRole("checkbox")).toEqual([]);
  });
});
