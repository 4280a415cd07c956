// @vitest-environment jsdom
import { ApolloClient, ApolloLink, InMemoryCache } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { Observable, type Subscriber } from "rxjs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { batchFields } from "../../test/batch-fields";
import { NewTradeForm } from "./NewTradeForm";

/** Every mutation the form sent (createTrade, startBatch), each answered when the test says. */
interface Sent {
  operation: string;
  variables: Record<string, unknown>;
  answer(result: { data?: unknown; errors?: unknown[] } | Error): void;
}

const STAGED = batchFields({ id: "6f1c0a4e-0000-4000-8000-000000000001", batchUid: "B-20261121-0001", name: "Friday", totalTrades: 6 });
const QUEUED = batchFields({
  id: "6f1c0a4e-0000-4000-8000-000000000002",
  batchUid: "B-20261121-0002",
  queuedAt: "2026-11-21T09:01:00.000Z",
});
const APPROVED = batchFields({
  id: "6f1c0a4e-0000-4000-8000-000000000003",
  batchUid: "B-20261121-0003",
  approvalRequired: true,
  approvedAt: "2026-11-21T09:01:00.000Z",
  approvedBy: "checker@example.test",
});
const ALONE = batchFields({ id: "6f1c0a4e-0000-4000-8000-000000000004", batchUid: "B-20261121-0004", totalTrades: 1 });

let sent: Sent[];
let client: ApolloClient;

