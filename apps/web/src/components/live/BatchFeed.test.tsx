// @vitest-environment jsdom
import { ApolloClient, ApolloLink, type FetchResult, InMemoryCache } from "@apollo/client";
import { ApolloProvider, useQuery } from "@apollo/client/react";
import { act, cleanup, render } from "@testing-library/react";
import { parse } from "graphql";
import { Observable, type Subscriber } from "rxjs";
import { afterEach, describe, expect, test, vi } from "vitest";
import { batchFields } from "../../test/batch-fields";
import { ToastProvider } from "../toasts/ToastProvider";
import { type BatchFeedEvent, BatchFeedProvider, useBatchFeed } from "./BatchFeed";

afterEach(cleanup);

// Parsed rather than tagged: a page's query the feed knows nothing of.
const LIST = parse("query BatchesPage { batches { totalCount } }");

/**
 * A link that answers every query at once (counting them) and keeps each subscription open for
 * the test to drive, as the API would over the socket.
 */
function drivenLink() {
  const reads: string[] = [];
  const feeds: Subscriber<FetchResult>[] = [];
  const link = new ApolloLink(
    (operation) =>
      new Observable<FetchResult>((observer) => {
        if (operation.operationName === "BatchFeed") {
          feeds.push(observer);
          return;
        }
        reads.push(operation.operationName ?? "");
        observer.next({ data: { batches: { __typename: "BatchConnection", totalCount: reads.length } } });
        observer.complete();
      }),
  );
  return { link, reads, feeds };
}

function Page({ heard }: { heard: BatchFeedEvent[] }) {
  useQuery(LIST);
  useBatchFeed((event) => heard.push(event));
  return null;
}

async function renderFeed() {
  const driven = drivenLink();
  const client = new ApolloClient({ cache: new InMemoryCache(), link: driven.link });
  const heard: BatchFeedEvent[] = [];
  render(
    <ApolloProvider client={client}>
      <ToastProvider>
        <BatchFeedProvider>
          <Page heard={heard} />
        </BatchFeedProvider>
      </ToastProvider>
    </ApolloProvider>,
  );
  await act(() => vi.advanceTimersByTimeAsync(50));
  /** The API's next event on the feed's current subscription. */
  const send = async (event: { kind: string; batch: unknown }) => {
    await act(async () => {
      driven.feeds.at(-1)!.next({ data: { batchFeed: { __typename: "BatchFeedEvent", ...event } } });
      await vi.advanceTimersByTimeAsync(50);
    });
  };
  return { ...driven, heard, send };
}

describe("the batch feed", () => {
  test("the pages read again what they show when the API says the feed is listening, not before", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { reads, feeds, heard, send } = await renderFeed();
      expect(feeds).toHaveLength(1);
      // The page's own read only: the subscription is sent, but the API may not have set it up yet.
      expect(reads).toEqual(["BatchesPage"]);

      await send({ kind: "LISTENING", batch: null });
      expect(reads).toEqual(["BatchesPage", "BatchesPage"]);
      // LISTENING is no change of a batch: the pages' listeners do not hear it.
      expect(heard).toEqual([]);

      const batch = batchFields({ status: "RUNNING" });
      await send({ kind: "CHANGED", batch });
      expect(heard.map((event) => [event.kind, event.batch.id])).toEqual([["CHANGED", batch.id]]);
      expect(reads).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  test("after a dropped socket the same subscription says LISTENING again (graphql-ws subscribed anew): the pages read again", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { reads, feeds, send } = await renderFeed();
      await send({ kind: "LISTENING", batch: null });
      await send({ kind: "CHANGED", batch: batchFields({ status: "RUNNING" }) });
      expect(reads).toHaveLength(2);

      // The socket dropped and came back: graphql-ws sent the subscribe message again on the new
      // one, and Apollo's subscription never ended, so this LISTENING is the only sign of it.
      await send({ kind: "LISTENING", batch: null });
      expect(feeds).toHaveLength(1);
      expect(reads).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });

  test("a feed that ended is subscribed again, and the pages read again on its new LISTENING", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      const { reads, feeds, send } = await renderFeed();
      await send({ kind: "LISTENING", batch: null });
      expect(reads).toHaveLength(2);

      await act(async () => {
        feeds[0]!.error(new Error("the socket closed"));
        await vi.advanceTimersByTimeAsync(50);
      });
      expect(feeds).toHaveLength(1);
      await act(() => vi.advanceTimersByTimeAsync(3_500));
      expect(feeds).toHaveLength(2);
      // Subscribed again, not yet listening: nothing read yet.
      expect(reads).toHaveLength(2);
      await send({ kind: "LISTENING", batch: null });
      expect(reads).toHaveLength(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
