import { type ApolloCache, ApolloClient, ApolloLink, HttpLink, InMemoryCache, type ObservableQuery } from "@apollo/client";
import { CombinedGraphQLErrors, CombinedProtocolErrors } from "@apollo/client/errors";
import { isNetworkRequestInFlight } from "@apollo/client/utilities";
import { OperationTypeNode } from "graphql";
import { EMPTY, filter, firstValueFrom, map, tap } from "rxjs";
import type { BatchStatus } from "../gql/graphql";
import { isFinalBatchStatus } from "../lib/batch-status";
import { withNewerStates } from "./cache-writes";
import type { ConnectionStore } from "./connection-store";
import { LiveSocket, toWebSocketUrl } from "./live-socket";
import { type SessionSignals, SIGN_IN_OPERATIONS, saysUnauthenticated } from "./session-signals";

export { toWebSocketUrl };

function makeCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      // Results of one batch, shown only inside batchResults(id): stored under that field.
      BatchResults: { keyFields: false },
      CurrencyTotal: { keyFields: false },
      ErrorCount: { keyFields: false },
      // The signed-in person is kept by the session gate, not normalised: a second person
      // signing in on the same tab must never meet the first one's entry.
      Viewer: { keyFields: false },
    },
  });
}

/** Server-side prerender of client components: nothing is fetched there, the browser fetches. */
export function makeServerClient(): ApolloClient {
  return new ApolloClient({ ssrMode: true, cache: makeCache(), link: new ApolloLink(() => EMPTY) });
}

/** Marks the API unreachable when an HTTP request fails to get an answer, and reachable again when one succeeds. */
function httpHealthLink(store: ConnectionStore): ApolloLink {
  return new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      tap({
        next: () => store.update({ httpFailed: false }),
        error: (error: unknown) => {
          // A GraphQL error is an answer from the API (e.g. BAD_BATCH_STATE): the connection is fine.
          const answered = CombinedGraphQLErrors.is(error) || CombinedProtocolErrors.is(error);
          store.update({ httpFailed: !answered });
        },
      }),
    ),
  );
}

/** Tells the session gate when the API answers UNAUTHENTICATED: the session expired or was ended elsewhere. */
function sessionEndLink(signals: SessionSignals): ApolloLink {
  return new ApolloLink((operation, forward) => {
    if (operation.operationName && SIGN_IN_OPERATIONS.has(operation.operationName)) return forward(operation);
    return forward(operation).pipe(
      tap({
        next: (result) => {
          if (saysUnauthenticated(result)) signals.ended("http");
        },
        error: (error: unknown) => {
          if (CombinedGraphQLErrors.is(error) && saysUnauthenticated(error)) signals.ended("http");
        },
      }),
    );
  });
}

/** Answers never take a batch or a trade back to an older state than the live events already showed (cache-writes.ts). */
function newerStatesLink(cache: () => ApolloCache | undefined): ApolloLink {
  return new ApolloLink((operation, forward) =>
    forward(operation).pipe(
      map((result) => {
        const current = cache();
        return current && result.data ? { ...result, data: withNewerStates(current, result.data) } : result;
      }),
    ),
  );
}

/**
 * Queries a resuming subscription keeps current across a dropped connection (live-socket.ts
 * resumable): a batch's own fields (batchProgress) while the batch shown is not final, and the pages
 * of its trades in row order, whose rows tradeStatusChanged updates and whose membership no change
 * can alter. A page filtered by status can gain or lose rows: it is read again. So is a final batch:
 * its page has no batchProgress open (the server ends it at the final status), yet the batch still
 * changes after (a cancel's rows written, archiving), which only the feed brings, and the feed does
 * not resume.
 */
export function keptCurrentByResume(query: {
  queryName?: string;
  variables?: Record<string, unknown>;
  getCurrentResult?: () => { data?: unknown };
}): boolean {
  if (query.queryName === "BatchDetail") {
    const shown = (query.getCurrentResult?.().data as { batch?: { status?: string } | null } | undefined)?.batch;
    return !shown?.status || !isFinalBatchStatus(shown.status as BatchStatus);
  }
  return query.queryName === "BatchTrades" && !query.variables?.status;
}

/**
 * Reads again what the pages show, once the batch feed says it is listening (its LISTENING event:
 * the first time, after a dropped socket, after the feed restarted): a change made before the API
 * had it in place reaches no page otherwise, until something else changes it. The answers cannot
 * take a batch or a trade back to an older state than an event already brought (newerStatesLink).
 * What a resuming subscription keeps current is not read again: it delivers what was missed.
 */
export function readShownAgain(client: ApolloClient): void {
  void client
    .refetchQueries({
      include: "active",
      onQueryUpdated: (query) => (keptCurrentByResume(query) ? false : readAfterRequestInFlight(query)),
    })
    .catch(() => undefined);
}

/**
 * Refetches a query once the request it may have under way has answered. That request may have
 * been read before the subscriptions started, and a refetch now would join it (Apollo sends one
 * request for identical ones in flight) and get its answer.
 */
async function readAfterRequestInFlight(query: ObservableQuery): Promise<unknown> {
  if (isNetworkRequestInFlight(query.getCurrentResult().networkStatus)) {
    await firstValueFrom(query.pipe(filter((result) => !isNetworkRequestInFlight(result.networkStatus))));
  }
  return query.refetch();
}

export interface BrowserClient {
  client: ApolloClient;
  /** Started by the session gate once someone is signed in, stopped when they leave. */
  socket: LiveSocket;
}

export function makeBrowserClient(apiUrl: string, store: ConnectionStore, signals: SessionSignals): BrowserClient {
  // Declared before the links so the answers' guard can reach the client it belongs to.
  let client: ApolloClient | undefined;
  const http = ApolloLink.from([
    httpHealthLink(store),
    sessionEndLink(signals),
    newerStatesLink(() => client?.cache),
    // The session cookie lives on the API's origin (another port): the browser sends it only when asked.
    new HttpLink({ uri: apiUrl, credentials: "include" }),
  ]);
  const socket = new LiveSocket(toWebSocketUrl(apiUrl), store, { onSessionRefused: () => signals.ended("socket") });
  client = new ApolloClient({
    cache: makeCache(),
    link: ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, socket.link, http),
  });
  return { client, socket };
}
