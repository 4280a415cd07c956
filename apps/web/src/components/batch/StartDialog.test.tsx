// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import { BatchPreviewQuery, StartBatchMutation } from "../../graphql/batch";
import { batchFields } from "../../test/batch-fields";
import { viewerFixture } from "../../test/viewer";
import { StaticSession } from "../session/SessionProvider";
import { ToastProvider } from "../toasts/ToastProvider";
import { BatchActions } from "./BatchActions";
import type { BatchPreview } from "./BatchReview";
import { previewFixture } from "./preview-fixture";
import { typedConfirms } from "./StartDialog";

afterEach(cleanup);

const ID = "6f1c0a4e-0000-4000-8000-000000000001";
const UID = "B-20261127-0007";
const staged = batchFields({ id: ID, batchUid: UID, status: "PENDING", totalTrades: 4 });

const trader = viewerFixture("TRADER");

function mocks(preview: BatchPreview) {
  const started = vi.fn(() => ({ data: { startBatch: { ...staged, queuedAt: "2026-11-27T09:01:00.000Z" } } }));
  const list: MockedResponse[] = [
    { request: { query: BatchPreviewQuery, variables: { id: ID } }, result: { data: { batch: { __typename: "Batch", id: ID, preview } } } },
    { request: { query: StartBatchMutation, variables: { id: ID } }, result: started },
  ];
  return { list, started };
}

function openStart(preview: BatchPreview) {
  const { list, started } = mocks(preview);
  render(
    <MockedProvider mocks={list}>
      <StaticSession viewer={trader}>
        <ToastProvider>
          <BatchActions batch={staged} onDeleted={() => undefined} />
        </ToastProvider>
      </StaticSession>
    </MockedProvider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Start" }));
  return { started, dialog: screen.getByRole("dialog", { name: `Start ${UID}?` }) };
}

describe("typedConfirms", () => {
  test("is the batchUid, ignoring surrounding spaces and letter case, and nothing else", () => {
    expect(typedConfirms(UID, UID)).toBe(true);
    expect(typedConfirms(`  ${UID.toLowerCase()} `, UID)).toBe(true);
    expect(typedConfirms("B-20261127-000", UID)).toBe(false);
    expect(typedConfirms("", UID)).toBe(false);
  });
});

describe("Start asks for confirmation", () => {
  test("shows the totals and the warnings, and starts only once confirmed", async () => {
    const { started, dialog } = openStart(previewFixture());
    expect(started).not.toHaveBeenCalled();
    await within(dialog).findByRole("table", { name: "Totals by pair and direction" });
    expect(within(dialog).getByText(/4 trades will be quoted and booked/)).toBeTruthy();
    expect(
      within(within(dialog).getByRole("list", { name: "Warnings to check" }))
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["Possible duplicate: 4 trades", "Value date not a business day: 3 trades"]);
    // a batch below the thresholds asks for no typing
    expect(within(dialog).queryByRole("textbox")).toBeNull();
    const confirm = within(dialog).getByRole("button", { name: "Run 4 trades" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(false);
    fireEvent.click(confirm);
    await waitFor(() => expect(started).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
  });

  test("a large batch's confirm button is enabled only once its batchUid is typed", async () => {
    const preview = previewFixture({
      confirmationRequired: true,
      confirmationReason: "a large batch: USD 12000000.00 in all (USD 10000000 or more)",
    });
    const { started, dialog } = openStart(preview);
    const input = await within(dialog).findByRole("textbox", { name: "Batch id" });
    expect(within(dialog).getByText(/This is a large batch: USD 12000000.00 in all/)).toBeTruthy();
    const confirm = within(dialog).getByRole("button", { name: "Run 4 trades" }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);
    fireEvent.click(confirm);
    fireEvent.change(input, { target: { value: "B-20261127-0008" } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(input, { target: { value: UID } });
    expect(confirm.disabled).toBe(false);
    expect(started).not.toHaveBeenCalled();
    fireEvent.click(confirm);
    await waitFor(() => expect(started).toHaveBeenCalledTimes(1));
  });

  test("Keep closes it and starts nothing", async () => {
    const { started, dialog } = openStart(previewFixture());
    await within(dialog).findByRole("table", { name: "Totals by currency" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Keep" }));
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(started).not.toHaveBeenCalled();
  });
});
