-- A cancel counts a batch's PENDING trades as cancelled at once and changes their rows afterwards,
-- chunk by chunk: this is how many of its cancelled trades still have to be written.
ALTER TABLE "batch" ADD COLUMN "cancelled_unmoved_trades" INTEGER NOT NULL DEFAULT 0;

-- Every read asks which batches have such trades: the few with a count above 0, a range of this index.
CREATE INDEX "batch_cancelled_unmoved_trades_idx" ON "batch"("cancelled_unmoved_trades");

-- A cancel under way when this applies was counting its trades as their rows were written: its
-- PENDING trades are not yet in cancelled_trades. They are counted now, as the new code's request
-- would have counted them, so its chunks (which take PENDING rows off this count) find them here.
UPDATE "batch" b
SET "cancelled_trades" = b."cancelled_trades" + pending.trades,
    "cancelled_unmoved_trades" = pending.trades
FROM (SELECT "batch_id", count(*)::int AS trades FROM "trade" WHERE "status" = 'PENDING' GROUP BY "batch_id") pending
WHERE pending."batch_id" = b."id" AND b."cancel_requested_at" IS NOT NULL;

-- A chunk never takes off more rows than were counted.
ALTER TABLE "batch" ADD CONSTRAINT "batch_cancelled_unmoved_trades_check" CHECK ("cancelled_unmoved_trades" >= 0);
