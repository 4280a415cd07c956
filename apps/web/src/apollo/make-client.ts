import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors, CombinedProtocolErrors } from "@apollo/client/errors";
import { OperationTypeNode } from "graphql";
import { EMPTY, tap } from "rxjs";
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

/**
 * Queries a resuming subscription keeps current across a dropped connection (live-socket.ts
 * resumable): a batch's own fields (batchProgress), and the pages of its trades in row order,
 * whose rows tradeStatusChanged updates and whose membership no change can alter. A page filtered
 * by status can gain or lose rows: it is read again.
 */
export function keptCurrentByResume(query: { queryName?: string; variables?: Record<string, unknown> }): boolean {
  if (query.queryName === "BatchDetail") return true;
  return query.queryName === "BatchTrades" && !query.variables?.status;
}

export interface BrowserClient {
  client: ApolloClient;
  /** Started by the session gate once someone is signed in, stopped when they leave. */
  socket: LiveSocket;
}

export function makeBrowserClient(apiUrl: string, store: ConnectionStore, signals: SessionSignals): BrowserClient {
  const http = ApolloLink.from([
    httpHealthLink(store),
    sessionEndLink(signals),
    // The session cookie lives on the API's origin (another port): the browser sends it only when asked.
    new HttpLink({ uri: apiUrl, credentials: "include" }),
  ]);
  // Declared before the socket so the reconnect handler can reach the client it belongs to.
  let client: ApolloClient | undefined;
  const socket = new LiveSocket(toWebSocketUrl(apiUrl), store, {
    onReconnected: () => {
      // What a resuming subscription keeps current is not read again: it delivers what was missed.
      void client?.refetchQueries({ include: "active", onQueryUpdated: (query) => !keptCurrentByResume(query) }).catch(() => undefined);
    },
    onSessionRefused: () => signals.ended("socket"),
  });
  client = new ApolloClient({
    cache: makeCache(),
    link: ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, socket.link, http),
  });
  return { client, socket };
}
