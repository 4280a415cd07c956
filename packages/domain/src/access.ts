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
  delete: "ADMIN",
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

/** The message of a FORBIDDEN answer: what was refused and which role it needs. */
export function forbiddenReason(principal: Pick<Principal, "role">, operation: Operation): string {
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
