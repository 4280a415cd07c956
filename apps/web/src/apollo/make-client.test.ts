import { ApolloClient, ApolloLink, type FetchResult, InMemoryCache } from "@apollo/client";
import { parse } from "graphql";
import { Observable, type Subscriber } from "rxjs";
import { describe, expect, test } from "vitest";
import { readShownAgain } from "./make-client";

/** A link whose requests the test answers, in the order it chooses. */
function heldLink() {
  const requests: { operationName: string | undefined; answer: Subscriber<FetchResult> }[] = [];
  const link = new ApolloLink(
    (operation) => new Observable<FetchResult>((answer) => void requests.push({ operationName: operation.operationName, answer })),
  );
  const answer = (index: number, data: Record<string, unknown>) => {
    requests[index]!.answer.next({ data });
    requests[index]!.answer.complete();
  };
  return { link, requests, answer };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

// Parsed rather than tagged: codegen types the app's own operations of these names.
const LIST = parse("query BatchesPage { batches { totalCount } }");
const DETAIL = parse("query BatchDetail { batch { status } }");

describe("readShownAgain", () => {
  test("a query whose request is still under way is asked again after that request answers, and shows the later answer", async () => {
    const { link, requests, answer } = heldLink();
    const client = new ApolloClient({ cache: new InMemoryCache(), link });
    const list = client.watchQuery({ query: LIST, fetchPolicy: "cache-and-network", nextFetchPolicy: "cache-first" });
    const shown: unknown[] = [];
    list.subscribe((result) => shown.push(result.data));
    await settle();
    expect(requests.map((request) => request.operationName)).toEqual(["BatchesPage"]);

    // The live subscriptions have just started; the list's request left before them.
    readShownAgain(client);
    await settle();
    // Joining that request would get an answer read before the subscriptions started.
    expect(requests).toHaveLength(1);
    answer(0, { batches: { __typename: "BatchConnection", totalCount: 1 } });
    await settle();
    expect(requests).toHaveLength(2);
    answer(1, { batches: { __typename: "BatchConnection", totalCount: 2 } });
    await settle();
    expect(shown.at(-1)).toEqual({ batches: { __typename: "BatchConnection", totalCount: 2 } });
  });

  test("what a resuming subscription keeps current is not read again", async () => {
    const { link, requests, answer } = heldLink();
    const client = new ApolloClient({ cache: new InMemoryCache(), link });
    client.watchQuery({ query: DETAIL }).subscribe(() => undefined);
    client.watchQuery({ query: LIST }).subscribe(() => undefined);
    await settle();
    answer(0, { batch: { __typename: "Batch", id: "b1", status: "RUNNING" } });
    answer(1, { batches: { __typename: "BatchConnection", totalCount: 1 } });
    await settle();
    readShownAgain(client);
    await settle();
    expect(requests.map((request) => request.operationName)).toEqual(["BatchDetail", "BatchesPage", "BatchesPage"]);
  });
});
