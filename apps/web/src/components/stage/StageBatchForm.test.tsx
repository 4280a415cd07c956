// @vitest-environment jsdom
import { duplicateFileMessage } from "@fxbt/domain";
import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { BATCH, refused, renderStageForm, staged } from "./stage-form-fixture";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }), useSearchParams: () => new URLSearchParams(window.location.search) }));

const fileProblem = (message: string) => refused([{ row: null, field: null, message }]);

beforeEach(() => {
  push.mockReset();
  window.history.replaceState(null, "", "/batches/new");
});

afterEach(cleanup);

describe("StageBatchForm sends every upload under an idempotency key", () => {
  test("a double submit sends one key; an answered submission makes the next one new", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    form.submit();
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[0]?.input.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.input.idempotencyKey).toBe(sent[0]?.input.idempotencyKey);
    expect(sent[0]?.input).toMatchObject({ csv: "a,b\n", allowDuplicate: false });
    // No template chosen: the plain upload, stageBatch.
    expect(sent.map((one) => one.operation)).toEqual(["StageBatch", "StageBatch"]);

    await act(async () => {
      for (const request of sent) request.answer({ data: fileProblem("row 1: amount must be positive") });
    });
    await screen.findByRole("table", { name: "Row errors" });
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent[2]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
  });

  test("a retry after a lost answer goes under the same key; another file under a new one", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    await form.answerLast(new TypeError("Failed to fetch"));
    await screen.findByText(/Staging again is safe/);

    form.submit();
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.input.idempotencyKey).toBe(sent[0]?.input.idempotencyKey);
    await form.answerLast(new TypeError("Failed to fetch"));
    await screen.findByText(/Staging again is safe/);

    form.choose("other.csv", "c,d\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent[2]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
    await form.answerLast({ data: staged() });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });

  test("a duplicate file names the earlier batch, links to it, and Stage anyway stages it under a new key", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    await form.answerLast({
      data: fileProblem(duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T08:00:00.000Z") })),
    });

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("DUPLICATE_FILE");
    expect(alert.textContent).toContain("Nothing was saved.");
    expect(screen.queryByRole("table", { name: "Row errors" })).toBeNull();
    const link = await screen.findByRole("link", { name: "B-20261121-0003" });
    expect(link.getAttribute("href")).toBe("/batches/earlier-id");

    fireEvent.click(screen.getByRole("button", { name: "Stage anyway" }));
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.input).toMatchObject({ csv: "a,b\n", allowDuplicate: true });
    expect(sent[1]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
    await form.answerLast({ data: staged() });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });

  test("another file chosen while the first is on its way: the first one's answer is not shown as the second's", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("first.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    form.choose("second.csv", "c,d\n");
    await form.answerLast({
      data: fileProblem(duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T08:00:00.000Z") })),
    });
    await waitFor(() => expect(screen.queryByText("Validating every row…")).toBeNull());
    // first.csv's repeat said of second.csv, with a Stage anyway that would stage second.csv unchecked, is what must not show.
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("button", { name: "Stage anyway" })).toBeNull();

    form.submit();
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.input).toMatchObject({ csv: "c,d\n", allowDuplicate: false });
    expect(sent[1]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
  });
});

describe("StageBatchForm shows the priority's range, and a priority out of it at the field", () => {
  const priorityField = () => screen.getByLabelText("Priority") as HTMLInputElement;
  const hint = () => document.getElementById("priority-hint")?.textContent ?? "";
  const setPriority = (value: string) => fireEvent.change(priorityField(), { target: { value } });

  test("the range is shown, and the field carries it", () => {
    renderStageForm();
    expect(hint()).toContain("A whole number from -1000 to 1000, 0 by default.");
    expect(priorityField().min).toBe("-1000");
    expect(priorityField().max).toBe("1000");
    expect(priorityField().getAttribute("aria-invalid")).toBeNull();
  });

  test("a value beyond the range or not whole is named at the field, and nothing is sent", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    for (const [typed, got] of [
      ["99999999999", "99999999999"],
      ["1001", "1001"],
      ["-1001", "-1001"],
      ["1.5", "1.5"],
    ]) {
      setPriority(typed!);
      expect(hint(), typed).toBe(`Priority must be a whole number from -1000 to 1000, got ${got}.`);
      expect(priorityField().getAttribute("aria-invalid")).toBe("true");
      form.submit();
    }
    await act(async () => undefined);
    expect(sent).toHaveLength(0);
    expect(document.activeElement).toBe(priorityField());
    expect(screen.queryByRole("alert")).toBeNull();

    setPriority("1000");
    expect(priorityField().getAttribute("aria-invalid")).toBeNull();
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.input.priority).toBe(1000);
  });

  test("an empty field sends the default, 0", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    setPriority("");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.input.priority).toBe(0);
  });

  test("the API's priority error is shown at the field, not as a file problem; a new value clears it", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    setPriority("7");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    const message = "priority must be a whole number from -1000 to 1000, got 7";
    await form.answerLast({
      data: {
        stageBatch: {
          __typename: "StageBatchPayload",
          batch: null,
          errors: [{ __typename: "RowError", row: null, field: "priority", message }],
        },
      },
    });
    await waitFor(() => expect(hint()).toBe(`${message.replace(/^p/, "P")}.`));
    expect(screen.queryByRole("table", { name: "Row errors" })).toBeNull();
    expect(screen.queryByRole("alert")).toBeNull();

    setPriority("6");
    expect(hint()).toContain("A whole number from -1000 to 1000");
  });

  test("a BAD_USER_INPUT naming the priority is shown at the field, not as a failed request", async () => {
    const form = renderStageForm();
    const { sent } = form;
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    const message = "priority must be a whole number from -1000 to 1000, got 0";
    await form.answerLast({ errors: [{ message, extensions: { code: "BAD_USER_INPUT", field: "priority" } }] });
    await waitFor(() => expect(hint()).toBe(`${message.replace(/^p/, "P")}.`));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
