// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchResultsQuery, RetryFailedTradesMutation } from "../../graphql/batch";
import { batchFields } from "../../test/batch-fields";
import { viewerFixture } from "../../test/viewer";
import { StaticSession } from "../session/SessionProvider";
import { ToastProvider } from "../toasts/ToastProvider";
import { BatchActions } from "./BatchActions";
import { BatchResults } from "./BatchResults";
import { RetryDialog, retryChoice } from "./RetryDialog";

afterEach(cleanup);

const ID = "6f1c0a4e-0000-4000-8000-000000000001";

const finished: BatchFieldsFragment = batchFields({
  id: ID,
  batchUid: "B-20261127-0001",
  status: "PARTIAL_SUCCESS",
  totalTrades: 20,
  processedTrades: 20,
  succeededTrades: 3,
  failedTrades: 17,
  progress: 1,
  createdAt: "2026-11-27T09:00:00.000Z",
  updatedAt: "2026-11-27T09:05:00.000Z",
  startedAt: "2026-11-27T09:01:00.000Z",
  completedAt: "2026-11-27T09:05:00.000Z",
  eventSequence: 40,
});

const trader = viewerFixture("TRADER");

const FAILURES = [
  { errorCode: "INVALID_ACCOUNT", count: 12 },
  { errorCode: "QUOTE_REJECTED", count: 3 },
  { errorCode: "INSUFFICIENT_FUNDS", count: 2 },
];

function resultsMock(errorsByCode = FAILURES): MockedResponse {
  return {
    request: { query: BatchResultsQuery, variables: { id: ID } },
    result: {
      data: {
        batchResults: {
          __typename: "BatchResults",
          batch: { __typename: "Batch", id: ID },
          succeededTrades: 3,
          failedTrades: errorsByCode.reduce((sum, failure) => sum + failure.count, 0),
          cancelledTrades: 0,
          totalsByCurrency: [],
          errorsByCode: errorsByCode.map((failure) => ({ __typename: "ErrorCount", ...failure })),
        },
      },
    },
    // The dialog reads the counts anew when it opens, the results panel too.
    maxUsageCount: 5,
  };
}

function retryMock(errorCodes: string[]) {
  const answered = vi.fn(() => ({ data: { retryFailedTrades: { ...finished, status: "PENDING", failedTrades: 12, completedAt: null } } }));
  const mock: MockedResponse = { request: { query: RetryFailedTradesMutation, variables: { id: ID, errorCodes } }, result: answered };
  return { mock, answered };
}

function renderWith(mocks: MockedResponse[], ui: React.ReactNode) {
  render(
    <MockedProvider mocks={mocks}>
      <StaticSession viewer={trader}>
        <ToastProvider>{ui}</ToastProvider>
      </StaticSession>
    </MockedProvider>,
  );
}

const listed = (name: string) =>
  within(screen.getByRole("list", { name }))
    .getAllByRole("listitem")
    .map((item) => item.textContent);

describe("retryChoice", () => {
  test("takes the retryable codes, leaves the permanent ones, or takes exactly the one code chosen", () => {
    expect(retryChoice(FAILURES)).toEqual({ retried: FAILURES.slice(1), leftPermanent: FAILURES.slice(0, 1) });
    expect(retryChoice(FAILURES, "INVALID_ACCOUNT")).toEqual({ retried: FAILURES.slice(0, 1), leftPermanent: [] });
    expect(retryChoice(FAILURES, "BOOKING_REJECTED")).toEqual({ retried: [], leftPermanent: [] });
  });
});

