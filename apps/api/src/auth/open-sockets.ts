import { type Database, liveSessionIds, unrevokedApiKeyIds } from "@fxbt/db";
import type { WebSocket } from "ws";
import type { Caller } from "./authenticate";

/** graphql-ws close codes for credentials: missing or no longer valid, and valid but not allowed. */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
/** graphql-ws's code for a server fault: at connection_init, the credentials could not be checked (the database away). */
export const CLOSE_INTERNAL_ERROR = 4500;

/**
 * The open WebSockets and who opened them. Every `recheckMs` one query per kind asks the
 * database which of their keys and sessions are still valid, and the sockets of a revoked
 * key, an ended or expired session or a disabled user are closed with 4401: within seconds,
 * on every API instance, with no message between instances.
 */
export class OpenSockets {
  private readonly sockets = new Map<WebSocket, Caller>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: Database,
    private readonly recheckMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.recheck().catch(this.onError), this.recheckMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  add(socket: WebSocket, caller: Caller): void {
    this.sockets.set(socket, caller);
    socket.once("close", () => this.sockets.delete(socket));
  }

  /** How many sockets this principal has open (the cap per principal counts them). */
  countOf(caller: Pick<Caller, "kind" | "id">): number {
    let count = 0;
    for (const open of this.sockets.values()) if (open.kind === caller.kind && open.id === caller.id) count += 1;
    return count;
  }

  /** Closes the sockets whose credentials are no longer valid. */
  async recheck(): Promise<void> {
    const callers = [...this.sockets.entries()];
    if (callers.length === 0) return;
    const keyIds = callers.filter(([, c]) => c.kind === "API_KEY").map(([, c]) => c.id);
    const sessionIds = callers.flatMap(([, c]) => (c.sessionId ? [c.sessionId] : []));
    const [keys, sessions] = await Promise.all([
      unrevokedApiKeyIds(this.database.prisma, [...new Set(keyIds)]),
      liveSessionIds(this.database.prisma, [...new Set(sessionIds)]),
    ]);
    for (const [socket, caller] of callers) {
      const valid = caller.kind === "API_KEY" ? keys.has(caller.id) : caller.sessionId !== null && sessions.has(caller.sessionId);
      if (!valid) socket.close(CLOSE_UNAUTHORIZED, caller.kind === "API_KEY" ? "API key revoked" : "Session ended");
    }
  }
}
