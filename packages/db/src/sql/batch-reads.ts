import type { BatchStatus } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { BATCH_COLUMNS, type BatchRow } from "../rows";
import { batchStatusIn, foundIn, ofPartner, type TradeSource, tradesFrom, where } from "./fragments";

/** Reads of batches. Lists are keyset pages over indexes: never OFFSET, never a full scan per page. */

export async function findBatch(db: Queryable, id: string): Promise<BatchRow | null> {
  const rows = await db.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${id}::uuid`;
  return rows[0] ?? null;
}

/** A batch by its batchUid (unique index batch_batch_uid_key). */
export async function findBatchByUid(db: Queryable, batchUid: string): Promise<BatchRow | null> {
  const rows = await db.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE batch_uid = ${batchUid}`;
  return rows[0] ?? null;
}

/** Many batches in one query (the loader behind Trade.batch), in no particular order. */
export function findBatches(db: Queryable, ids: readonly string[]): Promise<BatchRow[]> {
  return db.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ANY(${[...ids]}::uuid[])`;
}

export type BatchOrderField = "CREATED_AT" | "UPDATED_AT" | "STATUS" | "TOTAL_TRADES" | "PRIORITY";

/**
 * Each order field's column (qualified: an output column of the same name would otherwise
 * sort as text) and the type a cursor value is cast back to.
 */
const ORDER_COLUMNS: Record<BatchOrderField, { column: string; cast: string }> = {
  CREATED_AT: { column: "batch.created_at", cast: "timestamptz" },
  UPDATED_AT: { column: "batch.updated_at", cast: "timestamptz" },
  STATUS: { column: "batch.status", cast: '"BatchStatus"' },
  TOTAL_TRADES: { column: "batch.total_trades", cast: "int" },
  PRIORITY: { column: "batch.priority", cast: "int" },
};

export interface BatchFilter {
  status?: readonly BatchStatus[] | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  /** Part of the batch id (batchUid) or name, case-insensitive. */
  search?: string | null;
  /** Archived batches only when true; otherwise (false or unset) only those not archived. */
  archived?: boolean | null;
}

export interface BatchPageQuery {
  /** Rows wanted; one more is read to tell whether a next page exists. */
  first: number;
  /** The order value and id of the last row seen, already checked by the caller. */
  after?: { value: string | number; id: string } | null;
  filter?: BatchFilter | null;
  orderBy: { field: BatchOrderField; descending: boolean };
  /** Only this partner's batches; every batch when null. */
  partner?: string | null;
}

/**
 * Batches whose batchUid or name holds `search`, case-insensitively. Read through the trigram
 * index batch_search_text_trgm_idx, on this very expression, when the planner expects few rows.
 */
export const batchSearch = (search: string): Prisma.Sql => foundIn(["batch.batch_uid", "batch.name"], search);

/** Up to `first + 1` batches after the cursor, and how many match the filter in all. */
export async function pageBatches(db: Queryable, query: BatchPageQuery): Promise<{ rows: BatchRow[]; totalCount: number }> {
  const { column, cast } = ORDER_COLUMNS[query.orderBy.field];
  const orderColumn = Prisma.raw(column);
  const { filter } = query;
  const conditions: Prisma.Sql[] = [
    Prisma.sql`archived_at IS ${Prisma.raw(filter?.archived === true ? "NOT NULL" : "NULL")}`,
    ...ofPartner(query.partner),
  ];
  if (filter?.status?.length) conditions.push(batchStatusIn(filter.status));
  if (filter?.createdFrom) conditions.push(Prisma.sql`created_at >= ${filter.createdFrom}`);
  if (filter?.createdTo) conditions.push(Prisma.sql`created_at <= ${filter.createdTo}`);
  const search = filter?.search?.trim();
  if (search) conditions.push(batchSearch(search));
  const keyset = [...conditions];
  if (query.after) {
    const compare = Prisma.raw(query.orderBy.descending ? "<" : ">");
    keyset.push(Prisma.sql`(${orderColumn}, batch.id) ${compare} (${query.after.value}::${Prisma.raw(cast)}, ${query.after.id}::uuid)`);
  }
  const direction = Prisma.raw(query.orderBy.descending ? "DESC" : "ASC");
  const [rows, [count]] = await Promise.all([
    db.$queryRaw<BatchRow[]>`
      SELECT ${BATCH_COLUMNS} FROM batch ${where(keyset)}
      ORDER BY ${orderColumn} ${direction}, batch.id ${direction} LIMIT ${query.first + 1}`,
    db.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM batch ${where(conditions)}`,
  ]);
  return { rows, totalCount: count?.count ?? 0 };
}

/** Batches runners work on, then the queued ones in the order the runner will take them. */
export function listActiveBatches(db: Queryable, partner: string | null = null): Promise<BatchRow[]> {
  const active = Prisma.sql`(status = 'RUNNING' OR (status = 'PENDING' AND queued_at IS NOT NULL))`;
  return db.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch ${where([active, ...ofPartner(partner)])}
    ORDER BY status = 'RUNNING' DESC, priority DESC, queued_at, id`;
}

/** The most recently finished batches (not archived ones: they left the dashboard's lists). */
export function listRecentBatches(db: Queryable, limit: number, partner: string | null = null): Promise<BatchRow[]> {
  const finished = Prisma.sql`completed_at IS NOT NULL AND archived_at IS NULL`;
  return db.$queryRaw<BatchRow[]>`
    SELECT ${BATCH_COLUMNS} FROM batch ${where([finished, ...ofPartner(partner)])} ORDER BY completed_at DESC, id DESC LIMIT ${limit}::int`;
}

export interface BatchTotals {
  /** Sold per currency by the batch's booked trades: the sum of the amounts the bank quoted. */
  soldByCurrency: { currency: string; amount: string }[];
  failuresByCode: { errorCode: string; count: number }[];
}

/** Totals of a batch's booked trades and its failures per error code; sums are exact NUMERIC additions. */
export async function batchTotals(db: Queryable, id: string, source: TradeSource = "hot"): Promise<BatchTotals> {
  const [soldByCurrency, failuresByCode] = await Promise.all([
    db.$queryRaw<{ currency: string; amount: string }[]>`
      SELECT sell_currency AS currency, coalesce(sum(sell_amount), 0)::text AS amount
      FROM ${tradesFrom(source)} WHERE batch_id = ${id}::uuid AND status = 'SUCCESS'
      GROUP BY sell_currency ORDER BY sell_currency`,
    db.$queryRaw<{ errorCode: string; count: number }[]>`
      SELECT coalesce(error_code, 'UNKNOWN') AS "errorCode", count(*)::int AS count
      FROM ${tradesFrom(source)} WHERE batch_id = ${id}::uuid AND status = 'FAILED'
      GROUP BY 1 ORDER BY count DESC, 1`,
  ]);
  return { soldByCurrency, failuresByCode };
}
