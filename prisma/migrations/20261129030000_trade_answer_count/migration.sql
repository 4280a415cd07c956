-- The run charts' rollup (issue 10): the bank's answers counted per batch and second, so throughputSeries and
-- tradeVolume read a few rows per second of running instead of joining every attempt ever recorded. From now
-- on the statement that ends attempts answered (moveTrades) adds them here; this fills it from the attempts
-- answered before, hot and archived (archival leaves this table in place), as the charts counted them: an
-- attempt that ended BOOKED or REFUSED, at its finished_at.

-- CreateTable
CREATE TABLE "trade_answer_count" (
    "batch_id" UUID NOT NULL,
    "second" TIMESTAMPTZ(3) NOT NULL,
    "succeeded" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "first_answer_at" TIMESTAMPTZ(3) NOT NULL,
    "last_answer_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "trade_answer_count_pkey" PRIMARY KEY ("batch_id","second")
);

-- Written by hand (Prisma does not model checks): a row is one whole second with at least one answer in it.
ALTER TABLE "trade_answer_count" ADD CONSTRAINT "trade_answer_count_second_check" CHECK ("second" = date_trunc('second', "second")),
  ADD CONSTRAINT "trade_answer_count_counts_check" CHECK ("succeeded" >= 0 AND "failed" >= 0 AND "succeeded" + "failed" > 0);

-- The answers recorded before this migration.
INSERT INTO "trade_answer_count" ("batch_id", "second", "succeeded", "failed", "first_answer_at", "last_answer_at")
SELECT t."batch_id", date_trunc('second', a."finished_at"),
       count(*) FILTER (WHERE a."outcome" = 'BOOKED')::int, count(*) FILTER (WHERE a."outcome" = 'REFUSED')::int,
       min(a."finished_at"), max(a."finished_at")
FROM (SELECT "trade_id", "outcome", "finished_at" FROM "trade_attempt"
      UNION ALL SELECT "trade_id", "outcome", "finished_at" FROM "trade_attempt_archive") a
JOIN (SELECT "id", "batch_id" FROM "trade" UNION ALL SELECT "id", "batch_id" FROM "trade_archive") t ON t."id" = a."trade_id"
WHERE a."outcome" IN ('BOOKED', 'REFUSED') AND a."finished_at" IS NOT NULL
GROUP BY 1, 2;

-- CreateIndex
CREATE INDEX "trade_answer_count_second_idx" ON "trade_answer_count"("second");

-- AddForeignKey
ALTER TABLE "trade_answer_count" ADD CONSTRAINT "trade_answer_count_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