describe("Retry asks first", () => {
  test("the batch's retry lists what will be retried per code and what stays failed, and sends exactly those codes", async () => {
    const retry = retryMock(["QUOTE_REJECTED", "INSUFFICIENT_FUNDS"]);
    renderWith([resultsMock(), retry.mock], <BatchActions batch={finished} onDeleted={() => undefined} />);

    fireEvent.click(screen.getByRole("button", { name: "Retry failed trades" }));
    const dialog = await screen.findByRole("dialog", { name: "Retry failed trades of B-20261127-0001?" });
    await waitFor(() => expect(listed("Will be retried")).toEqual(["3 QUOTE_REJECTED", "2 INSUFFICIENT_FUNDS"]));
    expect(listed("Left failed")).toEqual(["12 INVALID_ACCOUNT"]);
    expect(retry.answered).not.toHaveBeenCalled();

    fireEvent.click(within(dialog).getByRole("button", { name: "Retry 5 trades" }));
    await waitFor(() => expect(retry.answered).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    // The batch is queued again and its Retry button goes: the focus is on the panel's heading, not lost.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Actions" })));
  });

  test("Keep closes it and retries nothing", async () => {
    const retry = retryMock(["QUOTE_REJECTED", "INSUFFICIENT_FUNDS"]);
    renderWith([resultsMock(), retry.mock], <BatchActions batch={finished} onDeleted={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Retry failed trades" }));
    await screen.findByRole("list", { name: "Will be retried" });
    fireEvent.click(screen.getByRole("button", { name: "Keep" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(retry.answered).not.toHaveBeenCalled();
  });

  test("with only permanent failures it says so and cannot be confirmed", async () => {
    renderWith([resultsMock([{ errorCode: "INVALID_ACCOUNT", count: 12 }])], <BatchActions batch={finished} onDeleted={() => undefined} />);
    fireEvent.click(screen.getByRole("button", { name: "Retry failed trades" }));
    await screen.findByText("No failure can be retried.");
    expect(listed("Left failed")).toEqual(["12 INVALID_ACCOUNT"]);
    expect(screen.getByRole("button", { name: "Retry" }).getAttribute("aria-disabled")).toBe("true");
  });

  test("a breakdown row retries its code alone, a permanent one too, after the confirmation", async () => {
    const retry = retryMock(["INVALID_ACCOUNT"]);
    const retried = vi.fn();
    renderWith([resultsMock(), retry.mock], <BatchResults batch={finished} onRetried={retried} />);
    fireEvent.click(await screen.findByRole("button", { name: "Retry the INVALID_ACCOUNT trades" }));
    const dialog = await screen.findByRole("dialog", { name: "Retry INVALID_ACCOUNT trades of B-20261127-0001?" });
    await waitFor(() => expect(listed("Will be retried")).toEqual(["12 INVALID_ACCOUNT"]));
    expect(screen.queryByRole("list", { name: "Left failed" })).toBeNull();
    fireEvent.click(within(dialog).getByRole("button", { name: "Retry 12 trades" }));
    await waitFor(() => expect(retry.answered).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(retried).toHaveBeenCalledTimes(1));
  });

  test("a VIEWER sees the rows as filters but no retry", async () => {
    render(
      <MockedProvider mocks={[resultsMock()]}>
        <StaticSession viewer={{ ...trader, role: "VIEWER" }}>
          <BatchResults batch={finished} />
        </StaticSession>
      </MockedProvider>,
    );
    expect(await screen.findByRole("button", { name: "Show the INVALID_ACCOUNT trades" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /^Retry the/ })).toBeNull();
  });
});

describe("a retry of selected trades", () => {
  const selectedDialog = (selected: { id: string; rowNumber: number | null; errorCode: string | null }[]) =>
    render(<RetryDialog batch={{ id: ID, batchUid: finished.batchUid }} selected={selected} onConfirm={() => {}} onCancel={() => {}} />);

  test("names the CSV rows and counts the trades entered by hand, which have none", () => {
    selectedDialog([
      { id: "t-4", rowNumber: 4, errorCode: "QUOTE_REJECTED" },
      { id: "t-hand-1", rowNumber: null, errorCode: "QUOTE_REJECTED" },
      { id: "t-2", rowNumber: 2, errorCode: "INSUFFICIENT_FUNDS" },
      { id: "t-hand-2", rowNumber: null, errorCode: "INSUFFICIENT_FUNDS" },
    ]);
    expect(within(screen.getByRole("dialog")).getByText("Rows 2, 4; also 2 trades entered by hand (no row).")).toBeTruthy();
  });

  test("says so when every selected trade was entered by hand", () => {
    selectedDialog([{ id: "t-hand", rowNumber: null, errorCode: "QUOTE_REJECTED" }]);
    expect(within(screen.getByRole("dialog")).getByText("One trade entered by hand (no row).")).toBeTruthy();
  });
});
