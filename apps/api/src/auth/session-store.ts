import { type Database, deleteExpiredSessions, endSession, findLiveSession, saveSession, touchSession } from "@fxbt/db";
import session from "express-session";

/** What a signed-in browser's session holds besides express-session's cookie settings. */
declare module "express-session" {
  interface SessionData {
    userId: string;
    /** When the user signed in (ms since the epoch): the absolute expiry counts from here. */
    signedInAt: number;
  }
}

/**
 * express-session's store on the product's database (packages/db), so every API instance
 * shares sessions and a sign-out, a disabled user or an expiry is seen by all of them. A row's
 * expiry is the earlier of the idle expiry (pushed back by requests) and the absolute one, so
 * the database alone says whether a session is live, for requests and open sockets alike.
 */
export class DatabaseSessionStore extends session.Store {
  constructor(
    private readonly database: Database,
    private readonly maxAgeMs: number,
  ) {
    super();
  }

  override get(sid: string, done: (error: unknown, session?: session.SessionData | null) => void): void {
    findLiveSession(this.database.prisma, sid).then(
      (data) => done(null, (data as session.SessionData | null) ?? null),
      (error: unknown) => done(error),
    );
  }

  override set(sid: string, data: session.SessionData, done?: (error?: unknown) => void): void {
    // Only signed-in sessions are stored (saveUninitialized is off and sign-in sets userId).
    if (!data.userId) {
      done?.();
      return;
    }
    saveSession(this.database.prisma, sid, { userId: data.userId, data, expiresAt: this.expiry(data) }).then(
      () => done?.(),
      (error: unknown) => done?.(error),
    );
  }

  override touch(sid: string, data: session.SessionData, done?: (error?: unknown) => void): void {
    touchSession(this.database.prisma, sid, this.expiry(data)).then(
      () => done?.(),
      (error: unknown) => done?.(error),
    );
  }

  override destroy(sid: string, done?: (error?: unknown) => void): void {
    endSession(this.database.prisma, sid).then(
      () => done?.(),
      (error: unknown) => done?.(error),
    );
  }

  private expiry(data: session.SessionData): Date {
    const idle = data.cookie.expires ? new Date(data.cookie.expires).getTime() : Date.now();
    const absolute = (data.signedInAt ?? Date.now()) + this.maxAgeMs;
    return new Date(Math.min(idle, absolute));
  }
}

/** How often expired sessions' rows are deleted; they are already refused, this only keeps the table small. */
export const SESSION_PRUNE_MS = 10 * 60_000;

/** Deletes expired sessions now and then; returns the function that stops it. */
export function pruneExpiredSessions(database: Database, everyMs: number, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => void deleteExpiredSessions(database.prisma).catch(onError), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
