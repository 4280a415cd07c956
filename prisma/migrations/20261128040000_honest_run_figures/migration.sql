-- Honest run figures (issue 10): run time is the sum of the batch's runs (promotion to RUNNING until it
-- closes), not completed_at - started_at, which counted the queue and the idle time before a retry; and
-- throughput counts only the trades the bank answered.

-- AlterTable
ALTER TABLE "batch" ADD COLUMN     "answered_trades" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "finished_run_seconds" DOUBLE PRECISION NOT NULL DEFAULT 0,
ADD COLUMN     "run_started_at" TIMESTAMPTZ(3);

-- Batches that ran before this migration: their runs were not recorded apart, so a finished batch's one
-- figure is what was shown before (started_at to completed_at), a running one's run starts at started_at,
-- and its answers are its trades now booked or refused.
UPDATE "batch" SET "answered_trades" = "succeeded_trades" + "failed_trades",
  "finished_run_seconds" = CASE WHEN "status" <> 'RUNNING' AND "started_at" IS NOT NULL AND "completed_at" IS NOT NULL
                                THEN greatest(0, extract(epoch FROM "completed_at" - "started_at")) ELSE 0 END,
  "run_started_at" = CASE WHEN "status" = 'RUNNING' THEN "started_at" END
WHERE "started_at" IS NOT NULL;

-- CreateIndex
CREATE INDEX "trade_attempt_finished_at_idx" ON "trade_attempt"("finished_at");
