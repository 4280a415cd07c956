// @vitest-environment jsdom
import { duplicateFileMessage } from "@fxbt/domain";
import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { BATCH, refused, renderStageForm, staged, TEMPLATE_WITH_ROWS, TEMPLATE_WITHOUT_ROWS } from "./stage-form-fixture";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }), useSearchParams: () => new URLSearchParams(window.location.search) }));

const TEMPLATES = [TEMPLATE_WITH_ROWS, TEMPLATE_WITHOUT_ROWS];
const KEY = /^[0-9a-f-]{36}$/;

const priorityField = () => screen.getByLabelText("Priority") as HTMLInputElement;
const nameField = () => screen.getByLabelText("Name") as HTMLInputElement;
const fileField = () => screen.getByLabelText("CSV file") as HTMLInputElement;
const templateSelect = () => screen.getByLabelText("Template") as HTMLSelectElement;
const nameHint = () => document.getElementById(nameField().getAttribute("aria-describedby") ?? "")?.textContent ?? "";
const fileHint = () => document.getElementById(fileField().getAttribute("aria-describedby") ?? "")?.textContent ?? "";
const today = () => new Date().toISOString().slice(0, 10);

/** Opens the New batch page as a link would, with `?template=<id>` when given. */
function openWith(templateId: string | null) {
  window.history.replaceState(null, "", templateId ? `/batches/new?template=${templateId}` : "/batches/new");
  return renderStageForm(TEMPLATES);
}

beforeEach(() => push.mockReset());
afterEach(cleanup);

describe("New batch with a template that holds rows", () => {
  test("fills the name's placeholder and the priority, needs no file, and stages the template's rows", async () => {
    const form = openWith(TEMPLATE_WITH_ROWS.id);
    await waitFor(() => expect(priorityField().value).toBe("9"));
    expect(templateSelect().value).toBe(TEMPLATE_WITH_ROWS.id);
    // Two stagings so far: this one is the third.
    expect(nameField().placeholder).toBe(`Weekly ${today()} #3`);
    expect(nameHint()).toBe(`Left empty, the batch is named Weekly ${today()} #3: the template's pattern, as it reads when staged.`);
    expect(fileHint()).toContain("2 rows from the template; value dates past or on non-business days roll forward.");
    expect(fileField().required).toBe(false);
    expect(document.getElementById("priority-hint")?.textContent).toContain("9 (the template's) by default");

    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));
    expect(form.sent[0]).toMatchObject({
      operation: "StageBatchFromTemplate",
      input: { templateId: TEMPLATE_WITH_ROWS.id, csv: null, name: null, priority: 9, allowDuplicate: false },
    });
    expect(form.sent[0]?.input.idempotencyKey).toMatch(KEY);
    await form.answerLast({ data: staged("stageBatchFromTemplate") });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });

  test("row errors and a duplicate show as a file's do: the table, then Stage anyway under a new key", async () => {
    const form = openWith(TEMPLATE_WITH_ROWS.id);
    await waitFor(() => expect(priorityField().value).toBe("9"));
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));
    const rowError = { row: 2, field: "buy_currency", message: "buy_currency XXX is not an active currency" };
    await form.answerLast({ data: refused([rowError], "stageBatchFromTemplate") });
    const table = await screen.findByRole("table", { name: "Row errors" });
    expect(table.textContent).toContain(rowError.message);
    expect(screen.getByRole("alert").textContent).toContain(
      "1 problem was found in the rows of the template “Weekly ZAR”. Nothing was saved.",
    );

    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(2));
    expect(form.sent[1]?.input.idempotencyKey).not.toBe(form.sent[0]?.input.idempotencyKey);
    const earlier = duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T08:00:00.000Z") });
    await form.answerLast({ data: refused([{ row: null, field: null, message: earlier }], "stageBatchFromTemplate") });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("DUPLICATE_FILE");
    expect(alert.textContent).toContain("The template “Weekly ZAR” holds the same trades as batch");
    expect((await screen.findByRole("link", { name: "B-20261121-0003" })).getAttribute("href")).toBe("/batches/earlier-id");

    fireEvent.click(screen.getByRole("button", { name: "Stage anyway" }));
    await waitFor(() => expect(form.sent).toHaveLength(3));
    expect(form.sent[2]).toMatchObject({ operation: "StageBatchFromTemplate", input: { csv: null, allowDuplicate: true } });
    expect(form.sent[2]?.input.idempotencyKey).not.toBe(form.sent[1]?.input.idempotencyKey);
    await form.answerLast({ data: staged("stageBatchFromTemplate") });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });

  test("with a file, the file's rows are staged with the template's settings; removing it stages the template's rows", async () => {
    const form = openWith(TEMPLATE_WITH_ROWS.id);
    await waitFor(() => expect(priorityField().value).toBe("9"));
    form.choose("trades.csv", "a,b\n");
    expect(fileHint()).toContain("its rows are staged with the template's settings");
    fireEvent.change(priorityField(), { target: { value: "3" } });
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));
    expect(form.sent[0]).toMatchObject({
      operation: "StageBatchFromTemplate",
      input: { templateId: TEMPLATE_WITH_ROWS.id, csv: "a,b\n", name: null, priority: 3 },
    });
    await form.answerLast(new TypeError("Failed to fetch"));
    await screen.findByText(/Staging again is safe/);

    fireEvent.click(screen.getByRole("button", { name: /Remove the file/ }));
    expect(fileHint()).toContain("2 rows from the template");
    // The button is gone with the file: focus is on the file field, not lost to the page.
    expect(document.activeElement).toBe(fileField());
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(2));
    expect(form.sent[1]?.input).toMatchObject({ templateId: TEMPLATE_WITH_ROWS.id, csv: null, priority: 3 });
    // Another submission (no file now), so another key: the first may yet have staged the file.
    expect(form.sent[1]?.input.idempotencyKey).not.toBe(form.sent[0]?.input.idempotencyKey);
  });
});

