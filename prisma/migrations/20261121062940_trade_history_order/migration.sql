-- DropIndex
DROP INDEX "trade_created_at_id_idx";

-- CreateIndex
CREATE INDEX "trade_created_at_row_number_id_idx" ON "trade"("created_at" DESC, "row_number" DESC, "id" DESC);
