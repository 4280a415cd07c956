import { forbiddenReason, type Operation, principalAllows } from "@fxbt/domain";
import type { Caller } from "../auth/authenticate";
import { apiError } from "../errors";

/**
 * What each root field needs. Every Query, Mutation and Subscription field of the served schema
 * must be listed (buildSchema refuses to start otherwise), so a new field is never open by
 * accident: "public" needs no credentials, "signedIn" any principal, an Operation the role for it.
 */
export type FieldAccess = Operation | "public" | "signedIn";

export const ROOT_FIELD_ACCESS: Record<string, Record<string, FieldAccess>> = {
  Query: {
    me: "public",
    batch: "read",
    batches: "read",
    activeBatches: "read",
    recentBatches: "read",
    batchResults: "read",
    trade: "read",
    trades: "read",
    tradeVolume: "read",
    users: "manageAccess",
    apiKeys: "manageAccess",
    auditLog: "readAuditLog",
    batchTemplates: "read",
    batchTemplate: "read",
  },
  Mutation: {
    signIn: "public",
    signOut: "public",
    changePassword: "signedIn",
    stageBatch: "stage",
    createTrade: "stage",
    startBatch: "start",
    approveBatch: "approve",
    cancelBatch: "cancel",
    retryFailedTrades: "retry",
    deleteBatch: "delete",
    archiveBatch: "archive",
    createUser: "manageAccess",
    updateUser: "manageAccess",
    resetPassword: "manageAccess",
    createApiKey: "manageAccess",
    revokeApiKey: "manageAccess",
    saveBatchTemplate: "manageTemplates",
    renameBatchTemplate: "manageTemplates",
    deleteBatchTemplate: "manageTemplates",
    // Staging from a template stages a batch: a TRADER may, a VIEWER may not, as for stageBatch.
    stageBatchFromTemplate: "stage",
  },
  Subscription: {
    batchProgress: "read",
    tradeStatusChanged: "read",
    batchesChanged: "read",
    batchListChanged: "read",
    batchFeed: "read",
  },
};

/** The operations a user with a one-time password may still do: see who they are, replace it, leave. */
const WHILE_PASSWORD_MUST_CHANGE = new Set<FieldAccess>(["public", "signedIn"]);

/**
 * The caller, if it may do what the field needs: otherwise UNAUTHENTICATED (no credentials) or
 * FORBIDDEN (the role is too low, or a one-time password must be changed first).
 */
export function authorize(caller: Caller | null, access: FieldAccess, credentialsProblem: string | null = null): Caller | null {
  if (credentialsProblem) throw apiError("UNAUTHENTICATED", credentialsProblem);
  if (access === "public") return caller;
  if (!caller) throw apiError("UNAUTHENTICATED", "sign in, or send an API key as 'Authorization: Bearer <key>'");
  if (caller.mustChangePassword && !WHILE_PASSWORD_MUST_CHANGE.has(access)) {
    throw apiError("FORBIDDEN", "choose your own password first (changePassword): the one you signed in with was for one use");
  }
  if (access !== "signedIn" && !principalAllows(caller, access)) throw apiError("FORBIDDEN", forbiddenReason(caller, access));
  return caller;
}
