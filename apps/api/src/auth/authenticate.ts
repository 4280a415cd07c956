import type { IncomingMessage } from "node:http";
import { type ApiKeyRow, type Database, findUser, liveSessionIds, type UserRow, unrevokedApiKeyIds, useApiKey } from "@fxbt/db";
import type { Principal } from "@fxbt/domain";
import { apiError } from "../errors";
import { hashApiKey } from "./secrets";

/** A principal as the API knows it for one request or socket: how it proved who it is. */
export interface Caller extends Principal {
  /** A user holding a password an admin handed out may only change it (and sign out). */
  mustChangePassword: boolean;
  /** The session a signed-in browser came with; null for API keys. */
  sessionId: string | null;
}

/** `Authorization: Bearer <key>` (HTTP) or `{ authorization: "Bearer <key>" }` (graphql-ws connectionParams). */
export function bearerToken(authorization: unknown): string | null {
  if (typeof authorization !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1] ?? null;
}

export function keyCaller(key: ApiKeyRow): Caller {
  return {
    kind: "API_KEY",
    id: key.id,
    name: key.name,
    role: key.role,
    partner: key.partner,
    mustChangePassword: false,
    sessionId: null,
  };
}

export function userCaller(user: UserRow, sessionId: string | null): Caller {
  return {
    kind: "USER",
    id: user.id,
    name: user.email,
    role: user.role,
    partner: user.partner,
    mustChangePassword: user.mustChangePassword,
    sessionId,
  };
}

/** A request's session as express-session left it on the request (HTTP, or the WebSocket upgrade). */
export interface SessionCarrier extends IncomingMessage {
  session?: { id: string; userId?: string } & Partial<{ destroy(done: (error?: unknown) => void): void }>;
}

/**
 * Who is calling. A bearer key wins over a session cookie; a key that is present but wrong is
 * an error (never a silent fall-back to the cookie), and no credentials at all is null: the
 * caller decides whether the operation needs any.
 */
export async function authenticate(
  database: Database,
  credentials: { authorization: unknown; session: SessionCarrier["session"] },
): Promise<Caller | null> {
  if (credentials.authorization !== undefined && credentials.authorization !== null && credentials.authorization !== "") {
    const token = bearerToken(credentials.authorization);
    const key = token ? await useApiKey(database.prisma, hashApiKey(token)) : null;
    if (!key) throw apiError("UNAUTHENTICATED", "the API key is not valid (wrong, revoked, or not sent as 'Bearer <key>')");
    return keyCaller(key);
  }
  const userId = credentials.session?.userId;
  if (!userId) return null;
  const user = await findUser(database.prisma, userId);
  if (!user || user.disabledAt) return null;
  return userCaller(user, credentials.session?.id ?? null);
}

/**
 * The caller as it stands now, for a socket that authenticated earlier: every operation on a
 * WebSocket is authorised like an HTTP request, with the key's or user's current state (a
 * revoked key, an ended session, a disabled or demoted user), not the state at connection_init.
 */
export async function refreshCaller(database: Database, caller: Caller): Promise<Caller | null> {
  if (caller.kind === "API_KEY") {
    // A key's role and partner never change; only its revocation matters.
    return (await unrevokedApiKeyIds(database.prisma, [caller.id])).has(caller.id) ? caller : null;
  }
  if (!caller.sessionId || !(await liveSessionIds(database.prisma, [caller.sessionId])).has(caller.sessionId)) return null;
  const user = await findUser(database.prisma, caller.id);
  return user && !user.disabledAt ? userCaller(user, caller.sessionId) : null;
}
