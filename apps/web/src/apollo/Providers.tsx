"use client";

import type { ApolloClient } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { createContext, type ReactNode, useContext, useState, useSyncExternalStore } from "react";
import { BatchFeedProvider } from "../components/live/BatchFeed";
import { ToastProvider } from "../components/toasts/ToastProvider";
import { type ConnectionState, ConnectionStore, SERVER_CONNECTION_STATE } from "./connection-store";
import { makeBrowserClient, makeServerClient } from "./make-client";

interface ApiSettings {
  apiUrl: string;
  /** Origin of the API, for links it serves itself (CSV exports). */
  apiOrigin: string;
}

const ApiSettingsContext = createContext<ApiSettings>({ apiUrl: "", apiOrigin: "" });
const ConnectionStoreContext = createContext<ConnectionStore | null>(null);

// One client per browser tab: it owns the socket, and Strict Mode's double render must not open a second one.
let browserClient: { apiUrl: string; client: ApolloClient; store: ConnectionStore } | undefined;

function getClient(apiUrl: string): { client: ApolloClient; store: ConnectionStore } {
  if (typeof window === "undefined") return { client: makeServerClient(), store: new ConnectionStore() };
  if (!browserClient || browserClient.apiUrl !== apiUrl) {
    const store = new ConnectionStore();
    browserClient = { apiUrl, store, client: makeBrowserClient(apiUrl, store) };
  }
  return browserClient;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "";
  }
}

export function Providers({ apiUrl, children }: { apiUrl: string; children: ReactNode }) {
  const [{ client, store }] = useState(() => getClient(apiUrl));
  const [settings] = useState<ApiSettings>(() => ({ apiUrl, apiOrigin: originOf(apiUrl) }));
  return (
    <ApiSettingsContext value={settings}>
      <ConnectionStoreContext value={store}>
        <ApolloProvider client={client}>
          <ToastProvider>
            <BatchFeedProvider>{children}</BatchFeedProvider>
          </ToastProvider>
        </ApolloProvider>
      </ConnectionStoreContext>
    </ApiSettingsContext>
  );
}

export function useApiSettings(): ApiSettings {
  return useContext(ApiSettingsContext);
}

export function useConnectionState(): ConnectionState {
  const store = useContext(ConnectionStoreContext);
  return useSyncExternalStore(store?.subscribe ?? noopSubscribe, store?.getSnapshot ?? serverSnapshot, serverSnapshot);
}

const noopSubscribe = () => () => undefined;
const serverSnapshot = () => SERVER_CONNECTION_STATE;
