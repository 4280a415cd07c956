// @vitest-environment jsdom
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, test } from "vitest";
import type { BatchFieldsFragment, BatchStatus } from "../../gql/graphql";
import { batchFields } from "../../test/batch-fields";
import { viewerFixture } from "../../test/viewer";
import { StaticSession, type Viewer } from "../session/SessionProvider";
import { ToastProvider } from "../toasts/ToastProvider";
import { BatchActions } from "./BatchActions";

afterEach(cleanup);

function batch(status: BatchStatus, overrides: Partial<BatchFieldsFragment> = {}): BatchFieldsFragment {
  return batchFields({ status, ...overrides });
}

const STAGER_ID = "6f1c0a4e-0000-4000-8000-0000000000aa";

const viewer = viewerFixture;

function renderActions(value: BatchFieldsFragment, as: Viewer) {
  render(
    <MockedProvider>
      <StaticSession viewer={as}>
        <ToastProvider>
          <BatchActions batch={value} onDeleted={() => undefined} />
        </ToastProvider>
      </StaticSession>
    </MockedProvider>,
  );
}

/** The buttons shown, with " (disabled: reason)" after those this viewer may not press. */
function buttonsFor(value: BatchFieldsFragment, as: Viewer = viewer("ADMIN")): string[] {
  renderActions(value, as);
  return screen
    .queryAllByRole("button")
    .map((button) => `${button.textContent ?? ""}${(button as HTMLButtonElement).disabled ? ` (disabled: ${button.title})` : ""}`);
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
    expect(buttonsFor(batch("FAILED", { failedTrades: 6 }))).toEqual(["Retry failed trades", "Delete batch", "Archive batch"]);
  });
  test("a batch with booked trades is never offered for deletion, and says why", () => {
    expect(buttonsFor(batch("PARTIAL_SUCCESS", { succeededTrades: 4, failedTrades: 2 }))).toEqual(["Retry failed trades", "Archive batch"]);
    expect(screen.getByText(/Cannot be deleted/).parentElement?.textContent).toBe(
      "Cannot be deleted: 4 of its trades were booked by the bank, and booked trades are records that are never deleted." +
        " Archive it instead: it leaves the lists and stays readable, with every trade.",
    );
    cleanup();
    expect(buttonsFor(batch("SUCCESS", { succeededTrades: 6 }))).toEqual(["Archive batch"]);
    expect(screen.queryByText(/Nothing can be done/)).toBeNull();
    expect(screen.getByText(/Cannot be deleted/)).toBeTruthy();
    cleanup();
    // Retried: PENDING again, and its booked trades still keep it.
    expect(buttonsFor(batch("PENDING", { succeededTrades: 4, queuedAt: "2026-11-21T09:05:00.000Z" }))).toEqual(["Cancel batch"]);
    expect(screen.getByText(/Cannot be deleted/)).toBeTruthy();
  });
  test("a batch with nothing booked can be deleted once it has stopped", () => {
    expect(buttonsFor(batch("CANCELLED", { cancelledTrades: 6, cancelRequestedAt: "2026-11-21T09:02:00.000Z" }))).toEqual([
      "Delete batch",
      "Archive batch",
    ]);
    expect(screen.queryByText(/Cannot be deleted/)).toBeNull();
  });
  test("a cancelled batch whose trades are still being written shows Archive disabled, saying why", () => {
    const cancelled = { cancelledTrades: 6, cancelRequestedAt: "2026-11-21T09:02:00.000Z" };
    expect(buttonsFor(batch("CANCELLED", { ...cancelled, cancelledUnmovedTrades: 5 }))).toEqual([
      "Delete batch",
      "Archive batch (disabled: The batch's 5 cancelled trades are still being written; archive it once they are (seconds).)",
    ]);
    cleanup();
    expect(buttonsFor(batch("CANCELLED", { ...cancelled, cancelledUnmovedTrades: 0 }))).toEqual(["Delete batch", "Archive batch"]);
    cleanup();
    // Someone who may not archive at all is told that, not to wait.
    expect(buttonsFor(batch("CANCELLED", { ...cancelled, cancelledUnmovedTrades: 5 }), viewer("VIEWER")).at(-1)).toBe(
      "Archive batch (disabled: Archive needs the ADMIN role or higher; you have VIEWER.)",
    );
  });
  test("an archived batch offers nothing and says it is archived, read-only", () => {
    expect(buttonsFor(batch("PARTIAL_SUCCESS", { succeededTrades: 4, failedTrades: 2, archivedAt: "2026-11-22T10:00:00.000Z" }))).toEqual(
      [],
    );
    expect(screen.getByRole("status").textContent).toMatch(/^Archived on .+: this batch is read-only\. Its trades, results and exports/);
    expect(screen.queryByText(/Cannot be deleted/)).toBeNull();
    expect(screen.queryByText(/Nothing can be done/)).toBeNull();
  });
});

