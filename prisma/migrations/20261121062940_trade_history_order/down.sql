-- DropIndex
DROP INDEX "public"."trade_created_at_row_number_id_idx";

-- CreateIndex
CREATE INDEX "trade_created_at_id_idx" ON "public"."trade"("created_at" DESC, "id" DESC);


