// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { TradeRowFragment } from "../../gql/graphql";
import { BatchTradesQuery } from "../../graphql/batch";
import { batchFields } from "../../test/batch-fields";
import { batchTradesPage, tradeRow } from "../../test/trade-row";
import { BatchTrades, TRADE_PAGE_SIZE } from "./BatchTrades";
import { setErrorCodeFilter } from "./error-code-filter";

const ID = "6f1c0a4e-0000-4000-8000-000000000001";

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
});

/** Row `rowNumber`: booked, or failed with `errorCode`, its account one the bank refuses (…9999). */
const trade = (rowNumber: number, errorCode: string | null): TradeRowFragment =>
  tradeRow(rowNumber, { accountNumber: `100000${rowNumber}9999`, status: errorCode ? "FAILED" : "SUCCESS", errorCode });

/** The one page of the batch's trades (with `errorCode`), and a spy on each time it was answered. */
function page(errorCode: string | null, trades: TradeRowFragment[]) {
  const answered = vi.fn(() => ({ data: batchTradesPage(ID, trades) }));
  const variables = { id: ID, first: TRADE_PAGE_SIZE, after: null, status: null, errorCode };
  // Served again when the page comes back to it (cache-and-network reads it anew).
  const mock: MockedResponse = { request: { query: BatchTradesQuery, variables }, result: answered, maxUsageCount: 3 };
  return { mock, answered };
}

/** The account numbers the table shows, in row order. */
const accounts = () => screen.queryAllByText(/^\d{6,}9999$/).map((cell) => cell.textContent);

describe("the trade table follows the error code chosen in the results", () => {
  test("a chosen code narrows it to those trades, says so, and Show all trades widens it again", async () => {
    const all = page(null, [trade(1, null), trade(2, "INVALID_ACCOUNT"), trade(3, "QUOTE_REJECTED")]);
    const invalid = page("INVALID_ACCOUNT", [trade(2, "INVALID_ACCOUNT")]);
    render(
      <MockedProvider mocks={[all.mock, invalid.mock]}>
        <BatchTrades batch={batchFields({ id: ID })} />
      </MockedProvider>,
    );
    await waitFor(() => expect(accounts()).toHaveLength(3));

    act(() => setErrorCodeFilter(ID, "INVALID_ACCOUNT"));
    await screen.findByText(/Showing the failed trades with error code/);
    await waitFor(() => expect(accounts()).toEqual(["10000029999"]));
    expect(invalid.answered).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByRole("button", { name: "Show all trades" }));
    await waitFor(() => expect(accounts()).toHaveLength(3));
    expect(screen.queryByText(/Showing the failed trades with error code/)).toBeNull();
  });

  test("the chosen code is kept in the address: the page opened again with it shows the narrowed list", async () => {
    const invalid = page("INVALID_ACCOUNT", [trade(2, "INVALID_ACCOUNT")]);
    setErrorCodeFilter(ID, "INVALID_ACCOUNT");
    expect(new URLSearchParams(window.location.search).get("error")).toBe("INVALID_ACCOUNT");
    render(
      <MockedProvider mocks={[invalid.mock]}>
        <BatchTrades batch={batchFields({ id: ID })} />
      </MockedProvider>,
    );
    await waitFor(() => expect(accounts()).toEqual(["10000029999"]));
    expect(screen.getByText(/Showing the failed trades with error code/)).toBeTruthy();
  });

  test("an error code in the address that is no error code is ignored: every trade is shown", async () => {
    const all = page(null, [trade(1, null)]);
    window.history.replaceState(null, "", "/?error=%3Cscript%3E&after=not-a-cursor!");
    render(
      <MockedProvider mocks={[all.mock]}>
        <BatchTrades batch={batchFields({ id: ID })} />
      </MockedProvider>,
    );
    await waitFor(() => expect(all.answered).toHaveBeenCalledTimes(1));
    expect(screen.queryByText(/Showing the failed trades with error code/)).toBeNull();
  });
});
