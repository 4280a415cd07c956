/** From least to most trusted: each role may do everything the roles before it may. */
export const ROLES = ["VIEWER", "TRADER", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export type PrincipalKind = "USER" | "API_KEY";

/**
 * Who is calling: a person signed in to the dashboard, or an internal tool or partner app
 * with an API key. A principal with a partner sees and acts on that partner's batches only.
 */
export interface Principal {
  kind: PrincipalKind;
  id: string;
  /** What people read: the user's email or the key's name. */
  name: string;
  role: Role;
  partner: string | null;
}

/** Everything the API lets a principal do, each allowed from one role upwards. */
export const OPERATIONS = {
  /** Queries, subscriptions and the results export. */
  read: "VIEWER",
  stage: "TRADER",
  start: "TRADER",
  approve: "TRADER",
  cancel: "TRADER",
  retry: "TRADER",
  /** Batch templates: save, rename, delete, and stage from one (reading them is "read"). */
  manageTemplates: "TRADER",
  delete: "ADMIN",
  /**
   * archiveBatch: ADMIN, like delete. It destroys nothing (an archived batch stays readable), but it
   * cannot be undone and ends what a TRADER may still do with a finished batch (retry its failed
   * trades), and the dashboard offers it beside Delete, to the same people.
   */
  archive: "ADMIN",
  /** Users and API keys: create, change, reset, revoke, list. */
  manageAccess: "ADMIN",
  readAuditLog: "ADMIN",
} as const satisfies Record<string, Role>;
export type Operation = keyof typeof OPERATIONS;

export function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

/** Whether a role may do an operation. */
export function roleAllows(role: Role, operation: Operation): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(OPERATIONS[operation]);
}

/**
 * Administration (users, keys, the audit log, deletion) is the operations staff's: a partner's
 * users and keys are at most TRADER, so nothing a partner holds can reach past its own batches.
 */
export const PARTNER_MAX_ROLE: Role = "TRADER";

/** Why a principal of this role cannot belong to this partner, or null when it can. */
export function partnerRoleProblem(role: Role, partner: string | null): string | null {
  return partner !== null && ROLES.indexOf(role) > ROLES.indexOf(PARTNER_MAX_ROLE)
    ? `a partner's users and keys are at most ${PARTNER_MAX_ROLE}: ${role} is for the operations staff, who belong to no partner`
    : null;
}

/** Whether a principal may do an operation: its role allows it, within what a partner may hold. */
export function principalAllows(principal: Pick<Principal, "role" | "partner">, operation: Operation): boolean {
  const role = partnerRoleProblem(principal.role, principal.partner) ? PARTNER_MAX_ROLE : principal.role;
  return roleAllows(role, operation);
}

/** The message of a FORBIDDEN answer: what was refused and which role it needs. */
export function forbiddenReason(principal: Pick<Principal, "role" | "partner">, operation: Operation): string {
  if (roleAllows(principal.role, operation))
    return `${operation} is for the operations staff; a partner's principals are at most ${PARTNER_MAX_ROLE}`;
  return `${operation} needs the ${OPERATIONS[operation]} role or higher; you have ${principal.role}`;
}

/**
 * Whether a principal may see a batch: staff of no partner see every batch, a partner's
 * principals only that partner's. Anything else answers NOT_FOUND, so existence is not revealed.
 */
export function canSeeBatch(principal: Pick<Principal, "partner">, batch: { partner: string | null }): boolean {
  return principal.partner === null || principal.partner === batch.partner;
}

/** A partner is a short name: letters, digits, '-' and '_', as it appears in keys, lists and logs. */
export const PARTNER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function partnerProblem(partner: string): string | null {
  return PARTNER_PATTERN.test(partner) ? null : "must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit";
}

/** What approval needs to know of a batch. */
export interface ApprovalState {
  approvalRequired: boolean;
  approvedAt: Date | string | null;
  stagedById: string | null;
  stagedBy: string | null;
}

/** Who may approve a batch, in words for the dashboard and for BAD_BATCH_STATE answers. */
export function approversDescription(batch: Pick<ApprovalState, "stagedBy">): string {
  return `a person with the ${OPERATIONS.approve} or ADMIN role other than ${batch.stagedBy ?? "its stager"}`;
}

/** Why this principal may not approve the batch, or null when they may (the status is checked apart). */
export function approverProblem(batch: ApprovalState, approver: Pick<Principal, "kind" | "id">): string | null {
  if (!batch.approvalRequired) return "the batch does not need approval";
  if (batch.approvedAt) return "the batch is already approved";
  if (approver.kind !== "USER") return "approval needs a signed-in person, not an API key";
  if (approver.id === batch.stagedById) return `four eyes: it needs approval by ${approversDescription(batch)}`;
  return null;
}

/** Passwords shorter than this are refused; long passphrases are welcome. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer input is refused before hashing, so no one can make the server hash megabytes. */
export const MAX_PASSWORD_LENGTH = 256;

/** Why a password cannot be used, or null when it can. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}
