/**
 * Who may do what, as the API decides it: the rules come from the domain package (its "./access"
 * entry, which pulls in nothing else) and are not restated here.
 */
import {
  approverProblem,
  approversDescription,
  forbiddenReason,
  MIN_PASSWORD_LENGTH,
  OPERATIONS,
  type Operation,
  partnerProblem,
  principalAllows,
  ROLES,
  type Role,
  roleAllows,
} from "@fxbt/domain/access";

export {
  approverProblem,
  approversDescription,
  MIN_PASSWORD_LENGTH,
  OPERATIONS,
  type Operation,
  partnerProblem,
  principalAllows,
  ROLES,
  type Role,
  roleAllows,
};

/** What the dashboard needs to know of the signed-in person (the Viewer type's fields). */
export interface ViewerAccess {
  kind: "USER" | "API_KEY";
  id: string;
  role: Role;
  partner: string | null;
}

/** Why this viewer's role may not do an operation (the API's FORBIDDEN wording), or null when it may. */
export function roleRefusal(viewer: Pick<ViewerAccess, "role" | "partner"> | null, operation: Operation): string | null {
  if (!viewer) return "sign in first";
  return principalAllows(viewer, operation) ? null : forbiddenReason(viewer, operation);
}

/** Why a new password will be refused, or null: long enough, confirmed, and not the current one. */
export function newPasswordProblem(current: string, next: string, confirmation: string): string | null {
  if (next.length < MIN_PASSWORD_LENGTH) return `The new password must be at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (next !== confirmation) return "The two new passwords are not the same.";
  if (next === current) return "The new password must differ from the one-time password.";
  return null;
}

/** Operations in words; typed by the domain's list, so a new operation cannot go unnamed here. */
const OPERATION_WORDS: Record<Operation, string> = {
  read: "read and export batches",
  stage: "stage",
  start: "start",
  approve: "approve",
  cancel: "cancel",
  retry: "retry batches",
  manageTemplates: "manage batch templates",
  delete: "delete batches",
  archive: "archive batches",
  manageAccess: "manage users and API keys",
  readAuditLog: "read the audit log",
};

/** What a role adds to the one below it, from the domain's table: "VIEWER: read and export batches". */
export function roleDescription(role: Role): string {
  const added = (Object.keys(OPERATIONS) as Operation[]).filter((operation) => OPERATIONS[operation] === role);
  const words = added.map((operation) => OPERATION_WORDS[operation]);
  const list = words.length > 1 ? `${words.slice(0, -1).join(", ")} and ${words.at(-1)}` : (words[0] ?? "nothing more");
  const below = ROLES[ROLES.indexOf(role) - 1];
  return below ? `Everything ${below} may, and ${list}.` : `May ${list}.`;
}
