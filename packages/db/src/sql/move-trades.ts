import { type AttemptOutcome, TRADE_MOVES, type TradeMove, type TradeMoveName, type TradeStatus } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { type TradeRow, tradeColumns } from "../rows";
import { tradeStatusIn } from "./fragments";

export interface MoveTradesOptions {
  /**
   * Which batches the move may take trades of: a condition on `batch`, e.g. `batch.id = …`. They are
   * locked first, in id order (the order every statement that waits for batch rows takes), before
   * any trade; only their trades move. A batch that no longer meets the condition once its lock is
   * granted (a cancel committed meanwhile) is left alone.
   */
  batches: Prisma.Sql;
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
  /**
   * Further writes to the trades' attempt history, in the same statement: statements over
   * `moved` (the moved trades as they are now, with the picked row as `(moved.picked)`, whose
   * columns are the old `idempotency_key` and `carry`). Starting and ending attempts needs
   * none: the move's `startsAttempt` / `endsAttempt` say it.
   */
  history?: readonly Prisma.Sql[];
  /**
   * The bank's answer is carried (as `transaction_id`, `error_code`, `error_message`,
   * `booking_sent_at`) and is written to the attempt the move ends.
   */
  carriesAnswer?: boolean;
}

const list = (parts: readonly Prisma.Sql[]) => (parts.length > 0 ? Prisma.sql`, ${Prisma.join(parts, ", ")}` : Prisma.empty);

/**
 * Moves trades as the domain's `move` says: picks and locks the trades in the move's
 * `from` statuses, sets its `to` status and the extra assignments, and returns each moved
 * trade with the status it left. Statements that wait for locks take them in id order, batches
 * before trades, so two of them moving overlapping trades (a cancel and a quote write) never deadlock.
 *
 * Each moved trade takes the next number of its batch's event sequence (`trade.sequence`, in the
 * order the trades were picked, which is also the order they are returned in; `batch.event_sequence`
 * is raised by as many). The batch row stays
 * locked until the transaction commits, so numbers are in commit order: a subscriber that has seen
 * every event up to n and reads the trades above n misses none.
 */
export async function moveTrades(db: Queryable, move: TradeMoveName, options: MoveTradesOptions): Promise<TradeChange[]> {
  const { from, to, startsAttempt, endsAttempt }: TradeMove = TRADE_MOVES[move];
  const { batches, where, join, carry = [], set = [], order = Prisma.sql`trade.id`, limit, skipLocked = false, history = [] } = options;
  const writes = [
    ...(endsAttempt ? [endAttempt(endsAttempt, options.carriesAnswer ?? false)] : []),
    ...(startsAttempt ? [START_ATTEMPT] : []),
    ...history,
  ];
  const historyWrites = writes.map((statement, i) => Prisma.sql`, ${Prisma.raw(`history_${i}`)} AS (${statement})`);
  // The batches' ids are an InitPlan of `picked` (an uncorrelated subquery): PostgreSQL computes
  // it, taking every batch lock, before the scan below returns (and locks) its first trade.
  // `in_order` numbers the picked trades as `picked` produced them (a CTE is scanned in the order
  // it produced its rows; FOR UPDATE does not allow the window function in `picked` itself).
  const rows = await db.$queryRaw<(TradeRow & { previousStatus: TradeStatus })[]>`
    WITH locked_batches AS (
      SELECT batch.id FROM batch WHERE ${batches} ORDER BY batch.id FOR UPDATE),
    picked AS (
      SELECT trade.id, trade.batch_id, trade.status AS previous_status, trade.idempotency_key${list(carry)}
      FROM trade ${join ? Prisma.sql`JOIN ${join.relation} ON ${join.on}` : Prisma.empty}
      WHERE trade.batch_id = ANY((SELECT array_agg(id) FROM locked_batches)::uuid[])
        AND ${tradeStatusIn(from, "trade.status")} AND ${where}
      ORDER BY ${order}
      ${limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit}::int`}
      FOR UPDATE OF trade ${skipLocked ? Prisma.sql`SKIP LOCKED` : Prisma.empty}),
    numbered_batches AS (
      UPDATE batch SET event_sequence = batch.event_sequence + counted.moves
      FROM (SELECT batch_id, count(*)::int AS moves FROM picked GROUP BY batch_id) counted
      WHERE batch.id = counted.batch_id
      RETURNING batch.id, batch.event_sequence - counted.moves AS last_before),
    in_order AS (
      SELECT picked.*, row_number() OVER () AS ordinal FROM picked),
    numbered AS (
      SELECT in_order.*, nb.last_before + row_number() OVER (PARTITION BY in_order.batch_id ORDER BY in_order.ordinal) AS sequence
      FROM in_order JOIN numbered_batches nb ON nb.id = in_order.batch_id),
    moved AS (
      UPDATE trade t SET status = ${to}::"TradeStatus", updated_at = now(), sequence = picked.sequence${list(set)}
      FROM numbered picked
      WHERE t.id = picked.id
      RETURNING t.*, picked.previous_status, picked)
    ${historyWrites.length > 0 ? Prisma.join(historyWrites, "") : Prisma.empty}
    SELECT ${tradeColumns("moved")}, moved.previous_status AS "previousStatus" FROM moved ORDER BY (moved.picked).ordinal`;
  return rows.map(({ previousStatus, ...trade }) => ({ trade, previousStatus }));
}

/** Records the attempt a move started: its number is the trade's attempt count, its key the trade's new key. */
const START_ATTEMPT = Prisma.sql`
  INSERT INTO trade_attempt (trade_id, number, idempotency_key) SELECT id, attempts, idempotency_key FROM moved`;

/** Ends the attempt the trades were under (the key they had when picked), unless it has ended already. */
function endAttempt(outcome: AttemptOutcome, carriesAnswer: boolean): Prisma.Sql {
  const answer = carriesAnswer
    ? Prisma.sql`, transaction_id = (moved.picked).transaction_id, error_code = (moved.picked).error_code,
        error_message = (moved.picked).error_message, booking_sent_at = coalesce(a.booking_sent_at, (moved.picked).booking_sent_at)`
    : Prisma.empty;
  return Prisma.sql`
    UPDATE trade_attempt a SET outcome = ${outcome}::"AttemptOutcome", finished_at = now()${answer}
    FROM moved WHERE a.idempotency_key = (moved.picked).idempotency_key AND a.outcome IS NULL`;
}