beforeEach(() => {
  sent = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable((subscriber: Subscriber<ApolloLink.Result>) => {
        if (operation.operationName === "PendingBatches") {
          const edges = [STAGED, QUEUED, APPROVED].map((node) => ({ __typename: "BatchEdge", node }));
          subscriber.next({ data: { batches: { __typename: "BatchConnection", edges } } });
          subscriber.complete();
          return;
        }
        sent.push({
          operation: operation.operationName ?? "",
          variables: operation.variables,
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

function renderForm(initialBatchId: string | null = null) {
  render(
    <ApolloProvider client={client}>
      <NewTradeForm initialBatchId={initialBatchId} />
    </ApolloProvider>,
  );
}

const field = (label: RegExp) => screen.getByLabelText(label) as HTMLInputElement;
const type = (label: RegExp, value: string) => fireEvent.change(field(label), { target: { value } });
const submit = () => fireEvent.submit(screen.getByRole("heading", { name: "Trade" }).closest("form") as HTMLFormElement);
const creates = () => sent.filter((request) => request.operation === "CreateTrade");
const answerLast = async (result: Parameters<Sent["answer"]>[0]) => {
  await act(async () => creates().at(-1)?.answer(result));
};
const created = (batch: BatchFieldsFragment, confirmationReason: string | null = null) => ({
  data: {
    createTrade: {
      __typename: "CreateTradePayload",
      trade: {
        __typename: "Trade",
        id: "trade-1",
        batch: {
          ...batch,
          preview: { __typename: "BatchPreview", confirmationRequired: confirmationReason !== null, confirmationReason },
        },
      },
      errors: [],
    },
  },
});
const refused = (errors: { field: string | null; message: string }[]) => ({
  data: {
    createTrade: {
      __typename: "CreateTradePayload",
      trade: null,
      errors: errors.map((error) => ({ __typename: "RowError", row: null, ...error })),
    },
  },
});

function fillValidTrade() {
  type(/^Client ID/, "C-1");
  type(/^Account number/, "1234567890");
  type(/^Sell currency/, "zar");
  type(/^Buy currency/, "usd");
  type(/^Amount/, "1500.50");
}

describe("NewTradeForm's batch selector", () => {
  test("offers a new one-trade batch by default and only the staged batches that take trades", async () => {
    renderForm();
    const select = screen.getByLabelText("Batch") as HTMLSelectElement;
    await waitFor(() => expect(select.options).toHaveLength(2));
    expect([...select.options].map((option) => option.textContent)).toEqual(["New one-trade batch", "B-20261121-0001 — Friday (6 trades)"]);
    expect(select.value).toBe("");
    expect(screen.getByRole("button", { name: "Create trade" })).toBeTruthy();
  });

  test("preselects the batch named in the address, and says so when it takes no more trades", async () => {
    renderForm(STAGED.id);
    await waitFor(() => expect((screen.getByLabelText("Batch") as HTMLSelectElement).value).toBe(STAGED.id));
    expect(screen.getByRole("button", { name: "Add trade to batch" })).toBeTruthy();
    cleanup();
    client.cache.writeQuery({
      query: (await import("../../graphql/batch")).BatchDetailQuery,
      variables: { id: QUEUED.id },
      data: { batch: QUEUED },
    });
    renderForm(QUEUED.id);
    expect(await screen.findByText(/Batch B-20261121-0002 takes no more trades \(the batch is already started/)).toBeTruthy();
  });
});

describe("NewTradeForm sends the trade and shows the API's answer", () => {
  test("sends every field (currencies upper-cased as typed) under one idempotency key for a double submit", async () => {
    renderForm();
    fillValidTrade();
    submit();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(2));
    const [first, second] = creates();
    expect(first!.variables.input).toMatchObject({
      clientId: "C-1",
      clientName: "",
      accountNumber: "1234567890",
      sellCurrency: "ZAR",
      buyCurrency: "USD",
      direction: "BUY",
      amount: "1500.50",
      valueDate: "",
      reference: "",
      batchId: null,
      allowDuplicate: false,
    });
    expect((first!.variables.input as { idempotencyKey: string }).idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect((second!.variables.input as { idempotencyKey: string }).idempotencyKey).toBe(
      (first!.variables.input as { idempotencyKey: string }).idempotencyKey,
    );
  });

  test("shows each field's problem at the field (aria-invalid, aria-describedby), focuses the first, and clears it on edit", async () => {
    renderForm();
    fillValidTrade();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(1));
    await answerLast(
      refused([
        { field: "accountNumber", message: 'account_number must be 6 to 20 digits (0-9 only, no spaces or dashes), got "12"' },
        { field: "amount", message: "amount must be greater than 0" },
      ]),
    );
    const account = field(/^Account number/);
    await waitFor(() => expect(account.getAttribute("aria-invalid")).toBe("true"));
    const hint = document.getElementById(account.getAttribute("aria-describedby")!);
    expect(hint?.textContent).toBe('Account_number must be 6 to 20 digits (0-9 only, no spaces or dashes), got "12".');
    expect(field(/^Amount/).getAttribute("aria-invalid")).toBe("true");
    expect(field(/^Client ID/).getAttribute("aria-invalid")).toBeNull();
    expect(document.activeElement).toBe(account);
    expect(screen.getByRole("alert").textContent).toContain("2 fields need fixing. Nothing was saved.");

    type(/^Account number/, "1234567891");
    expect(account.getAttribute("aria-invalid")).toBeNull();
    expect(hint?.textContent).toContain("6 to 20 digits");
    expect(field(/^Amount/).getAttribute("aria-invalid")).toBe("true");
  });

  test("a trade alone: links to its new batch and starts it", async () => {
    renderForm();
    fillValidTrade();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(1));
    await answerLast(created(ALONE));
    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("The trade is in a batch of its own, B-20261121-0004");
    expect(within(status).getByRole("link", { name: "B-20261121-0004" }).getAttribute("href")).toBe(`/batches/${ALONE.id}`);

    fireEvent.click(screen.getByRole("button", { name: "Start B-20261121-0004" }));
    await waitFor(() => expect(sent.filter((request) => request.operation === "StartBatch")).toHaveLength(1));
    expect(sent.at(-1)!.variables).toEqual({ id: ALONE.id });
    await act(async () => sent.at(-1)!.answer({ data: { startBatch: { ...ALONE, queuedAt: "2026-11-21T09:02:00.000Z" } } }));
    await screen.findByText(/started: it runs as soon as the runner takes it/);
    expect(screen.queryByRole("button", { name: /^Start/ })).toBeNull();
  });

  test("a one-trade batch whose Start must be confirmed is started from its page, not from here", async () => {
    renderForm();
    fillValidTrade();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(1));
    await answerLast(created(ALONE, "an amount of 5000000.00 USD reaches 1000000"));
    await screen.findByRole("status");
    expect(screen.queryByRole("button", { name: /^Start/ })).toBeNull();
    expect(screen.getByText(/Start asks for its batchUid to be typed there \(an amount of 5000000.00 USD reaches 1000000\)/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Open batch B-20261121-0004" }).getAttribute("href")).toBe(`/batches/${ALONE.id}`);
  });

  test("a trade into a staged batch: names the batch, offers no Start, and Enter another trade empties the form", async () => {
    renderForm(STAGED.id);
    await waitFor(() => expect((screen.getByLabelText("Batch") as HTMLSelectElement).value).toBe(STAGED.id));
    fillValidTrade();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(1));
    expect(creates()[0]!.variables.input).toMatchObject({ batchId: STAGED.id });
    await answerLast(created({ ...STAGED, totalTrades: 7 }));
    expect((await screen.findByRole("status")).textContent).toContain("The trade was added to batch B-20261121-0001, which holds 7 trades");
    expect(screen.queryByRole("button", { name: /^Start/ })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Enter another trade" }));
    expect(field(/^Client ID/).value).toBe("");
  });

  test("a refusal by the batch's state is shown with its code, and nothing is claimed saved", async () => {
    renderForm();
    fillValidTrade();
    submit();
    await waitFor(() => expect(creates()).toHaveLength(1));
    await answerLast({
      errors: [{ message: "batch B-20261121-0001: the batch is being cancelled", extensions: { code: "BAD_BATCH_STATE" } }],
    });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The trade could not be created.");
    expect(alert.textContent).toContain("BAD_BATCH_STATE");
    expect(alert.textContent).toContain("the batch is being cancelled");
  });
});
