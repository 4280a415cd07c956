import { TRADE_MOVES, type TradeMoveName, type TradeStatus } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { type TradeRow, tradeColumns } from "../rows";
import { tradeStatusIn } from "./fragments";

export interface MoveTradesOptions {
  /** Which trades, besides the move's own status guard (columns of `trade`). */
  where: Prisma.Sql;
  /** A relation joined to pick the trades, e.g. `unnest(…) AS q(id, …)` on `q.id = trade.id`. */
  join?: { relation: Prisma.Sql; on: Prisma.Sql };
  /** Columns of `join` the assignments need, e.g. `q.quote_id`; they are read as `picked.quote_id`. */
  carry?: readonly Prisma.Sql[];
  /** Further assignments, e.g. `locked_at = now()` or `quote_id = picked.quote_id`. */
  set?: readonly Prisma.Sql[];
  /** Trades are locked in this order; the default, by id, is the one every waiting statement uses. */
  order?: Prisma.Sql;
  limit?: number;
  /** Skip trades another transaction holds instead of waiting for them (claims, recovery). */
  skipLocked?: boolean;
}

const list = (parts: readonly Prisma.Sql[]) => (parts.length > 0 ? Prisma.sql`, ${Prisma.join(parts, ", ")}` : Prisma.empty);

/**
 * Moves trades as the domain's `move` says: picks and locks the trades in the move's
 * `from` statuses, sets its `to` status and the extra assignments, and returns each moved
 * trade with the status it left. Statements that wait for locks take them in id order, so
 * two of them moving overlapping trades (a cancel and a quote write) never deadlock.
 */
export async function moveTrades(db: Queryable, move: TradeMoveName, options: MoveTradesOptions): Promise<TradeChange[]> {
  const { from, to } = TRADE_MOVES[move];
  const { where, join, carry = [], set = [], order = Prisma.sql`trade.id`, limit, skipLocked = false } = options;
  const rows = await db.$queryRaw<(TradeRow & { previousStatus: TradeStatus })[]>`
    WITH picked AS (
      SELECT trade.id, trade.status AS previous_status${list(carry)}
      FROM trade ${join ? Prisma.sql`JOIN ${join.relation} ON ${join.on}` : Prisma.empty}
      WHERE ${tradeStatusIn(from, "trade.status")} AND ${where}
      ORDER BY ${order}
      ${limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit}::int`}
      FOR UPDATE OF trade ${skipLocked ? Prisma.sql`SKIP LOCKED` : Prisma.empty})
    UPDATE trade t SET status = ${to}::"TradeStatus", updated_at = now()${list(set)}
    FROM picked
    WHERE t.id = picked.id
    RETURNING ${tradeColumns("t")}, picked.previous_status AS "previousStatus"`;
  return rows.map(({ previousStatus, ...trade }) => ({ trade, previousStatus }));
}
