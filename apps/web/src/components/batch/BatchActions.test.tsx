// @vitest-environment jsdom
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";
import type { BatchFieldsFragment, BatchStatus } from "../../gql/graphql";
import { ToastProvider } from "../toasts/ToastProvider";
import { BatchActions } from "./BatchActions";

afterEach(cleanup);

function batch(status: BatchStatus, overrides: Partial<BatchFieldsFragment> = {}): BatchFieldsFragment {
  return {
    __typename: "Batch",
    id: "6f1c0a4e-0000-4000-8000-000000000001",
    batchUid: "B-20261121-0001",
    name: null,
    status,
    priority: 0,
    totalTrades: 6,
    processedTrades: 0,
    succeededTrades: 0,
    failedTrades: 0,
    cancelledTrades: 0,
    progress: 0,
    createdAt: "2026-11-21T09:00:00.000Z",
    updatedAt: "2026-11-21T09:00:00.000Z",
    startedAt: null,
    completedAt: null,
    queuedAt: null,
    cancelRequestedAt: null,
    resultsCsvPath: "/export/batches/6f1c0a4e-0000-4000-8000-000000000001/trades.csv",
    bankUnavailableSince: null,
    partner: null,
    stagedBy: "ops@example.test",
    stagedById: "6f1c0a4e-0000-4000-8000-0000000000aa",
    approvalRequired: false,
    approvedBy: null,
    approvedAt: null,
    ...overrides,
  };
}

function buttonsFor(value: BatchFieldsFragment): string[] {
  render(
    <MockedProvider>
      <ToastProvider>
        <BatchActions batch={value} onDeleted={() => undefined} />
      </ToastProvider>
    </MockedProvider>,
  );
  return screen.queryAllByRole("button").map((button) => button.textContent ?? "");
}

describe("BatchActions shows only what the status allows", () => {
  test("a staged batch can be started, cancelled or deleted", () => {
    expect(buttonsFor(batch("PENDING"))).toEqual(["Start", "Cancel batch", "Delete batch"]);
  });
  test("a queued batch cannot be started again", () => {
    expect(buttonsFor(batch("PENDING", { queuedAt: "2026-11-21T09:01:00.000Z" }))).toEqual(["Cancel batch", "Delete batch"]);
  });
  test("a running batch can only be cancelled, once", () => {
    expect(buttonsFor(batch("RUNNING"))).toEqual(["Cancel batch"]);
    cleanup();
    expect(buttonsFor(batch("RUNNING", { cancelRequestedAt: "2026-11-21T09:02:00.000Z" }))).toEqual([]);
  });
  test("failed trades of a finished batch can be retried", () => {
    expect(buttonsFor(batch("FAILED", { failedTrades: 6 }))).toEqual(["Retry failed trades", "Delete batch"]);
  });
  test("a batch with booked trades is never offered for deletion, and says why", () => {
    expect(buttonsFor(batch("PARTIAL_SUCCESS", { succeededTrades: 4, failedTrades: 2 }))).toEqual(["Retry failed trades"]);
    expect(screen.getByText(/Cannot be deleted/).parentElement?.textContent).toBe(
      "Cannot be deleted: 4 of its trades were booked by the bank, and booked trades are records that are never deleted.",
    );
    cleanup();
    expect(buttonsFor(batch("SUCCESS", { succeededTrades: 6 }))).toEqual([]);
    expect(screen.queryByText(/Nothing can be done/)).toBeNull();
    expect(screen.getByText(/Cannot be deleted/)).toBeTruthy();
    cleanup();
    // Retried: PENDING again, and its booked trades still keep it.
    expect(buttonsFor(batch("PENDING", { succeededTrades: 4, queuedAt: "2026-11-21T09:05:00.000Z" }))).toEqual(["Cancel batch"]);
    expect(screen.getByText(/Cannot be deleted/)).toBeTruthy();
  });
  test("a batch with nothing booked can be deleted once it has stopped", () => {
    expect(buttonsFor(batch("CANCELLED", { cancelledTrades: 6, cancelRequestedAt: "2026-11-21T09:02:00.000Z" }))).toEqual(["Delete batch"]);
    expect(screen.queryByText(/Cannot be deleted/)).toBeNull();
  });
});
