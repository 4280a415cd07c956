import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors, CombinedProtocolErrors } from "@apollo/client/errors";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { OperationTypeNode } from "graphql";
import { createClient, type Client as WsClient } from "graphql-ws";
import { EMPTY, tap } from "rxjs";
import type { ConnectionStore } from "./connection-store";

/** http://host:4000/graphql → ws://host:4000/graphql (https → wss). */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//i, (_, secure: string) => `ws${secure}://`);
}

function makeCache(): InMemoryCache {
  return new InMemoryCache({
    typePolicies: {
      // Results of one batch, shown only inside batchResults(id): stored under that field.
      BatchResults: { keyFields: false },
      CurrencyTotal: { keyFields: false },
      ErrorCount: { keyFields: false },
    },
  });
}

/** Server-side prerender of client components: nothing is fetched there, the browser fetches. */
export function makeServerClient(): ApolloClient {
  return new ApolloClient({ ssrMode: true, cache: makeCache(), link: new ApolloLink(() => EMPTY) });
}

/** Randomised exponential backoff: 0.5 s, 1 s, 2 s … capped at 15 s. */
async function backoff(retries: number): Promise<void> {
  const base = Math.min(15_000, 500 * 2 ** retries);
  await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

function makeWsClient(url: string, store: ConnectionStore, onReconnected: () => void): WsClient {
  let activeSocket: WebSocket | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  return createClient({
    url,
    // Connect at once and stay connected: the banner must tell when the API is unreachable
    // even on a page that has no subscription of its own yet.
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: backoff,
    keepAlive: PING_INTERVAL_MS,
    onNonLazyError: () => store.update({ socket: "disconnected" }),
    on: {
      connecting: () => {
        if (store.getSnapshot().socket !== "disconnected") store.update({ socket: "connecting" });
      },
      connected: (socket, _payload, wasRetry) => {
        activeSocket = socket as WebSocket;
        store.update({ socket: "connected" });
        // Whatever happened while the socket was down was missed: read everything shown again.
        if (wasRetry) onReconnected();
      },
      closed: () => {
        activeSocket = null;
        clearTimeout(pongTimer);
        store.update({ socket: "disconnected" });
      },
      // A socket that stops answering pings is dead even if no close event came (sleeping laptop, dropped NAT).
      ping: (received) => {
        if (received) return;
        clearTimeout(pongTimer);
        pongTimer = setTimeout(() => {
          if (activeSocket?.readyState === WebSocket.OPEN) activeSocket.close(4408, "Request Timeout");
        }, PONG_TIMEOUT_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });
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

export function makeBrowserClient(apiUrl: string, store: ConnectionStore): ApolloClient {
  const http = ApolloLink.from([httpHealthLink(store), new HttpLink({ uri: apiUrl })]);
  // Declared before the ws client so the reconnect handler can reach the client it belongs to.
  let client: ApolloClient | undefined;
  const ws = new GraphQLWsLink(
    makeWsClient(toWebSocketUrl(apiUrl), store, () => {
      void client?.refetchQueries({ include: "active" }).catch(() => undefined);
    }),
  );
  client = new ApolloClient({
    cache: makeCache(),
    link: ApolloLink.split((op) => op.operationType === OperationTypeNode.SUBSCRIPTION, ws, http),
  });
  return client;
}
