"use client";

import type { ApolloClient } from "@apollo/client";
import { ApolloProvider } from "@apollo/client/react";
import { createContext, type ReactNode, useContext, useState, useSyncExternalStore } from "react";
import { SessionProvider } from "../components/session/SessionProvider";
import { ToastProvider } from "../components/toasts/ToastProvider";
import { type ConnectionState, ConnectionStore, SERVER_CONNECTION_STATE } from "./connection-store";
import type { LiveSocket } from "./live-socket";
import { makeBrowserClient, makeServerClient } from "./make-client";
import { SessionSignals } from "./session-signals";

interface ApiSettings {
  apiUrl: string;
  /** Origin of the API, for links it serves itself (CSV exports). */
  apiOrigin: string;
}

const ApiSettingsContext = createContext<ApiSettings>({ apiUrl: "", apiOrigin: "" });
const ConnectionStoreContext = createContext<ConnectionStore | null>(null);

interface TabClient {
  client: ApolloClient;
  store: ConnectionStore;
  signals: SessionSignals;
  /** Null on the server, which opens no socket. */
  socket: LiveSocket | null;
}

// One client per browser tab: it owns the socket, and Strict Mode's double render must not open a second one.
let browserClient: (TabClient & { apiUrl: string }) | undefined;

function getClient(apiUrl: string): TabClient {
  if (typeof window === "undefined") {
    return { client: makeServerClient(), store: new ConnectionStore(), signals: new SessionSignals(), socket: null };
  }
  if (!browserClient || browserClient.apiUrl !== apiUrl) {
    browserClient?.socket?.stop();
    const store = new ConnectionStore();
    const signals = new SessionSignals();
    browserClient = { apiUrl, store, signals, ...makeBrowserClient(apiUrl, store, signals) };
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
  const [{ client, store, signals, socket }] = useState(() => getClient(apiUrl));
  const [settings] = useState<ApiSettings>(() => ({ apiUrl, apiOrigin: originOf(apiUrl) }));
  return (
    <ApiSettingsContext value={settings}>
      <ConnectionStoreContext value={store}>
        <ApolloProvider client={client}>
          <ToastProvider>
            <SessionProvider socket={socket} signals={signals}>
              {children}
            </SessionProvider>
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
