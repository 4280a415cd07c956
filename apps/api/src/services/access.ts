import {
  type ApiKeyRow,
  countUsers,
  type Database,
  endUserSessions,
  findApiKey,
  findApiKeyByHash,
  findUser,
  findUserByEmail,
  insertApiKey,
  insertUser,
  listApiKeys,
  listUsers,
  recordFailedSignIn,
  recordSignIn,
  revokeApiKey,
  setPassword,
  type UserRow,
  updateUser,
} from "@fxbt/db";
import { isRole, partnerProblem, partnerRoleProblem, passwordProblem, type Role, unstorableTextProblem } from "@fxbt/domain";
import type { Caller } from "../auth/authenticate";
import {
  decoyPasswordHash,
  generateApiKey,
  generateOneTimePassword,
  hashApiKey,
  hashPassword,
  looksLikeApiKey,
  verifyPassword,
} from "../auth/secrets";
import { apiError, checkStorableText, notFound } from "../errors";
import { isUuid } from "../ids";
import { type Actor, type AuditAction, recordAudit } from "./audit";

export interface LockoutPolicy {
  /** Failed sign-ins in a row that lock an account. */
  lockAfter: number;
  /** How long a locked account refuses every password, the right one too. */
  lockMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { lockAfter: 5, lockMs: 15 * 60_000 };

export interface UserView {
  id: string;
  email: string;
  role: Role;
  partner: string | null;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastSignInAt: string | null;
  disabledAt: string | null;
  createdAt: string;
  createdBy: string | null;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  partner: string | null;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function toUserView({ passwordHash, failedSignIns, ...user }: UserRow): UserView {
  return {
    ...user,
    lockedUntil: user.lockedUntil && user.lockedUntil > new Date() ? user.lockedUntil.toISOString() : null,
    lastSignInAt: iso(user.lastSignInAt),
    disabledAt: iso(user.disabledAt),
    createdAt: user.createdAt.toISOString(),
  };
}

export function toApiKeyView({ keyHash, ...key }: ApiKeyRow): ApiKeyView {
  return {
    ...key,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: iso(key.lastUsedAt),
    revokedAt: iso(key.revokedAt),
  };
}

/** The actor of an audit record for a caller at an address. */
export const actorOf = (caller: Caller, address: string | null): Actor => ({
  kind: caller.kind,
  id: caller.id,
  name: caller.name,
  address,
});

const SIGN_IN_REFUSED = "email or password is wrong, or the account is locked or disabled";

function checkEmail(email: string): string {
  const normalised = email.trim().toLowerCase();
  if (normalised.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(normalised) || unstorableTextProblem(normalised)) {
    throw apiError("BAD_USER_INPUT", `email ${JSON.stringify(email.slice(0, 80))} is not an email address`, { argument: "email" });
  }
  return normalised;
}

function checkRole(role: unknown, argument = "role"): Role {
  if (!isRole(role)) throw apiError("BAD_USER_INPUT", `${argument} must be VIEWER, TRADER or ADMIN`, { argument });
  return role;
}

function checkPartner(partner: string | null | undefined, argument = "partner"): string | null {
  const value = partner?.trim() || null;
  const problem = value && partnerProblem(value);
  if (problem) throw apiError("BAD_USER_INPUT", `${argument} ${problem}`, { argument });
  return value;
}

function checkPartnerRole(role: Role, partner: string | null): void {
  const problem = partnerRoleProblem(role, partner);
  if (problem) throw apiError("BAD_USER_INPUT", problem, { argument: "role" });
}

function checkPassword(password: string, argument: string): void {
  const problem = passwordProblem(password);
  if (problem) throw apiError("BAD_USER_INPUT", `${argument} ${problem}`, { argument });
}

/**
 * People and keys: sign-in with lockout, users and API keys created, changed and revoked.
 * Every change and every sign-in, refused ones too, is written to the audit log; a change and
 * its record commit in one transaction.
 */
export class AccessService {
  constructor(
    private readonly database: Database,
    private readonly lockout: LockoutPolicy = DEFAULT_LOCKOUT,
  ) {}

  private get db() {
    return this.database.prisma;
  }

