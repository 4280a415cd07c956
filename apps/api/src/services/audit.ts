import { type AuditEventRow, type AuditFilter, type Database, insertAuditEvent, pageAuditEvents, type Queryable } from "@fxbt/db";
import { checkStorableText } from "../errors";
import { isUuid } from "../ids";
import { type Connection, checkPageSize, cursorPart, decodeCursor, encodeCursor, toConnection } from "./pagination";

/** Every action the audit log records (AuditAction in the schema). */
export const AUDIT_ACTIONS = [
  "SIGN_IN",
  "SIGN_OUT",
  "CHANGE_PASSWORD",
  "STAGE_BATCH",
  "CREATE_TRADE",
  "START_BATCH",
  "APPROVE_BATCH",
  "CANCEL_BATCH",
  "RETRY_FAILED_TRADES",
  "DELETE_BATCH",
  "ARCHIVE_BATCH",
  "CREATE_USER",
  "UPDATE_USER",
  "RESET_PASSWORD",
  "CREATE_API_KEY",
  "REVOKE_API_KEY",
  "SAVE_TEMPLATE",
  "RENAME_TEMPLATE",
  "DELETE_TEMPLATE",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Who acted and from where: the principal (null for a failed sign-in, whose email is `name`) and its address. */
export interface Actor {
  kind: "USER" | "API_KEY" | null;
  id: string | null;
  name: string;
  address: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  outcome: "SUCCEEDED" | "REFUSED";
  batchId?: string | null;
  subject?: string | null;
  detail?: string | null;
}

/** Records an action in the caller's transaction (or alone), so the action and its record commit together. */
export function recordAudit(db: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  return insertAuditEvent(db, {
    actorKind: actor.kind,
    actorId: actor.id,
    actor: actor.name,
    address: actor.address,
    ...entry,
  });
}

export interface AuditEventView {
  id: string;
  at: string;
  actorKind: "USER" | "API_KEY" | null;
  actorId: string | null;
  actor: string;
  action: string;
  outcome: "SUCCEEDED" | "REFUSED";
  batchId: string | null;
  subject: string | null;
  address: string | null;
  detail: string | null;
}

const toAuditEventView = (row: AuditEventRow): AuditEventView => ({ ...row, id: row.id.toString(), at: row.at.toISOString() });

export interface AuditLogArgs {
  first: number;
  after?: string | null;
  filter?: {
    action?: string[] | null;
    actor?: string | null;
    batchId?: string | null;
    outcome?: "SUCCEEDED" | "REFUSED" | null;
    from?: Date | null;
    to?: Date | null;
  } | null;
}

/** The audit log, newest first, as a Relay connection. */
export async function auditLog(database: Database, { first, after, filter }: AuditLogArgs): Promise<Connection<AuditEventView>> {
  checkPageSize(first);
  checkStorableText(filter?.actor, "filter.actor");
  if (filter?.batchId && !isUuid(filter.batchId)) return toConnection([], first, 0, () => "");
  const cursor = after ? decodeCursor(after, [cursorPart.timestamp, cursorPart.bigintText]) : null;
  const query: AuditFilter = { ...filter, actions: filter?.action };
  const { rows, totalCount } = await pageAuditEvents(database.prisma, {
    first,
    after: cursor ? { at: cursor[0] as string, id: cursor[1] as string } : null,
    filter: query,
  });
  return toConnection(rows.map(toAuditEventView), first, totalCount, (event) => encodeCursor([event.at, event.id]));
}
