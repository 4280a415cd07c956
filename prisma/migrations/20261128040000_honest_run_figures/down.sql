-- Rolls back 20261128040000_honest_run_figures: run time goes back to completed_at - started_at.
DROP INDEX IF EXISTS "trade_attempt_finished_at_idx";
ALTER TABLE "batch" DROP COLUMN IF EXISTS "run_started_at", DROP COLUMN IF EXISTS "finished_run_seconds", DROP COLUMN IF EXISTS "answered_trades";
