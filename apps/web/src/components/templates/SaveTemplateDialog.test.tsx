// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { GraphQLError } from "graphql";
import { afterEach, describe, expect, test, vi } from "vitest";
import { SaveBatchTemplateMutation } from "../../graphql/templates";
import { ToastProvider } from "../toasts/ToastProvider";
import { SaveTemplateDialog } from "./SaveTemplateDialog";

afterEach(cleanup);

const BATCH = { id: "6f1c0a4e-0000-4000-8000-000000000001", batchUid: "B-20261127-0001", name: "Friday", priority: 4, totalTrades: 12 };

const TEMPLATE = {
  __typename: "BatchTemplate" as const,
  id: "6f1c0a4e-0000-4000-8000-0000000000aa",
  name: "Weekly",
  namePattern: "Weekly {date}",
  priority: 4,
  hasRows: true,
  rowCount: 12,
  sourceBatchUid: BATCH.batchUid,
  createdBy: "trader@example.test",
  createdAt: "2026-11-27T09:00:00.000Z",
  stagedCount: 0,
  lastStagedAt: null,
};

function saveMock(input: Record<string, unknown>, answer: MockedResponse["result"], onCall = vi.fn()): MockedResponse {
  return {
    request: { query: SaveBatchTemplateMutation, variables: { input } },
    result: () => {
      onCall();
      return answer as never;
    },
  };
}

function renderDialog(mocks: MockedResponse[], onClose = vi.fn()) {
  render(
    <MockedProvider mocks={mocks}>
      <ToastProvider>
        <SaveTemplateDialog batch={BATCH} onClose={onClose} />
      </ToastProvider>
    </MockedProvider>,
  );
  return onClose;
}

describe("Save as template", () => {
  test("checks the name and the pattern with the API's rules before sending anything", async () => {
    const sent = vi.fn();
    renderDialog([saveMock({ batchId: BATCH.id, name: "", namePattern: null, includeRows: true }, { data: null }, sent)]);
    fireEvent.change(screen.getByLabelText("Template name"), { target: { value: "  " } });
    fireEvent.change(screen.getByLabelText("Name pattern"), { target: { value: "Run {dat}" } });
    fireEvent.click(screen.getByRole("button", { name: "Save template" }));
    expect(await screen.findByText("Name is required.")).toBeTruthy();
    expect(screen.getByText(/^NamePattern has an unknown placeholder \{dat\} at character 5/)).toBeTruthy();
    expect(screen.getByLabelText("Template name").getAttribute("aria-invalid")).toBe("true");
    expect(sent).not.toHaveBeenCalled();
  });

  test("refuses a pattern whose names could pass a batch name's 200 characters with this template name", async () => {
    const sent = vi.fn();
    renderDialog([saveMock({ batchId: BATCH.id, name: "x", namePattern: null, includeRows: true }, { data: null }, sent)]);
    fireEvent.change(screen.getByLabelText("Template name"), { target: { value: "n".repeat(96) } });
    fireEvent.change(screen.getByLabelText("Name pattern"), { target: { value: "{template}{template} {n}" } });
    fireEvent.click(screen.getByRole("button", { name: "Save template" }));
    expect(await screen.findByText(/^NamePattern gives names of up to 202 characters/)).toBeTruthy();
    expect(sent).not.toHaveBeenCalled();
  });

  test("saves the batch's name, the pattern and its trades, then closes", async () => {
    const sent = vi.fn();
    const onClose = renderDialog([
      saveMock(
        { batchId: BATCH.id, name: "Weekly", namePattern: "Weekly {date}", includeRows: true },
        { data: { saveBatchTemplate: TEMPLATE } },
        sent,
      ),
    ]);
    expect((screen.getByLabelText("Template name") as HTMLInputElement).value).toBe("Friday");
    fireEvent.change(screen.getByLabelText("Template name"), { target: { value: " Weekly " } });
    fireEvent.change(screen.getByLabelText("Name pattern"), { target: { value: "Weekly {date}" } });
    expect((screen.getByRole("checkbox", { name: /Include the trades \(12\)/ }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Save template" }));
    await waitFor(() => expect(onClose).toHaveBeenCalled());
    expect(sent).toHaveBeenCalledTimes(1);
  });

  test("shows a name already used, as the API words it, at the name field; settings only without the trades", async () => {
    const refusal = new GraphQLError(
      'input.name: a template named "Friday" already exists; template names are unique, whatever their case',
      {
        extensions: { code: "BAD_USER_INPUT", argument: "input.name" },
      },
    );
    const onClose = renderDialog([
      saveMock({ batchId: BATCH.id, name: "Friday", namePattern: null, includeRows: false }, { errors: [refusal] }),
    ]);
    fireEvent.click(screen.getByRole("checkbox", { name: /Include the trades/ }));
    fireEvent.click(screen.getByRole("button", { name: "Save template" }));
    expect(await screen.findByText(/^Input\.name: a template named "Friday" already exists/)).toBeTruthy();
    expect(screen.getByLabelText("Template name").getAttribute("aria-invalid")).toBe("true");
    expect(onClose).not.toHaveBeenCalled();
  });
});
