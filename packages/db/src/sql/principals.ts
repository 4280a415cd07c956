import type { Role } from "@fxbt/domain";
import type { Queryable } from "../queryable";
import { API_KEY_COLUMNS, type ApiKeyRow, USER_COLUMNS, type UserRow } from "../rows";

/** Users who sign in, and API keys: created, found, changed and revoked. Nothing here is ever deleted. */

export interface NewUser {
  /** Already lower-cased and checked by the caller. */
  email: string;
  passwordHash: string;
  role: Role;
  partner: string | null;
  mustChangePassword: boolean;
  createdBy: string | null;
}

/** The new user, or null when the email is taken. */
export async function insertUser(db: Queryable, user: NewUser): Promise<UserRow | null> {
  const [row] = await db.$queryRaw<UserRow[]>`
    INSERT INTO app_user (id, email, password_hash, role, partner, must_change_password, created_by)
    VALUES (gen_random_uuid(), ${user.email}, ${user.passwordHash}, ${user.role}::"Role", ${user.partner},
            ${user.mustChangePassword}, ${user.createdBy})
    ON CONFLICT (email) DO NOTHING
    RETURNING ${USER_COLUMNS}`;
  return row ?? null;
}

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | null> {
  const [row] = await db.$queryRaw<UserRow[]>`SELECT ${USER_COLUMNS} FROM app_user WHERE email = ${email}`;
  return row ?? null;
}

export async function findUser(db: Queryable, id: string): Promise<UserRow | null> {
  const [row] = await db.$queryRaw<UserRow[]>`SELECT ${USER_COLUMNS} FROM app_user WHERE id = ${id}::uuid`;
  return row ?? null;
}

export function listUsers(db: Queryable): Promise<UserRow[]> {
  return db.$queryRaw<UserRow[]>`SELECT ${USER_COLUMNS} FROM app_user ORDER BY email`;
}

export async function countUsers(db: Queryable): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM app_user`;
  return row?.count ?? 0;
}

/**
 * Counts a failed sign-in in one statement (concurrent guesses cannot both read the old count)
 * and locks the account for `lockMs` once `lockAfter` failures in a row are reached.
 */
export async function recordFailedSignIn(db: Queryable, id: string, policy: { lockAfter: number; lockMs: number }): Promise<UserRow> {
  const [row] = await db.$queryRaw<UserRow[]>`
    UPDATE app_user SET
      failed_sign_ins = failed_sign_ins + 1,
      locked_until = CASE WHEN failed_sign_ins + 1 >= ${policy.lockAfter}::int
                          THEN now() + make_interval(secs => ${policy.lockMs / 1000}::double precision)
                          ELSE locked_until END
    WHERE id = ${id}::uuid
    RETURNING ${USER_COLUMNS}`;
  return row!;
}

/** A successful sign-in: the failure count starts again. */
export async function recordSignIn(db: Queryable, id: string): Promise<UserRow> {
  const [row] = await db.$queryRaw<UserRow[]>`
    UPDATE app_user SET failed_sign_ins = 0, locked_until = NULL, last_sign_in_at = now()
    WHERE id = ${id}::uuid RETURNING ${USER_COLUMNS}`;
  return row!;
}

/** A new password; `mustChange` when an admin handed it out, so the user chooses their own. Unlocks the account. */
export async function setPassword(db: Queryable, id: string, passwordHash: string, mustChange: boolean): Promise<UserRow | null> {
  const [row] = await db.$queryRaw<UserRow[]>`
    UPDATE app_user SET password_hash = ${passwordHash}, must_change_password = ${mustChange},
                        failed_sign_ins = 0, locked_until = NULL
    WHERE id = ${id}::uuid RETURNING ${USER_COLUMNS}`;
  return row ?? null;
}

export interface UserChange {
  role?: Role;
  /** Disable (true) or enable (false) the account. */
  disabled?: boolean;
}

export async function updateUser(db: Queryable, id: string, change: UserChange): Promise<UserRow | null> {
  const [row] = await db.$queryRaw<UserRow[]>`
    UPDATE app_user SET
      role = coalesce(${change.role ?? null}::"Role", role),
      disabled_at = CASE WHEN ${change.disabled ?? null}::boolean IS NULL THEN disabled_at
                         WHEN ${change.disabled ?? null}::boolean THEN coalesce(disabled_at, now())
                         ELSE NULL END
    WHERE id = ${id}::uuid RETURNING ${USER_COLUMNS}`;
  return row ?? null;
}

export interface NewApiKey {
  name: string;
  prefix: string;
  /** SHA-256 (hex) of the whole key. */
  keyHash: string;
  role: Role;
  partner: string | null;
  createdBy: string | null;
}

export async function insertApiKey(db: Queryable, key: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await db.$queryRaw<ApiKeyRow[]>`
    INSERT INTO api_key (id, name, prefix, key_hash, role, partner, created_by)
    VALUES (gen_random_uuid(), ${key.name}, ${key.prefix}, ${key.keyHash}, ${key.role}::"Role", ${key.partner}, ${key.createdBy})
    RETURNING ${API_KEY_COLUMNS}`;
  return row!;
}

/**
 * The unrevoked key with this hash, its last use noted. The write happens at most once a
 * minute per key, so a busy key does not turn every read into a row update.
 */
export async function useApiKey(db: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
  const [row] = await db.$queryRaw<ApiKeyRow[]>`
    WITH found AS (SELECT ${API_KEY_COLUMNS} FROM api_key WHERE key_hash = ${keyHash} AND revoked_at IS NULL),
    touched AS (
      UPDATE api_key SET last_used_at = now()
      WHERE key_hash = ${keyHash} AND revoked_at IS NULL
        AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
    )
    SELECT * FROM found`;
  return row ?? null;
}

export async function findApiKey(db: Queryable, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.$queryRaw<ApiKeyRow[]>`SELECT ${API_KEY_COLUMNS} FROM api_key WHERE id = ${id}::uuid`;
  return row ?? null;
}

export async function findApiKeyByHash(db: Queryable, keyHash: string): Promise<ApiKeyRow | null> {
  const [row] = await db.$queryRaw<ApiKeyRow[]>`SELECT ${API_KEY_COLUMNS} FROM api_key WHERE key_hash = ${keyHash}`;
  return row ?? null;
}

export function listApiKeys(db: Queryable): Promise<ApiKeyRow[]> {
  return db.$queryRaw<ApiKeyRow[]>`SELECT ${API_KEY_COLUMNS} FROM api_key ORDER BY revoked_at IS NOT NULL, created_at DESC, id`;
}

/** Revokes a key (once: a revoked key keeps its first revocation time). */
export async function revokeApiKey(db: Queryable, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.$queryRaw<ApiKeyRow[]>`
    UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = ${id}::uuid RETURNING ${API_KEY_COLUMNS}`;
  return row ?? null;
}

/** Of these keys, the ones still valid: what open sockets are checked against. */
export async function unrevokedApiKeyIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM api_key WHERE id = ANY(${[...ids]}::uuid[]) AND revoked_at IS NULL`;
  return new Set(rows.map((row) => row.id));
}
