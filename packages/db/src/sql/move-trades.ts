import { type AttemptOutcome, isAnsweredOutcome, TRADE_MOVES, type TradeMoveName, type TradeStatus } from "@fxbt/domain";
import type { TradeChange } from "../changes";
import { Prisma } from "../generated/prisma/client";
import type { Queryable } from "../queryable";
import { type BatchRow, batchFieldsAs, type TradeRow, tradeColumnsAsWritten } from "../rows";
import { FINAL_STATUS_COUNTERS, lockedTradesById, tradeStatusIn } from "./fragments";

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
  /**
   * The trades to move named by id: a relation aliased `q` with an `id` column, e.g.
   * `unnest(…) AS q(id, idempotency_key)`, whose columns `where` may test. Each trade is looked up
   * by its primary key (lockedTradesById), never by a plan the statistics choose.
   */
  byId?: Prisma.Sql;
  /** Columns of `byId` the assignments need, e.g. `q.quote_id`; they are read as `picked.quote_id`. */
  carry?: readonly Prisma.Sql[];
  /** Further assignments, e.g. `locked_at = now()` or `quote_id = picked.quote_id`. */
  set?: readonly Prisma.Sql[];
  /**
   * Trades are picked, and locked, in this order; the default, by id, is the one every waiting
   * statement uses. With `byId` they are locked by id whatever this says (lockedTradesById).
   */
  order?: Prisma.Sql;
  /** At most this many trades; not with `byId`, which locks each trade it names before `where` and the guard test it. */
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
  /**
   * With several moves: which one each picked trade makes, an expression over `byId` (e.g. `q.move`)
   * giving one of their names. Each trade is held to its own move's `from` statuses and goes to its `to`.
   */
  moveOf?: Prisma.Sql;
  /**
   * Adds the trades that reach a final status (SUCCESS, FAILED, CANCELLED) to their batches'
   * succeeded/failed/cancelled counters in the same statement, so the counters equal the statuses
   * at every commit without a second statement holding the batch row.
   */
  countsFinal?: boolean;
}

/** A value that depends on each row's move: the value itself for one move, else a CASE over `moveColumn`. */
function perMove(moves: readonly TradeMoveName[], moveColumn: string, value: (move: TradeMoveName) => Prisma.Sql): Prisma.Sql {
  if (moves.length === 1) return value(moves[0]!);
  const cases = moves.map((move) => Prisma.sql`WHEN ${move} THEN ${value(move)}`);
  return Prisma.sql`CASE ${Prisma.raw(moveColumn)} ${Prisma.join(cases, " ")} END`;
}

/** What every move of one statement must share: whether it starts an attempt, and whether the attempt it ends was answered. */
function sharedTraits(moves: readonly TradeMoveName[]): { startsAttempt: boolean; endsAttempt: boolean; answers: boolean } {
  const traits = moves.map((name) => {
    const move = TRADE_MOVES[name] as { startsAttempt?: boolean; endsAttempt?: AttemptOutcome };
    return {
      startsAttempt: move.startsAttempt ?? false,
      endsAttempt: move.endsAttempt !== undefined,
      answers: isAnsweredOutcome(move.endsAttempt),
    };
  });
  const first = traits[0];
  if (
    !first ||
    traits.some((t) => t.startsAttempt !== first.startsAttempt || t.endsAttempt !== first.endsAttempt || t.answers !== first.answers)
  )
    throw new Error(`moveTrades: the moves ${moves.join(", ")} cannot share one statement`);
  return first;
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
 *
 * A move that ends attempts with the bank's answer (booked or refused, a requote's refused booking
 * included) adds them to their batches' answered_trades in the same statement: the counter is the
 * count of answered attempts the throughput chart draws, and the sweeper recounts it from them.
 */
export async function moveTrades(db: Queryable, move: TradeMoveName, options: MoveTradesOptions): Promise<TradeChange[]> {
  return (await moveTradesOfBatches(db, [move], { ...options, withBatches: false })).trades;
}

/**
 * moveTrades for one or several moves (each trade's named by `moveOf`), returning with the trades
 * the batches as the statement left them (their counters, their range of event numbers).
 */
