// @vitest-environment jsdom
import { ApolloClient, ApolloLink, InMemoryCache } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { Observable } from "rxjs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { TradeAttemptsQuery, TradeRowFragment, TradeStatus } from "../../gql/graphql";
import { tradeRow } from "../../test/trade-row";
import { TradeTable } from "./TradeTable";

afterEach(cleanup);

type Attempt = NonNullable<TradeAttemptsQuery["trade"]>["history"][number];

function trade(id: string, rowNumber: number, status: TradeStatus): TradeRowFragment {
  return tradeRow(rowNumber, {
    id,
    clientId: "C-1",
    accountNumber: "1234567890",
    status,
    quoteId: "Q-1",
    rate: "0.055",
    updatedAt: "2026-11-21T09:00:00.000Z",
  });
}

function attempt(overrides: Partial<Attempt>): Attempt {
  return {
    __typename: "TradeAttempt",
    number: 1,
    idempotencyKey: "key-1",
    quoteId: "Q-1",
    rate: "0.055",
    sellAmount: "1818.18",
    buyAmount: "100.00",
    quoteExpiresAt: "2026-11-21T09:00:30.000Z",
    bookingSentAt: null,
    outcome: null,
    transactionId: null,
    errorCode: null,
    errorMessage: null,
    startedAt: "2026-11-21T09:00:00.000Z",
    finishedAt: null,
    ...overrides,
  };
}

let requested: string[];
let histories: Record<string, Attempt[]>;

function renderTable(trades: TradeRowFragment[]) {
  const link = new ApolloLink(
    (operation) =>
      new Observable((subscriber) => {
        const id = operation.variables.id as string;
        requested.push(`${operation.operationName}:${id}`);
        subscriber.next({ data: { trade: { __typename: "Trade", id, history: histories[id] ?? [] } } });
        subscriber.complete();
      }),
  );
  const client = new ApolloClient({ cache: new InMemoryCache(), link });
  render(
    <ApolloProvider client={client}>
      <TradeTable trades={trades} caption="Trades of this batch" />
    </ApolloProvider>,
  );
}

beforeEach(() => {
  requested = [];
  histories = {};
});

describe("TradeTable rows open to show the trade's attempts", () => {
  test("nothing is read until a row is opened, then only that trade's history", async () => {
    histories.t2 = [
      attempt({ outcome: "REFUSED", errorCode: "QUOTE_EXPIRED", errorMessage: "quote expired", finishedAt: "2026-11-21T09:00:40.000Z" }),
      attempt({
        number: 2,
        idempotencyKey: "key-2",
        bookingSentAt: "2026-11-21T09:00:41.000Z",
        outcome: "BOOKED",
        transactionId: "TX-9",
        finishedAt: "2026-11-21T09:00:42.000Z",
      }),
    ];
    renderTable([trade("t1", 1, "SUCCESS"), trade("t2", 2, "SUCCESS")]);
    expect(requested).toEqual([]);

    const toggle = screen.getByRole("button", { name: "Attempts of row 2" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");

    const table = await screen.findByRole("table", { name: "Attempts of row 2" });
    expect(toggle.getAttribute("aria-controls")).toBe(table.closest("tr")?.id);
    expect(requested).toEqual(["TradeAttempts:t2"]);
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getAllByRole("cell")[0]?.textContent)).toEqual(["1", "2"]);
    expect(rows[0]?.textContent).toContain("Refused");
    expect(rows[0]?.textContent).toContain("QUOTE_EXPIRED");
    expect(rows[1]?.textContent).toContain("Booked");
    expect(rows[1]?.textContent).toContain("TX-9");
    expect(rows[1]?.textContent).toContain("key-2");

    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(screen.queryByRole("table", { name: "Attempts of row 2" })).toBeNull();
  });

  test("an attempt without an outcome is unknown while its trade is QUOTED, running otherwise", async () => {
    histories.q = [attempt({ bookingSentAt: "2026-11-21T09:00:05.000Z" })];
    histories.e = [attempt({ quoteId: null, rate: null, sellAmount: null, buyAmount: null, quoteExpiresAt: null })];
    renderTable([trade("q", 1, "QUOTED"), trade("e", 2, "EXECUTING")]);
    fireEvent.click(screen.getByRole("button", { name: "Attempts of row 1" }));
    fireEvent.click(screen.getByRole("button", { name: "Attempts of row 2" }));
    const quoted = await screen.findByRole("table", { name: "Attempts of row 1" });
    const executing = await screen.findByRole("table", { name: "Attempts of row 2" });
    expect(quoted.textContent).toContain("Unknown — the bank is being asked");
    expect(executing.textContent).toContain("Running");
    expect(executing.textContent).not.toContain("Unknown");
  });
});

describe("TradeTable's Row column", () => {
  test("a trade entered by hand has no row of a file: it says so, and is named by its id", () => {
    renderTable([trade("t1", 1, "PENDING"), { ...trade("t2", 2, "PENDING"), rowNumber: null }]);
    const [, first, byHand] = screen.getAllByRole("row");
    // The Row column comes after the toggle.
    expect(within(first!).getAllByRole("cell")[1]?.textContent).toBe("1");
    const rowCell = within(byHand!).getAllByRole("cell")[1]!;
    expect(rowCell.textContent).toBe("by hand");
    expect(within(rowCell).getByText("by hand").getAttribute("title")).toBe("Entered by hand: the trade came from no row of a CSV file");
    expect(within(byHand!).getByRole("button", { name: "Attempts of trade t2" })).toBeTruthy();
  });
});