  /**
   * The user whose password this is, or an UNAUTHENTICATED error that does not say which part
   * was wrong. A locked account refuses even the right password until the lock ends.
   */
  async signIn(emailInput: string, password: string, address: string | null): Promise<UserRow> {
    // No account has such an email, and it could be neither looked up nor audited.
    checkStorableText(emailInput, "email");
    const email = emailInput.trim().toLowerCase();
    const user = email.length <= 254 ? await findUserByEmail(this.db, email) : null;
    const refuse = async (detail: string) => {
      await recordAudit(
        this.db,
        { kind: null, id: user?.id ?? null, name: email.slice(0, 254), address },
        {
          action: "SIGN_IN",
          outcome: "REFUSED",
          detail,
        },
      );
      return apiError("UNAUTHENTICATED", SIGN_IN_REFUSED);
    };
    if (!user) {
      await verifyPassword(await decoyPasswordHash(), password);
      throw await refuse("no such user");
    }
    const passwordRight = await verifyPassword(user.passwordHash, password);
    if (user.disabledAt) throw await refuse("account disabled");
    if (user.lockedUntil && user.lockedUntil > new Date()) throw await refuse(`account locked until ${user.lockedUntil.toISOString()}`);
    if (!passwordRight) {
      const counted = await recordFailedSignIn(this.db, user.id, this.lockout);
      const locked = counted.lockedUntil && counted.lockedUntil > new Date();
      throw await refuse(locked ? `wrong password; account locked until ${counted.lockedUntil!.toISOString()}` : "wrong password");
    }
    const signedIn = await recordSignIn(this.db, user.id);
    await recordAudit(this.db, { kind: "USER", id: user.id, name: user.email, address }, { action: "SIGN_IN", outcome: "SUCCEEDED" });
    return signedIn;
  }

  async signedOut(caller: Caller, address: string | null): Promise<void> {
    await recordAudit(this.db, actorOf(caller, address), { action: "SIGN_OUT", outcome: "SUCCEEDED" });
  }

  /** A user's own new password; ends their other sessions. */
  async changePassword(caller: Caller, currentPassword: string, newPassword: string, address: string | null): Promise<UserRow> {
    const user = caller.kind === "USER" ? await findUser(this.db, caller.id) : null;
    if (!user) throw apiError("FORBIDDEN", "only a signed-in person has a password to change");
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      await recordAudit(this.db, actorOf(caller, address), { action: "CHANGE_PASSWORD", outcome: "REFUSED", detail: "wrong password" });
      throw apiError("BAD_USER_INPUT", "currentPassword is wrong", { argument: "currentPassword" });
    }
    checkPassword(newPassword, "newPassword");
    if (newPassword === currentPassword) {
      throw apiError("BAD_USER_INPUT", "newPassword must differ from the current one", { argument: "newPassword" });
    }
    const hash = await hashPassword(newPassword);
    return this.db.$transaction(async (tx) => {
      const changed = await setPassword(tx, user.id, hash, false);
      await endUserSessions(tx, user.id, caller.sessionId ?? undefined);
      await recordAudit(tx, actorOf(caller, address), { action: "CHANGE_PASSWORD", outcome: "SUCCEEDED" });
      return changed!;
    });
  }

  /** A new user with a one-time password (or the given one), which they replace at first sign-in. */
  async createUser(
    actor: Actor,
    input: { email: string; role: string; partner?: string | null; password?: string | null },
  ): Promise<{ user: UserRow; oneTimePassword: string | null }> {
    const email = checkEmail(input.email);
    const role = checkRole(input.role);
    const partner = checkPartner(input.partner);
    checkPartnerRole(role, partner);
    if (input.password) checkPassword(input.password, "password");
    const oneTimePassword = input.password ? null : generateOneTimePassword();
    const passwordHash = await hashPassword(input.password ?? oneTimePassword!);
    const user = await this.db.$transaction(async (tx) => {
      const created = await insertUser(tx, { email, passwordHash, role, partner, mustChangePassword: true, createdBy: actor.name });
      if (!created) return null;
      await this.audit(tx, actor, "CREATE_USER", `${email} (${role}${partner ? `, partner ${partner}` : ""})`);
      return created;
    });
    if (!user) throw apiError("BAD_USER_INPUT", `a user with email ${email} already exists`, { argument: "email" });
    return { user, oneTimePassword };
  }

  /** A user's role changed, or the account disabled or enabled; disabling ends their sessions. */
  async updateUser(actor: Actor, input: { id: string; role?: string | null; disabled?: boolean | null }): Promise<UserRow> {
    const role = input.role == null ? undefined : checkRole(input.role);
    if (actor.kind === "USER" && actor.id === input.id && (input.disabled || (role && role !== "ADMIN"))) {
      throw apiError("BAD_USER_INPUT", "you cannot disable yourself or take away your own ADMIN role", { argument: "id" });
    }
    const updated = await this.db.$transaction(async (tx) => {
      const user = isUuid(input.id) ? await updateUser(tx, input.id, { role, disabled: input.disabled ?? undefined }) : null;
      if (!user) return null;
      // Checked on the updated row, in the transaction: a refused change is rolled back.
      checkPartnerRole(user.role, user.partner);
      if (input.disabled) await endUserSessions(tx, user.id);
      const changes = [role && `role ${role}`, input.disabled != null && (input.disabled ? "disabled" : "enabled")].filter(Boolean);
      await this.audit(tx, actor, "UPDATE_USER", `${user.email}: ${changes.join(", ") || "no change"}`);
      return user;
    });
    if (!updated) throw notFound("user", input.id);
    return updated;
  }