export async function moveTradesOfBatches(
  db: Queryable,
  moves: readonly TradeMoveName[],
  options: MoveTradesOptions & { withBatches?: boolean },
): Promise<{ trades: TradeChange[]; batches: BatchRow[] }> {
  const { batches, where, byId, carry = [], set = [], order = Prisma.sql`trade.id`, limit, skipLocked = false, history = [] } = options;
  const { startsAttempt, endsAttempt, answers } = sharedTraits(moves);
  if (moves.length > 1 && !options.moveOf) throw new Error("moveTrades: several moves need moveOf");
  if (byId && limit !== undefined) throw new Error("moveTrades: a limit needs trades picked by condition, not byId");
  const withBatches = options.withBatches ?? true;
  const statusTo = (column: string) => perMove(moves, column, (name) => Prisma.sql`${TRADE_MOVES[name].to}::"TradeStatus"`);
  const guard =
    moves.length === 1
      ? tradeStatusIn(TRADE_MOVES[moves[0]!].from, "trade.status")
      : Prisma.sql`(${Prisma.join(
          moves.map((name) => Prisma.sql`(${options.moveOf} = ${name} AND ${tradeStatusIn(TRADE_MOVES[name].from, "trade.status")})`),
          " OR ",
        )})`;
  const finalCounters = options.countsFinal ? Object.entries(FINAL_STATUS_COUNTERS) : [];
  const addCounted = finalCounters.map(([, column]) => Prisma.raw(`${column} = batch.${column} + counted.${column}`));
  const countFinal = finalCounters.map(
    ([status, column]) =>
      Prisma.sql`count(*) FILTER (WHERE ${statusTo("picked.move")} = ${status}::"TradeStatus")::int AS ${Prisma.raw(column)}`,
  );
  const outcome = (column: string) =>
    perMove(moves, column, (name) => Prisma.sql`${(TRADE_MOVES[name] as { endsAttempt?: AttemptOutcome }).endsAttempt}::"AttemptOutcome"`);
  const writes = [
    ...(endsAttempt ? endAttempt(outcome("(moved.picked).move"), answers, options.carriesAnswer ?? false) : []),
    ...(startsAttempt ? [Prisma.sql`started_attempts AS (${START_ATTEMPT})`] : []),
    ...history.map((statement, i) => Prisma.sql`${Prisma.raw(`history_${i}`)} AS (${statement})`),
  ];
  // The batches' ids are an InitPlan of `picked` (an uncorrelated subquery): PostgreSQL computes
  // it, taking every batch lock, before the scan below returns (and locks) its first trade.
  const ofLockedBatches = Prisma.sql`trade.batch_id = ANY((SELECT array_agg(id) FROM locked_batches)::uuid[])`;
  // `in_order` numbers the picked trades as `picked` produced them (a CTE is scanned in the order
  // it produced its rows; FOR UPDATE does not allow the window function in `picked` itself).
  // A batch's row is returned once, with its first trade (the one numbered last_before + 1).
  const rows = await db.$queryRaw<(TradeRow & { previousStatus: TradeStatus } & Record<string, unknown>)[]>`
    WITH locked_batches AS (
      SELECT batch.id FROM batch WHERE ${batches} ORDER BY batch.id FOR UPDATE),
    picked AS (
      SELECT trade.id, trade.batch_id, trade.status AS previous_status, trade.idempotency_key,
             ${moves.length === 1 ? Prisma.sql`${moves[0]}::text` : options.moveOf} AS move${list(carry)}
      FROM ${byId ? lockedTradesById(byId, { condition: ofLockedBatches, skipLocked }) : Prisma.sql`trade`}
      WHERE ${byId ? Prisma.empty : Prisma.sql`${ofLockedBatches} AND`} ${guard} AND ${where}
      ORDER BY ${order}
      ${limit === undefined ? Prisma.empty : Prisma.sql`LIMIT ${limit}::int`}
      ${byId ? Prisma.empty : Prisma.sql`FOR UPDATE OF trade ${skipLocked ? Prisma.sql`SKIP LOCKED` : Prisma.empty}`}),
    numbered_batches AS (
      UPDATE batch SET event_sequence = batch.event_sequence + counted.moves${
        answers ? Prisma.sql`, answered_trades = batch.answered_trades + counted.moves` : Prisma.empty
      }${list(addCounted)}
      FROM (SELECT batch_id, count(*)::int AS moves${list(countFinal)} FROM picked GROUP BY batch_id) counted
      WHERE batch.id = counted.batch_id
      RETURNING ${withBatches ? Prisma.sql`batch.*` : Prisma.sql`batch.id`}, batch.event_sequence - counted.moves AS last_before),
    in_order AS (
      SELECT picked.*, row_number() OVER () AS ordinal FROM picked),
    numbered AS (
      SELECT in_order.*, nb.last_before + row_number() OVER (PARTITION BY in_order.batch_id ORDER BY in_order.ordinal) AS sequence
      FROM in_order JOIN numbered_batches nb ON nb.id = in_order.batch_id),
    moved AS (
      UPDATE trade t SET status = ${statusTo("picked.move")}, updated_at = now(), sequence = picked.sequence${list(set)}
      FROM numbered picked
      WHERE t.id = picked.id
      RETURNING t.*, picked.previous_status, picked)
    ${list(writes)}
    SELECT ${tradeColumnsAsWritten("moved")}, moved.previous_status AS "previousStatus"${
      withBatches ? Prisma.sql`, ${batchFieldsAs("nb", BATCH_FIELD_PREFIX)}` : Prisma.empty
    }
    FROM moved ${withBatches ? Prisma.sql`LEFT JOIN numbered_batches nb ON nb.id = moved.batch_id AND moved.sequence = nb.last_before + 1` : Prisma.empty}
    ORDER BY (moved.picked).ordinal`;
  if (!withBatches) return { trades: rows.map(({ previousStatus, ...trade }) => ({ trade, previousStatus })), batches: [] };
  const trades: TradeChange[] = [];
  const batchRows: BatchRow[] = [];
  // By the field lists rather than by every key of every row (Object.entries and a prefix test on
  // each of sixty keys, three rows a trade, showed among the runner's allocations): a batch's
  // fields are read only from the one row that carries them.
  for (const row of rows) {
    const trade: Record<string, unknown> = {};
    for (const field of TRADE_FIELDS) trade[field] = row[field];
    trades.push({ trade: trade as TradeRow, previousStatus: row.previousStatus });
    if (row[BATCH_ID] == null) continue;
    const batch: Record<string, unknown> = {};
    for (const field of BATCH_FIELDS) batch[field] = row[BATCH_FIELD_PREFIX + field];
    batchRows.push(batch as BatchRow);
  }
  return { trades, batches: batchRows };
}