describe("New batch with a template that holds no rows", () => {
  test("the file is required as without a template, then staged with the template's settings", async () => {
    const form = openWith(TEMPLATE_WITHOUT_ROWS.id);
    await waitFor(() => expect(priorityField().value).toBe("-5"));
    // No pattern: batches are named after the template, and the hint says so rather than speak of a pattern.
    expect(nameField().placeholder).toBe("Payroll");
    expect(nameHint()).toBe("Left empty, the batch is named Payroll: the template's name, as it has no pattern.");
    expect(fileHint()).toBe("The template holds no rows: choose a file, or drop one here, to stage with its settings.");
    expect(fileField().required).toBe(true);

    form.submit();
    await waitFor(() => expect(fileHint()).toBe("Choose a CSV file first."));
    expect(fileField().getAttribute("aria-invalid")).toBe("true");
    expect(form.sent).toHaveLength(0);

    form.choose("payroll.csv", "c,d\n");
    fireEvent.change(nameField(), { target: { value: "  November payroll " } });
    // Emptied, the priority is the template's.
    fireEvent.change(priorityField(), { target: { value: "" } });
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));
    expect(form.sent[0]).toMatchObject({
      operation: "StageBatchFromTemplate",
      input: { templateId: TEMPLATE_WITHOUT_ROWS.id, csv: "c,d\n", name: "November payroll", priority: -5, allowDuplicate: false },
    });
  });
});

describe("Choosing the template", () => {
  test("the choice goes to the address with the template's priority; a search keeps it; none is a plain upload again", async () => {
    const form = openWith(null);
    await screen.findByRole("option", { name: "Weekly ZAR (2 rows)" });
    expect(screen.getByRole("option", { name: "Payroll (no rows, stages a file)" })).toBeTruthy();

    fireEvent.change(templateSelect(), { target: { value: TEMPLATE_WITH_ROWS.id } });
    expect(window.location.search).toBe(`?template=${TEMPLATE_WITH_ROWS.id}`);
    await waitFor(() => expect(priorityField().value).toBe("9"));

    fireEvent.change(screen.getByLabelText("Search templates"), { target: { value: "pay" } });
    await waitFor(() => expect(form.searches).toContain("pay"));
    // Said where a screen reader hears it while typing in the search.
    expect((await screen.findByText("1 template matches.")).getAttribute("aria-live")).toBe("polite");
    // The chosen one stays offered, and chosen, though the search leaves it out.
    expect(templateSelect().value).toBe(TEMPLATE_WITH_ROWS.id);
    expect(screen.getAllByRole("option").map((option) => option.textContent)).toEqual([
      "No template: stage a file",
      "Weekly ZAR (2 rows)",
      "Payroll (no rows, stages a file)",
    ]);

    fireEvent.change(templateSelect(), { target: { value: "" } });
    expect(window.location.search).toBe("");
    await waitFor(() => expect(priorityField().value).toBe("0"));
    expect(nameField().placeholder).toBe("Optional, e.g. Friday payables");
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));
    expect(form.sent[0]?.operation).toBe("StageBatch");
    expect(form.sent[0]?.input).not.toHaveProperty("templateId");
  });

  test("another template chosen while a staging is on its way: its own priority, and the first one's answer is not shown for it", async () => {
    const form = openWith(TEMPLATE_WITH_ROWS.id);
    await waitFor(() => expect(priorityField().value).toBe("9"));
    fireEvent.change(priorityField(), { target: { value: "3" } });
    form.submit();
    await waitFor(() => expect(form.sent).toHaveLength(1));

    fireEvent.change(templateSelect(), { target: { value: TEMPLATE_WITHOUT_ROWS.id } });
    await waitFor(() => expect(priorityField().value).toBe("-5"));
    const earlier = duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T08:00:00.000Z") });
    await form.answerLast({ data: refused([{ row: null, field: null, message: earlier }], "stageBatchFromTemplate") });
    await waitFor(() => expect(screen.queryByText("Validating every row…")).toBeNull());
    // Weekly ZAR's repeat is not Payroll's: no alert, and no Stage anyway that would stage Payroll past its own check.
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.queryByRole("button", { name: "Stage anyway" })).toBeNull();
    expect(fileHint()).toBe("The template holds no rows: choose a file, or drop one here, to stage with its settings.");
  });

  test("a template the address names that is not the caller's is said so, and a file is asked for", async () => {
    const form = openWith("6f1c0a4e-0000-4000-8000-0000000000ff");
    await screen.findByText(/The template in the address is not one of yours/);
    expect(templateSelect().value).toBe("");
    form.submit();
    await waitFor(() => expect(fileHint()).toBe("Choose a CSV file first."));
    expect(form.sent).toHaveLength(0);
  });
});
