import { BATCH_MOVES, type BatchMoveName, type BatchStatus, type TradeStatus } from "@fxbt/domain";
import { Prisma } from "../generated/prisma/client";

/**
 * The status guards of every statement that moves trades or batches come from the domain's
 * status machine (TRADE_MOVES, BATCH_MOVES): none is written here as a literal, so changing
 * a rule there changes what these statements do.
 */
export function tradeStatusIn(statuses: readonly TradeStatus[], column = "status"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(column)} = ANY(${[...statuses]}::"TradeStatus"[])`;
}

export function batchStatusIn(statuses: readonly BatchStatus[], column = "status"): Prisma.Sql {
  return Prisma.sql`${Prisma.raw(column)} = ANY(${[...statuses]}::"BatchStatus"[])`;
}

/** `status` is one the batch move may start from. */
export const batchMayMove = (move: BatchMoveName, column?: string) => batchStatusIn(BATCH_MOVES[move].from, column);

/** `WHERE a AND b …`, or nothing for no conditions. */
export const where = (conditions: readonly Prisma.Sql[]) =>
  conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
export const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Only a partner's batches (by the batch's `partner` column); no condition for staff of no
 * partner, who see every batch. The rule itself is the domain's canSeeBatch.
 */
export const ofPartner = (partner: string | null | undefined, column = "partner"): Prisma.Sql[] =>
  partner ? [Prisma.sql`${Prisma.raw(column)} = ${partner}`] : [];

/** The batch with this id (for moveTrades' `batches`). */
export const theBatch = (id: string): Prisma.Sql => Prisma.sql`batch.id = ${id}::uuid`;

/** The batches of these trades (for moveTrades' `batches`). */
export const batchesOfTrades = (tradeIds: readonly string[]): Prisma.Sql =>
  Prisma.sql`batch.id IN (SELECT trade.batch_id FROM trade WHERE trade.id = ANY(${[...tradeIds]}::uuid[]))`;
