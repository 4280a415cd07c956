-- A cancel counts a batch's PENDING trades as cancelled at once and changes their rows afterwards,
-- chunk by chunk: this is how many of its cancelled trades still have to be written.
ALTER TABLE "batch" ADD COLUMN "cancelled_unmoved_trades" INTEGER NOT NULL DEFAULT 0;

-- Every read asks which batches have such trades: the few with a count above 0, a range of this index.
CREATE INDEX "batch_cancelled_unmoved_trades_idx" ON "batch"("cancelled_unmoved_trades");
