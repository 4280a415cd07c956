import type pg from "pg";

/**
 * trade_answer_count (the run charts' rollup) as the answered attempts say it must be, hot and
 * archived, for the batches `batches` selects (an SQL condition on `t.batch_id`). An answered
 * attempt ended BOOKED or REFUSED with a finished_at, as the charts define it. The product never
 * computes this (moveTrades adds each answer as it ends the attempt): tests and benches that write
 * attempts by hand count them with it, and check the product's rollup against it.
 */
const expectedAnswerCounts = (batches: string) => `
  SELECT t.batch_id, date_trunc('second', a.finished_at) AS second,
         count(*) FILTER (WHERE a.outcome = 'BOOKED')::int AS succeeded, count(*) FILTER (WHERE a.outcome = 'REFUSED')::int AS failed,
         min(a.finished_at) AS first_answer_at, max(a.finished_at) AS last_answer_at
  FROM (SELECT trade_id, outcome, finished_at FROM trade_attempt UNION ALL SELECT trade_id, outcome, finished_at FROM trade_attempt_archive) a
  JOIN (SELECT id, batch_id FROM trade UNION ALL SELECT id, batch_id FROM trade_archive) t ON t.id = a.trade_id
  WHERE a.outcome IN ('BOOKED', 'REFUSED') AND a.finished_at IS NOT NULL AND ${batches}
  GROUP BY 1, 2`;

/**
 * Rewrites the rollup rows of these batches from their attempts: for fixtures that insert attempts,
 * or move their finish times, with SQL of their own instead of the product's moves.
 */
export async function recountAnswers(db: pg.ClientBase | pg.Pool, batchIds: readonly string[]): Promise<void> {
  await db.query("DELETE FROM trade_answer_count WHERE batch_id = ANY($1::uuid[])", [batchIds]);
  await db.query(
    `INSERT INTO trade_answer_count (batch_id, second, succeeded, failed, first_answer_at, last_answer_at)
     ${expectedAnswerCounts("t.batch_id = ANY($1::uuid[])")}`,
    [batchIds],
  );
}

/** A (batch, second) where the rollup and the attempts differ: the row the attempts give, or the rollup's own. */
export interface AnswerCountDisagreement {
  problem: "missing from trade_answer_count" | "not what the attempts say";
  batchId: string;
  second: Date;
  succeeded: number;
  failed: number;
  firstAnswerAt: Date;
  lastAnswerAt: Date;
}

/** Every row where trade_answer_count differs from what all the answered attempts say, both ways; empty when they agree. */
export async function answerCountDisagreements(db: pg.ClientBase | pg.Pool): Promise<AnswerCountDisagreement[]> {
  const { rows } = await db.query<AnswerCountDisagreement>(
    `WITH expected AS (${expectedAnswerCounts("true")}),
     actual AS (SELECT batch_id, second, succeeded, failed, first_answer_at, last_answer_at FROM trade_answer_count)
     SELECT problem, batch_id AS "batchId", second, succeeded, failed, first_answer_at AS "firstAnswerAt", last_answer_at AS "lastAnswerAt"
     FROM (SELECT 'missing from trade_answer_count' AS problem, * FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM actual) missing
           UNION ALL
           SELECT 'not what the attempts say', * FROM (SELECT * FROM actual EXCEPT ALL SELECT * FROM expected) other) disagreements
     ORDER BY "batchId", second, problem`,
  );
  return rows;
}