/** Prefix of the batch's columns in a row of moveTradesOfBatches' result. */
const BATCH_FIELD_PREFIX = "batch.";
const BATCH_ID = `${BATCH_FIELD_PREFIX}id`;
const TRADE_FIELDS = Object.keys(Prisma.TradeScalarFieldEnum);
const BATCH_FIELDS = Object.keys(Prisma.BatchScalarFieldEnum);

/** Records the attempt a move started: its number is the trade's attempt count, its key the trade's new key. */
const START_ATTEMPT = Prisma.sql`
  INSERT INTO trade_attempt (trade_id, number, idempotency_key) SELECT id, attempts, idempotency_key FROM moved`;

/**
 * Ends the attempt the trades were under (the key they had when picked), unless it has ended already.
 * An answer of the bank (booked or refused) is also added to trade_answer_count, the run charts'
 * rollup, from the attempts this very statement ended: whatever move ends an attempt answered, the
 * rollup cannot disagree with trade_attempt. Its (batch, second) rows belong to batches the move has
 * locked (locked_batches), so they add no lock another writer could take in another order.
 */
function endAttempt(outcome: Prisma.Sql, answered: boolean, carriesAnswer: boolean): Prisma.Sql[] {
  const answer = carriesAnswer
    ? Prisma.sql`, transaction_id = (moved.picked).transaction_id, error_code = (moved.picked).error_code,
        error_message = (moved.picked).error_message, booking_sent_at = coalesce(a.booking_sent_at, (moved.picked).booking_sent_at)`
    : Prisma.empty;
  const ended = Prisma.sql`ended_attempts AS (
    UPDATE trade_attempt a SET outcome = ${outcome}, finished_at = now()${answer}
    FROM moved WHERE a.idempotency_key = (moved.picked).idempotency_key AND a.outcome IS NULL
    RETURNING moved.batch_id, a.outcome, a.finished_at)`;
  if (!answered) return [ended];
  // finished_at as stored (RETURNING gives it at the column's millisecond precision), not now():
  // the rollup's second is the one the attempt's own finished_at falls in.
  const counted = Prisma.sql`counted_answers AS (
    INSERT INTO trade_answer_count AS c (batch_id, second, succeeded, failed, first_answer_at, last_answer_at)
    SELECT batch_id, date_trunc('second', finished_at), count(*) FILTER (WHERE outcome = 'BOOKED'),
           count(*) FILTER (WHERE outcome = 'REFUSED'), min(finished_at), max(finished_at)
    FROM ended_attempts GROUP BY 1, 2
    ON CONFLICT (batch_id, second) DO UPDATE SET succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed,
      first_answer_at = least(c.first_answer_at, excluded.first_answer_at), last_answer_at = greatest(c.last_answer_at, excluded.last_answer_at))`;
  return [ended, counted];
}
