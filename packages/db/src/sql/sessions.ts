import type { Queryable } from "../queryable";

/**
 * Signed-in browsers: the rows behind express-session's store (apps/api). A session is live
 * while its idle expiry is ahead and its user is enabled; expired rows are swept now and then.
 */

export interface SessionRecord {
  userId: string;
  /** What express-session keeps: its cookie settings and the app's fields. */
  data: unknown;
  expiresAt: Date;
}

/** The live session's data, or null (expired, ended, or its user disabled). */
export async function findLiveSession(db: Queryable, sid: string): Promise<unknown | null> {
  const [row] = await db.$queryRaw<{ data: unknown }[]>`
    SELECT s.data FROM user_session s JOIN app_user u ON u.id = s.user_id
    WHERE s.sid = ${sid} AND s.expires_at > now() AND u.disabled_at IS NULL`;
  return row?.data ?? null;
}

export async function saveSession(db: Queryable, sid: string, session: SessionRecord): Promise<void> {
  await db.$executeRaw`
    INSERT INTO user_session (sid, user_id, data, expires_at)
    VALUES (${sid}, ${session.userId}::uuid, ${JSON.stringify(session.data)}::jsonb, ${session.expiresAt})
    ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, user_id = excluded.user_id`;
}

/** Pushes the idle expiry later (a request came); never earlier. */
export async function touchSession(db: Queryable, sid: string, expiresAt: Date): Promise<void> {
  await db.$executeRaw`UPDATE user_session SET expires_at = greatest(expires_at, ${expiresAt}) WHERE sid = ${sid}`;
}

export async function endSession(db: Queryable, sid: string): Promise<void> {
  await db.$executeRaw`DELETE FROM user_session WHERE sid = ${sid}`;
}

/** Ends every session of a user (disabled, password reset or changed elsewhere); `except` keeps the caller's own. */
export async function endUserSessions(db: Queryable, userId: string, except?: string): Promise<number> {
  return db.$executeRaw`DELETE FROM user_session WHERE user_id = ${userId}::uuid AND sid IS DISTINCT FROM ${except ?? null}`;
}

/** Of these sessions, the ones still live: what open sockets are checked against. */
export async function liveSessionIds(db: Queryable, sids: readonly string[]): Promise<Set<string>> {
  if (sids.length === 0) return new Set();
  const rows = await db.$queryRaw<{ sid: string }[]>`
    SELECT s.sid FROM user_session s JOIN app_user u ON u.id = s.user_id
    WHERE s.sid = ANY(${[...sids]}::text[]) AND s.expires_at > now() AND u.disabled_at IS NULL`;
  return new Set(rows.map((row) => row.sid));
}

export async function deleteExpiredSessions(db: Queryable): Promise<number> {
  return db.$executeRaw`DELETE FROM user_session WHERE expires_at <= now()`;
}