  /** A new one-time password for a user who forgot theirs; their sessions end and any lock is lifted. */
  async resetPassword(actor: Actor, id: string): Promise<{ user: UserRow; oneTimePassword: string }> {
    const oneTimePassword = generateOneTimePassword();
    const hash = await hashPassword(oneTimePassword);
    const user = await this.db.$transaction(async (tx) => {
      const changed = isUuid(id) ? await setPassword(tx, id, hash, true) : null;
      if (!changed) return null;
      await endUserSessions(tx, changed.id);
      await this.audit(tx, actor, "RESET_PASSWORD", changed.email);
      return changed;
    });
    if (!user) throw notFound("user", id);
    return { user, oneTimePassword };
  }

  /** A new API key: the key itself is returned once and only its hash is kept. */
  async createApiKey(
    actor: Actor,
    input: { name?: string | null; role: string; partner?: string | null },
  ): Promise<{ apiKey: ApiKeyRow; key: string }> {
    const role = checkRole(input.role);
    const partner = checkPartner(input.partner);
    checkPartnerRole(role, partner);
    const name = input.name?.trim() || `${role.toLowerCase()} key`;
    const nameProblem = unstorableTextProblem(name) ?? (name.length > 100 ? "must be at most 100 characters" : null);
    if (nameProblem) throw apiError("BAD_USER_INPUT", `name ${nameProblem}`, { argument: "name" });
    const { key, prefix, keyHash } = generateApiKey();
    const apiKey = await this.db.$transaction(async (tx) => {
      const created = await insertApiKey(tx, { name, prefix, keyHash, role, partner, createdBy: actor.name });
      await this.audit(tx, actor, "CREATE_API_KEY", `${name} (${prefix}…, ${role}${partner ? `, partner ${partner}` : ""})`);
      return created;
    });
    return { apiKey, key };
  }

  /** Revokes a key given by its id or by the key itself; its open sockets close within seconds. */
  async revokeApiKey(actor: Actor, keyOrId: string): Promise<ApiKeyRow> {
    const revoked = await this.db.$transaction(async (tx) => {
      const found = isUuid(keyOrId)
        ? await findApiKey(tx, keyOrId)
        : looksLikeApiKey(keyOrId)
          ? await findApiKeyByHash(tx, hashApiKey(keyOrId))
          : null;
      if (!found) return null;
      const key = await revokeApiKey(tx, found.id);
      await this.audit(tx, actor, "REVOKE_API_KEY", `${found.name} (${found.prefix}…)`);
      return key;
    });
    if (!revoked) throw apiError("NOT_FOUND", "no API key has that id or value", { argument: "id" });
    return revoked;
  }

  /** The user signing in with this email (however it is typed), or null. */
  userByEmail(email: string): Promise<UserRow | null> {
    return findUserByEmail(this.db, email.trim().toLowerCase());
  }

  listUsers(): Promise<UserRow[]> {
    return listUsers(this.db);
  }

  listApiKeys(): Promise<ApiKeyRow[]> {
    return listApiKeys(this.db);
  }

  /**
   * The first run of a new installation: with no user at all, an ADMIN is made and its one-time
   * password returned, to be shown once. Null on every later start (and when another instance
   * made it first: the email is unique).
   */
  async createFirstAdmin(email: string): Promise<{ email: string; oneTimePassword: string } | null> {
    if ((await countUsers(this.db)) > 0) return null;
    const oneTimePassword = generateOneTimePassword();
    const user = await insertUser(this.db, {
      email,
      passwordHash: await hashPassword(oneTimePassword),
      role: "ADMIN",
      partner: null,
      mustChangePassword: true,
      createdBy: "first run",
    });
    if (!user) return null;
    await recordAudit(
      this.db,
      { kind: null, id: null, name: "first run", address: null },
      {
        action: "CREATE_USER",
        outcome: "SUCCEEDED",
        subject: `${email} (ADMIN)`,
      },
    );
    return { email, oneTimePassword };
  }

  private audit(tx: Parameters<typeof recordAudit>[0], actor: Actor, action: AuditAction, subject: string) {
    return recordAudit(tx, actor, { action, outcome: "SUCCEEDED", subject });
  }
}
