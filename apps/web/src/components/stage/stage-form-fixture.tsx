import { ApolloClient, ApolloLink, InMemoryCache } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { Observable, type Subscriber } from "rxjs";
import type { TemplateFieldsFragment } from "../../gql/graphql";
import { batchFields } from "../../test/batch-fields";
import { StageBatchForm } from "./StageBatchForm";

/**
 * The New batch form's tests: the form over an Apollo link that answers every read at once (the
 * earlier batch of a duplicate, the caller's templates) and holds each staging it sends until the
 * test answers it, so a test sees what was sent, in order, and answers as the API would.
 */

export interface StageInput {
  templateId?: string;
  csv: string | null;
  name: string | null;
  priority: number;
  allowDuplicate: boolean;
  idempotencyKey: string;
}

/** One staging the form sent: stageBatch or stageBatchFromTemplate. */
export interface Sent {
  operation: string;
  input: StageInput;
  answer(result: { data?: unknown; errors?: unknown[] } | Error): void;
}

export const BATCH = batchFields({ id: "6f1c0a4e-0000-4000-8000-000000000009", batchUid: "B-20261121-0009", totalTrades: 1 });

/** The payload field each staging answers under. */
export type StagingField = "stageBatch" | "stageBatchFromTemplate";

export const staged = (field: StagingField = "stageBatch") => ({
  [field]: { __typename: "StageBatchPayload", batch: BATCH, errors: [] },
});

export const refused = (errors: { row: number | null; field: string | null; message: string }[], field: StagingField = "stageBatch") => ({
  [field]: { __typename: "StageBatchPayload", batch: null, errors: errors.map((error) => ({ __typename: "RowError", ...error })) },
});

const template = (fields: Partial<TemplateFieldsFragment> & Pick<TemplateFieldsFragment, "id" | "name">): TemplateFieldsFragment => ({
  __typename: "BatchTemplate",
  namePattern: null,
  priority: 0,
  hasRows: false,
  rowCount: 0,
  sourceBatchUid: "B-20261120-0001",
  createdBy: "trader@example.test",
  createdAt: "2026-11-20T09:00:00.000Z",
  stagedCount: 0,
  lastStagedAt: null,
  ...fields,
});

export const TEMPLATE_WITH_ROWS = template({
  id: "6f1c0a4e-0000-4000-8000-0000000000b1",
  name: "Weekly ZAR",
  namePattern: "Weekly {date} #{n}",
  priority: 9,
  hasRows: true,
  rowCount: 2,
  stagedCount: 2,
});

export const TEMPLATE_WITHOUT_ROWS = template({ id: "6f1c0a4e-0000-4000-8000-0000000000b2", name: "Payroll", priority: -5 });

function connectionOf(templates: readonly TemplateFieldsFragment[]) {
  return {
    batchTemplates: {
      __typename: "BatchTemplateConnection",
      totalCount: templates.length,
      pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
      edges: templates.map((node) => ({ __typename: "BatchTemplateEdge", node })),
    },
  };
}

/** Renders the form with these templates the caller's; returns what it sent and how to drive it. */
export function renderStageForm(templates: readonly TemplateFieldsFragment[] = []) {
  const sent: Sent[] = [];
  const searches: (string | null)[] = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable((subscriber: Subscriber<ApolloLink.Result>) => {
        const reply = (data: unknown) => {
          subscriber.next({ data } as ApolloLink.Result);
          subscriber.complete();
        };
        const { variables } = operation;
        if (operation.operationName === "BatchByUid") {
          const node = { __typename: "Batch", id: "earlier-id", batchUid: "B-20261121-0003" };
          reply({ batches: { __typename: "BatchConnection", edges: [{ __typename: "BatchEdge", node }] } });
        } else if (operation.operationName === "BatchTemplates") {
          const search = (variables.search as string | null) ?? null;
          searches.push(search);
          reply(connectionOf(templates.filter((one) => !search || one.name.toLowerCase().includes(search.toLowerCase()))));
        } else if (operation.operationName === "BatchTemplate") {
          reply({ batchTemplate: templates.find((one) => one.id === variables.id) ?? null });
        } else {
          sent.push({
            operation: operation.operationName ?? "",
            input: variables.input as StageInput,
            answer(result) {
              if (result instanceof Error) subscriber.error(result);
              else {
                subscriber.next(result as ApolloLink.Result);
                subscriber.complete();
              }
            },
          });
        }
      }),
  );
  const client = new ApolloClient({ cache: new InMemoryCache(), link });
  render(
    <ApolloProvider client={client}>
      <StageBatchForm />
    </ApolloProvider>,
  );
  return {
    sent,
    searches,
    choose(name: string, text: string) {
      fireEvent.change(screen.getByLabelText("CSV file"), { target: { files: [new File([text], name, { type: "text/csv" })] } });
    },
    submit() {
      fireEvent.submit(screen.getByRole("button", { name: "Stage batch" }).closest("form") as HTMLFormElement);
    },
    async answerLast(result: Parameters<Sent["answer"]>[0]) {
      await act(async () => sent.at(-1)?.answer(result));
    },
  };
}
