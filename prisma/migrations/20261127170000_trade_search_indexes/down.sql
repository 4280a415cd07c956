-- Undoes 20261127170000_trade_search_indexes: the trigram and trade history indexes, and pg_trgm.
-- DropIndex
DROP INDEX "public"."trade_search_trgm_idx";
DROP INDEX "public"."batch_search_trgm_idx";

-- DropIndex (by hand: the expression indexes Prisma does not model)
DROP INDEX "public"."trade_history_batch_idx";
DROP INDEX "public"."trade_history_status_idx";
DROP INDEX "public"."trade_history_idx";

-- CreateIndex
CREATE INDEX "trade_created_at_row_number_id_idx" ON "public"."trade"("created_at" DESC, "row_number" DESC, "id" DESC);

-- The extension this migration created; nothing else of the schema uses it.
DROP EXTENSION IF EXISTS pg_trgm;
