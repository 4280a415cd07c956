/**
 * What the dashboard knows about its link to the API, shared by the Apollo links (which
 * write it) and the banner (which reads it through useSyncExternalStore).
 */
export interface ConnectionState {
  /**
   * The graphql-ws socket that carries every live update; "off" while nobody is signed in (the
   * API refuses a socket without a session, so none is opened).
   */
  socket: "off" | "connecting" | "connected" | "disconnected";
  /** The last HTTP query or mutation failed to reach the API (a network error, not a GraphQL error). */
  httpFailed: boolean;
}

type Listener = () => void;

export class ConnectionStore {
  private state: ConnectionState = { socket: "off", httpFailed: false };
  private readonly listeners = new Set<Listener>();

  getSnapshot = (): ConnectionState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  update(patch: Partial<ConnectionState>): void {
    const next = { ...this.state, ...patch };
    if (next.socket === this.state.socket && next.httpFailed === this.state.httpFailed) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }
}

export const SERVER_CONNECTION_STATE: ConnectionState = { socket: "off", httpFailed: false };

export function isConnectionLost(state: ConnectionState): boolean {
  return state.socket === "disconnected" || state.httpFailed;
}
