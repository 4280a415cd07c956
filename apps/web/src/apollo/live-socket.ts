import type { ApolloLink } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import type { FormattedExecutionResult } from "graphql";
import { type Client, CloseCode, createClient, type Sink, type SubscribePayload } from "graphql-ws";
import type { ConnectionStore } from "./connection-store";

/** http://host:4000/graphql → ws://host:4000/graphql (https → wss). */
export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//i, (_, secure: string) => `ws${secure}://`);
}

/**
 * The API's answers to a socket whose session it refuses, at connection_init or later:
 * 4401 no valid session (never signed in, expired, ended, user disabled), 4403 a one-time
 * password must be changed first. Trying again cannot help until the person signs in.
 */
export const SESSION_REFUSED_CODES: readonly number[] = [CloseCode.Unauthorized, CloseCode.Forbidden];

export function isSessionRefusal(event: unknown): event is { code: number } {
  return typeof event === "object" && event !== null && "code" in event && SESSION_REFUSED_CODES.includes((event as { code: number }).code);
}

/** Randomised exponential backoff: 0.5 s, 1 s, 2 s … capped at 15 s. */
async function backoff(retries: number): Promise<void> {
  const base = Math.min(15_000, 500 * 2 ** retries);
  await new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

/** WebSocket.OPEN, the same in every implementation (the global is not there outside browsers). */
const SOCKET_OPEN = 1;
const PING_INTERVAL_MS = 10_000;
const PONG_TIMEOUT_MS = 5_000;

export interface LiveSocketEvents {
  /** The API closed the socket with 4401/4403: the session is over (or needs a new password). */
  onSessionRefused(code: number): void;
}

/**
 * The graphql-ws connection, opened only while someone is signed in: the API closes a socket
 * without a valid session at once, so opening one on the sign-in page, or retrying after a
 * 4401, would only knock on a closed door. start() after sign-in, stop() at sign-out.
 * Network drops are retried forever with backoff, as before, and show in the banner.
 */
export class LiveSocket {
  private client: Client | null = null;
  /**
   * Marks the current client's events. Set before createClient, which (not lazy) already emits
   * "connecting" while it runs; a stopped client's late events no longer match and are ignored.
   */
  private current: object | null = null;
  readonly link: ApolloLink;

  constructor(
    private readonly url: string,
    private readonly store: ConnectionStore,
    private readonly events: LiveSocketEvents,
    /** The browser's WebSocket unless a test gives another. */
    private readonly webSocketImpl?: unknown,
  ) {
    // Apollo's link over a stand-in client that reaches whichever client is current.
    this.link = new GraphQLWsLink(this.delegate());
  }

  get running(): boolean {
    return this.client !== null;
  }

  start(): void {
    if (this.client) return;
    const token = {};
    this.current = token;
    this.store.update({ socket: "connecting" });
    this.client = this.open(token);
  }

  stop(): void {
    const client = this.client;
    this.client = null;
    this.current = null;
    this.store.update({ socket: "off" });
    // Its close events no longer reach the store: each handler checks that its token is current.
    void client?.dispose();
  }

  private open(token: object): Client {
    let activeSocket: WebSocket | null = null;
    let pongTimer: ReturnType<typeof setTimeout> | undefined;
    const isCurrent = () => this.current === token;
    return createClient({
      url: this.url,
      webSocketImpl: this.webSocketImpl,
      // Connect at once and stay connected: the banner must tell when the API is unreachable
      // even on a page that has no subscription of its own yet.
      lazy: false,
      retryAttempts: Infinity,
      shouldRetry: (event) => !isSessionRefusal(event),
      retryWait: backoff,
      keepAlive: PING_INTERVAL_MS,
      onNonLazyError: (error) => {
        if (isCurrent() && !isSessionRefusal(error)) this.store.update({ socket: "disconnected" });
      },
      on: {
        connecting: () => {
          if (isCurrent() && this.store.getSnapshot().socket !== "disconnected") this.store.update({ socket: "connecting" });
        },
        connected: (socket) => {
          if (!isCurrent()) return;
          activeSocket = socket as WebSocket;
          this.store.update({ socket: "connected" });
        },
        closed: (event) => {
          activeSocket = null;
          clearTimeout(pongTimer);
          if (!isCurrent()) return;
          if (isSessionRefusal(event)) {
            // Not a connection problem (no banner): the person must sign in again.
            this.stop();
            this.events.onSessionRefused(event.code);
            return;
          }
          this.store.update({ socket: "disconnected" });
        },
        // A socket that stops answering pings is dead even if no close event came (sleeping laptop, dropped NAT).
        ping: (received) => {
          if (received) return;
          clearTimeout(pongTimer);
          pongTimer = setTimeout(() => {
            if (activeSocket?.readyState === SOCKET_OPEN) activeSocket.close(4408, "Request Timeout");
          }, PONG_TIMEOUT_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongTimer);
        },
      },
    });
  }

  /**
   * What GraphQLWsLink calls: subscriptions go to the current client; with none (signed out)
   * they end at once with an error instead of opening a socket the API would refuse.
   */
  private delegate(): Client {
    const current = () => this.client;
    const notSignedIn = () => new Error("Live updates need a signed-in session");
    return {
      subscribe<Data, Extensions>(payload: SubscribePayload, sink: Sink<FormattedExecutionResult<Data, Extensions>>) {
        const client = current();
        if (client) return client.subscribe(...resumable(payload, sink));
        sink.error(notSignedIn());
        return () => undefined;
      },
      iterate(payload: SubscribePayload) {
        const client = current();
        if (!client) throw notSignedIn();
        return client.iterate(payload);
      },
      on(event, listener) {
        return current()?.on(event, listener) ?? (() => undefined);
      },
      terminate() {
        current()?.terminate();
      },
      dispose() {
        return current()?.dispose();
      },
    } as Client;
  }
}

/**
 * A subscription that declares `afterSequence` resumes where it stopped. graphql-ws sends the same
 * payload object again when it reconnects, so keeping the payload's `afterSequence` at the
 * `sequence` of the last event received makes the API deliver, after a drop, exactly what was
 * missed (each trade changed meanwhile, the batch's state if it changed) and nothing twice.
 * Other subscriptions pass through untouched.
 */
export function resumable<Data, Extensions>(
  payload: SubscribePayload,
  sink: Sink<FormattedExecutionResult<Data, Extensions>>,
): [SubscribePayload, Sink<FormattedExecutionResult<Data, Extensions>>] {
  if (!payload.variables || !("afterSequence" in payload.variables)) return [payload, sink];
  const resuming: SubscribePayload = { ...payload, variables: { ...payload.variables } };
  return [
    resuming,
    {
      ...sink,
      next(result) {
        const sequence = sequenceOf(result.data);
        if (sequence !== null) resuming.variables!.afterSequence = sequence;
        sink.next(result);
      },
      error: (error) => sink.error(error),
      complete: () => sink.complete(),
    },
  ];
}

/** The `sequence` of a subscription event: the one root field's `sequence`, when it has one. */
function sequenceOf(data: unknown): number | null {
  if (typeof data !== "object" || data === null) return null;
  const [event] = Object.values(data);
  const sequence = typeof event === "object" && event !== null ? (event as { sequence?: unknown }).sequence : undefined;
  return typeof sequence === "number" ? sequence : null;
}
