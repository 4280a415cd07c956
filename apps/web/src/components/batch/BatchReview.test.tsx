// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";
import { BatchPreviewQuery } from "../../graphql/batch";
import { BatchReview, BatchReviewContent } from "./BatchReview";
import { previewFixture } from "./preview-fixture";

afterEach(cleanup);

const ID = "6f1c0a4e-0000-4000-8000-000000000001";

const rowsOf = (name: string) =>
  within(screen.getByRole("table", { name }))
    .getAllByRole("row")
    .slice(1)
    .map((row) =>
      within(row)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    );

describe("BatchReviewContent", () => {
  test("shows totals per pair and direction with their currency, per currency, and trades per value date (spot named)", () => {
    render(<BatchReviewContent preview={previewFixture()} />);
    expect(rowsOf("Totals by pair and direction")).toEqual([
      ["ZAR/USD", "BUY USD", "USD 1,234,567.89", "3"],
      ["ZAR/USD", "SELL ZAR", "ZAR 250,000.00", "1"],
    ]);
    expect(rowsOf("Totals by currency")).toEqual([
      ["USD", "1,234,567.89", "3"],
      ["ZAR", "250,000.00", "1"],
    ]);
    expect(rowsOf("Trades by value date")).toEqual([
      ["Spot (no value date)", "1", "4"],
      ["2026-12-05", "3", "1"],
    ]);
  });

  test("lists each warning with its title, code and message, and links the earlier batches of a duplicate", () => {
    render(<BatchReviewContent preview={previewFixture()} />);
    const items = within(screen.getByRole("list", { name: "Warnings" })).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "Possible duplicate POSSIBLE_DUPLICATE the same trades were staged as batch B-20261126-0002 at 2026-11-26T10:00:00.000Z: start only if they are meant to run again Earlier: B-20261126-0002",
      "Value date not a business day NON_BUSINESS_DAY value date 2026-12-05 is not a business day for ZAR/USD (Saturday): 3 trades (rows 1, 2, 3)",
    ]);
    expect(within(items[0]!).getByRole("link", { name: "B-20261126-0002" }).getAttribute("href")).toBe("/batches/B-20261126-0002");
  });

  test("says plainly when there is nothing to warn of", () => {
    render(<BatchReviewContent preview={previewFixture({ warnings: [] })} />);
    expect(screen.queryByRole("list", { name: "Warnings" })).toBeNull();
    expect(screen.getByText(/^No warnings/)).toBeTruthy();
  });
});

describe("BatchReview", () => {
  test("reads the batch's preview and shows it under its heading", async () => {
    const mock: MockedResponse = {
      request: { query: BatchPreviewQuery, variables: { id: ID } },
      result: { data: { batch: { __typename: "Batch", id: ID, preview: previewFixture() } } },
    };
    render(
      <MockedProvider mocks={[mock]}>
        <BatchReview batchId={ID} />
      </MockedProvider>,
    );
    expect(screen.getByRole("heading", { name: "Review before start" })).toBeTruthy();
    expect(await screen.findByRole("table", { name: "Totals by currency" })).toBeTruthy();
    expect(within(screen.getByRole("list", { name: "Warnings" })).getAllByRole("listitem")).toHaveLength(2);
  });
});