describe("BatchActions follows the viewer's role", () => {
  test("a VIEWER sees the actions disabled, each saying which role it needs", () => {
    expect(buttonsFor(batch("PENDING"), viewer("VIEWER"))).toEqual([
      "Start (disabled: Start needs the TRADER role or higher; you have VIEWER.)",
      "Cancel batch (disabled: Cancel needs the TRADER role or higher; you have VIEWER.)",
      "Delete batch (disabled: Delete needs the ADMIN role or higher; you have VIEWER.)",
    ]);
  });
  test("a TRADER may start, cancel and retry, but only an ADMIN deletes", () => {
    expect(buttonsFor(batch("FAILED", { failedTrades: 6 }), viewer("TRADER"))).toEqual([
      "Retry failed trades",
      "Delete batch (disabled: Delete needs the ADMIN role or higher; you have TRADER.)",
      "Archive batch (disabled: Archive needs the ADMIN role or higher; you have TRADER.)",
    ]);
    // Why an ADMIN could not delete it is not a TRADER's concern.
    cleanup();
    buttonsFor(batch("SUCCESS", { succeededTrades: 6 }), viewer("TRADER"));
    expect(screen.queryByText(/Cannot be deleted/)).toBeNull();
  });
});

describe("BatchActions and four eyes", () => {
  const awaiting = batch("PENDING", { approvalRequired: true, stagedBy: "stager@example.test", stagedById: STAGER_ID });

  test("the stager cannot approve, and Start waits for the approval, saying who may give it", () => {
    const buttons = buttonsFor(awaiting, viewer("TRADER", STAGER_ID));
    expect(buttons[0]).toBe(
      "Approve (disabled: Four eyes: it needs approval by a person with the TRADER or ADMIN role other than stager@example.test.)",
    );
    expect(buttons[1]).toBe(
      "Start (disabled: Awaiting approval: a person with the TRADER or ADMIN role other than stager@example.test must approve it before it can start.)",
    );
    expect(screen.getAllByText("Awaiting approval").length).toBeGreaterThan(0);
  });

  test("another TRADER may approve; a VIEWER may not", () => {
    expect(buttonsFor(awaiting, viewer("TRADER"))[0]).toBe("Approve");
    cleanup();
    expect(buttonsFor(awaiting, viewer("VIEWER"))[0]).toBe("Approve (disabled: Approve needs the TRADER role or higher; you have VIEWER.)");
  });

  test("once approved: Start is enabled and the page says who approved it and when", () => {
    const approved = { ...awaiting, approvedBy: "checker@example.test", approvedAt: "2026-11-21T09:03:00.000Z" };
    expect(buttonsFor(approved, viewer("TRADER", STAGER_ID))).toEqual([
      "Start",
      "Cancel batch",
      "Delete batch (disabled: Delete needs the ADMIN role or higher; you have TRADER.)",
    ]);
    expect(screen.getByText(/Approved by/).textContent).toMatch(/^Approved by checker@example.test at /);
  });
});
