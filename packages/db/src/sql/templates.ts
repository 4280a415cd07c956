import type { TemplateRow } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_TEMPLATE_COLUMNS, type BatchTemplateRow } from "../rows";
import { containing, where } from "./fragments";

/**
 * Batch templates, each owned by a partner or by the staff of no partner (partner null): every
 * statement here is narrowed to one owner, so no caller reaches another owner's template. A template's
 * rows (possibly 100,000 instructions) are read only by templateRows, never by the list.
 */

/** The owner condition: this partner's templates, or the staff's (partner null). */
const ownedBy = (partner: string | null) => Prisma.sql`coalesce(partner, '') = ${partner ?? ""}`;

/**
 * Whether an error is the unique index on (owner, lower(name)) refusing a name the owner already uses:
 * PostgreSQL's unique violation (23505, Prisma's P2002) naming that index, wherever it is in the chain.
 */
export function isTemplateNameTaken(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 8; depth++) {
    const { message, cause, originalError, meta } = current as {
      message?: unknown;
      cause?: unknown;
      originalError?: unknown;
      meta?: unknown;
    };
    if (JSON.stringify({ message, meta }).includes(TEMPLATE_NAME_INDEX)) return true;
    current = cause ?? originalError;
  }
  return false;
}

const TEMPLATE_NAME_INDEX = "batch_template_owner_name_key";

export interface NewBatchTemplate {
  name: string;
  namePattern: string | null;
  priority: number;
  /** Null: the template has no rows (it stages an uploaded file with its settings). */
  rows: readonly TemplateRow[] | null;
  sourceBatchUid: string | null;
  partner: string | null;
  createdById: string | null;
  createdBy: string | null;
}

/** Saves a template; a name its owner already uses fails on the unique index (isTemplateNameTaken). */
export async function insertBatchTemplate(db: Queryable, template: NewBatchTemplate): Promise<BatchTemplateRow> {
  const [row] = await db.$queryRaw<BatchTemplateRow[]>`
    INSERT INTO batch_template (id, name, name_pattern, priority, rows, row_count, source_batch_uid, partner,
                                created_by_id, created_by, updated_at)
    VALUES (gen_random_uuid(), ${template.name}, ${template.namePattern}, ${template.priority},
            ${template.rows === null ? null : JSON.stringify(template.rows)}::jsonb, ${template.rows?.length ?? 0},
            ${template.sourceBatchUid}, ${template.partner}, ${template.createdById}::uuid, ${template.createdBy}, now())
    RETURNING ${BATCH_TEMPLATE_COLUMNS}`;
  return row!;
}

/** One template of this owner, without its rows; null when there is none. */
export async function findBatchTemplate(db: Queryable, id: string, partner: string | null): Promise<BatchTemplateRow | null> {
  const rows = await db.$queryRaw<BatchTemplateRow[]>`
    SELECT ${BATCH_TEMPLATE_COLUMNS} FROM batch_template WHERE id = ${id}::uuid AND ${ownedBy(partner)}`;
  return rows[0] ?? null;
}

/** A template's rows in order (null for a template saved without them). */
export async function templateRows(db: Queryable, id: string, partner: string | null): Promise<TemplateRow[] | null> {
  const rows = await db.$queryRaw<{ rows: TemplateRow[] | null }[]>`
    SELECT rows FROM batch_template WHERE id = ${id}::uuid AND ${ownedBy(partner)}`;
  return rows[0]?.rows ?? null;
}

/**
 * Up to `first + 1` of an owner's templates after the cursor (the lower-cased name of the last one
 * seen), in name order, through the index on (owner, lower(name)); and how many there are in all.
 * `search` keeps names containing it, case-insensitive.
 */
export async function pageBatchTemplates(
  db: Queryable,
  query: { partner: string | null; first: number; afterName?: string | null; search?: string | null },
): Promise<{ rows: BatchTemplateRow[]; totalCount: number }> {
  const conditions = [ownedBy(query.partner)];
  if (query.search) conditions.push(Prisma.sql`name ILIKE ${containing(query.search)}`);
  const keyset = query.afterName == null ? conditions : [...conditions, Prisma.sql`lower(name) > ${query.afterName}`];
  const [rows, [count]] = await Promise.all([
    db.$queryRaw<BatchTemplateRow[]>`
      SELECT ${BATCH_TEMPLATE_COLUMNS} FROM batch_template ${where(keyset)}
      ORDER BY coalesce(partner, ''), lower(name) LIMIT ${query.first + 1}`,
    db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM batch_template ${where(conditions)}`,
  ]);
  return { rows, totalCount: count?.count ?? 0 };
}

/** Renames an owner's template; null when there is none. A name already used fails (isTemplateNameTaken). */
export async function renameBatchTemplate(
  db: Queryable,
  id: string,
  partner: string | null,
  name: string,
): Promise<BatchTemplateRow | null> {
  const rows = await db.$queryRaw<BatchTemplateRow[]>`
    UPDATE batch_template SET name = ${name}, updated_at = now() WHERE id = ${id}::uuid AND ${ownedBy(partner)}
    RETURNING ${BATCH_TEMPLATE_COLUMNS}`;
  return rows[0] ?? null;
}

/** Deletes an owner's template; the deleted one, or null when there was none. */
export async function deleteBatchTemplate(db: Queryable, id: string, partner: string | null): Promise<BatchTemplateRow | null> {
  const rows = await db.$queryRaw<BatchTemplateRow[]>`
    DELETE FROM batch_template WHERE id = ${id}::uuid AND ${ownedBy(partner)} RETURNING ${BATCH_TEMPLATE_COLUMNS}`;
  return rows[0] ?? null;
}

/**
 * Counts a batch staged from the template, in the staging transaction, if its count is still
 * `expectedCount` (the {n} its name was given was the next number): the new count, or null when
 * another staging counted first or the template is gone, and this staging must not commit as it is.
 */
export async function countTemplateStaging(db: Queryable, id: string, expectedCount: number): Promise<number | null> {
  const rows = await db.$queryRaw<{ stagedCount: number }[]>`
    UPDATE batch_template SET staged_count = staged_count + 1, last_staged_at = now()
    WHERE id = ${id}::uuid AND staged_count = ${expectedCount}
    RETURNING staged_count AS "stagedCount"`;
  return rows[0]?.stagedCount ?? null;
}
