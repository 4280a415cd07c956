import type { PrincipalKind } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { AUDIT_EVENT_COLUMNS, type AuditEventRow } from "../rows";
import { containing, where } from "./fragments";

/** The audit log: rows are only added (a trigger refuses updates and deletes), read newest first. */

export interface NewAuditEvent {
  actorKind: PrincipalKind | null;
  actorId: string | null;
  actor: string;
  action: string;
  outcome: "SUCCEEDED" | "REFUSED";
  batchId?: string | null;
  subject?: string | null;
  address?: string | null;
  detail?: string | null;
}

/** Written in the caller's transaction where there is one, so an action and its record commit together. */
export async function insertAuditEvent(db: Queryable, event: NewAuditEvent): Promise<void> {
  await db.$executeRaw`
    INSERT INTO audit_event (actor_kind, actor_id, actor, action, outcome, batch_id, subject, address, detail)
    VALUES (${event.actorKind}::"PrincipalKind", ${event.actorId}::uuid, ${event.actor}, ${event.action},
            ${event.outcome}::"AuditOutcome", ${event.batchId ?? null}::uuid, ${event.subject ?? null},
            ${event.address ?? null}, ${event.detail ?? null})`;
}

export interface AuditFilter {
  actions?: readonly string[] | null;
  /** Part of the actor's email or key name, case-insensitive. */
  actor?: string | null;
  batchId?: string | null;
  outcome?: "SUCCEEDED" | "REFUSED" | null;
  from?: Date | null;
  to?: Date | null;
}

/** Up to `first + 1` events after the cursor, newest first, and how many match the filter in all. */
export async function pageAuditEvents(
  db: Queryable,
  query: { first: number; after?: { at: string; id: string } | null; filter?: AuditFilter | null },
): Promise<{ rows: AuditEventRow[]; totalCount: number }> {
  const { filter } = query;
  const conditions: Prisma.Sql[] = [];
  if (filter?.actions?.length) conditions.push(Prisma.sql`action = ANY(${[...filter.actions]}::text[])`);
  if (filter?.actor?.trim()) conditions.push(Prisma.sql`actor ILIKE ${containing(filter.actor.trim())}`);
  if (filter?.batchId) conditions.push(Prisma.sql`batch_id = ${filter.batchId}::uuid`);
  if (filter?.outcome) conditions.push(Prisma.sql`outcome = ${filter.outcome}::"AuditOutcome"`);
  if (filter?.from) conditions.push(Prisma.sql`at >= ${filter.from}`);
  if (filter?.to) conditions.push(Prisma.sql`at <= ${filter.to}`);
  const keyset = [...conditions];
  if (query.after) keyset.push(Prisma.sql`(at, id) < (${query.after.at}::timestamptz, ${query.after.id}::bigint)`);
  const [rows, [count]] = await Promise.all([
    db.$queryRaw<AuditEventRow[]>`
      SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_event ${where(keyset)} ORDER BY at DESC, id DESC LIMIT ${query.first + 1}`,
    db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM audit_event ${where(conditions)}`,
  ]);
  return { rows, totalCount: count?.count ?? 0 };
}
