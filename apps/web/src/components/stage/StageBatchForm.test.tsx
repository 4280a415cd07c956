// @vitest-environment jsdom
import { ApolloClient, ApolloLink, InMemoryCache } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { duplicateFileMessage } from "@fxbt/domain";
import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { Observable, type Subscriber } from "rxjs";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { StageBatchForm } from "./StageBatchForm";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push }) }));

interface StageInput {
  csv: string;
  name: string | null;
  priority: number;
  allowDuplicate: boolean;
  idempotencyKey: string;
}

/** Every stageBatch request the form sent, each answered when the test says. */
interface Sent {
  input: StageInput;
  answer(result: { data?: unknown; errors?: unknown[] } | Error): void;
}

const BATCH = {
  __typename: "Batch",
  id: "6f1c0a4e-0000-4000-8000-000000000009",
  batchUid: "B-20261121-0009",
  name: null,
  status: "PENDING",
  priority: 0,
  totalTrades: 1,
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
  resultsCsvPath: "/export/batches/6f1c0a4e-0000-4000-8000-000000000009/trades.csv",
  bankUnavailableSince: null,
  partner: null,
  stagedBy: "ops@example.test",
  stagedById: "6f1c0a4e-0000-4000-8000-0000000000aa",
  approvalRequired: false,
  approvedBy: null,
  approvedAt: null,
};

const staged = { stageBatch: { __typename: "StageBatchPayload", batch: BATCH, errors: [] } };
const refused = (message: string) => ({
  stageBatch: { __typename: "StageBatchPayload", batch: null, errors: [{ __typename: "RowError", row: null, field: null, message }] },
});

let sent: Sent[];
let client: ApolloClient;

beforeEach(() => {
  sent = [];
  push.mockReset();
  const link = new ApolloLink(
    (operation) =>
      new Observable((subscriber: Subscriber<ApolloLink.Result>) => {
        if (operation.operationName === "BatchByUid") {
          subscriber.next({
            data: {
              batches: {
                __typename: "BatchConnection",
                edges: [{ __typename: "BatchEdge", node: { __typename: "Batch", id: "earlier-id", batchUid: "B-20261121-0003" } }],
              },
            },
          });
          subscriber.complete();
          return;
        }
        sent.push({
          input: operation.variables.input as StageInput,
          answer(result) {
            if (result instanceof Error) subscriber.error(result);
            else {
              subscriber.next(result as ApolloLink.Result);
              subscriber.complete();
            }
          },
        });
      }),
  );
  client = new ApolloClient({ cache: new InMemoryCache(), link });
});

afterEach(cleanup);

function renderForm() {
  render(
    <ApolloProvider client={client}>
      <StageBatchForm />
    </ApolloProvider>,
  );
  return {
    choose(name: string, text: string) {
      fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [new File([text], name, { type: "text/csv" })] } });
    },
    submit() {
      fireEvent.submit(screen.getByRole("button", { name: "Stage batch" }).closest("form") as HTMLFormElement);
    },
  };
}

const answerLast = async (result: Parameters<Sent["answer"]>[0]) => {
  await act(async () => sent.at(-1)?.answer(result));
};

describe("StageBatchForm sends every upload under an idempotency key", () => {
  test("a double submit sends one key; an answered submission makes the next one new", async () => {
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    form.submit();
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[0]?.input.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.input.idempotencyKey).toBe(sent[0]?.input.idempotencyKey);
    expect(sent[0]?.input).toMatchObject({ csv: "a,b\n", allowDuplicate: false });

    await act(async () => {
      for (const request of sent) request.answer({ data: refused("row 1: amount must be positive") });
    });
    await screen.findByRole("table", { name: "Row errors" });
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent[2]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
  });

  test("a retry after a lost answer goes under the same key; another file under a new one", async () => {
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    await answerLast(new TypeError("Failed to fetch"));
    await screen.findByText(/Staging again is safe/);

    form.submit();
    await waitFor(() => expect(sent).toHaveLength(2));
    expect(sent[1]?.input.idempotencyKey).toBe(sent[0]?.input.idempotencyKey);
    await answerLast(new TypeError("Failed to fetch"));
    await screen.findByText(/Staging again is safe/);

    form.choose("other.csv", "c,d\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(3));
    expect(sent[2]?.input.idempotencyKey).not.toBe(sent[0]?.input.idempotencyKey);
    await answerLast({ data: staged });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });

  test("a duplicate file names the earlier batch, links to it, and Stage anyway stages it under a new key", async () => {
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    await answerLast({
      data: refused(duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T08:00:00.000Z") })),
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
    await answerLast({ data: staged });
    await waitFor(() => expect(push).toHaveBeenCalledWith(`/batches/${BATCH.id}`));
  });
});

describe("StageBatchForm shows the priority's range, and a priority out of it at the field", () => {
  const priorityField = () => screen.getByLabelText("Priority") as HTMLInputElement;
  const hint = () => document.getElementById("priority-hint")?.textContent ?? "";
  const setPriority = (value: string) => fireEvent.change(priorityField(), { target: { value } });

  test("the range is shown, and the field carries it", () => {
    renderForm();
    expect(hint()).toContain("A whole number from -1000 to 1000, 0 by default.");
    expect(priorityField().min).toBe("-1000");
    expect(priorityField().max).toBe("1000");
    expect(priorityField().getAttribute("aria-invalid")).toBeNull();
  });

  test("a value beyond the range or not whole is named at the field, and nothing is sent", async () => {
    const form = renderForm();
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
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    setPriority("");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]?.input.priority).toBe(0);
  });

  test("the API's priority error is shown at the field, not as a file problem; a new value clears it", async () => {
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    setPriority("7");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    const message = "priority must be a whole number from -1000 to 1000, got 7";
    await answerLast({
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
    const form = renderForm();
    form.choose("trades.csv", "a,b\n");
    form.submit();
    await waitFor(() => expect(sent).toHaveLength(1));
    const message = "priority must be a whole number from -1000 to 1000, got 0";
    await answerLast({ errors: [{ message, extensions: { code: "BAD_USER_INPUT", field: "priority" } }] });
    await waitFor(() => expect(hint()).toBe(`${message.replace(/^p/, "P")}.`));
    expect(screen.queryByRole("alert")).toBeNull();
  });
});
