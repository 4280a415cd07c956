-- Issue 9: the trade history and the batch and trade searches read a page through an index,
-- never the whole table per page.

-- pg_trgm (trigram indexes for ILIKE '%…%') is a contrib module of PostgreSQL itself: the
-- embedded server's binaries (embedded-postgres) ship it, as do Debian's postgresql-15 and the
-- postgres Docker images, and it is a trusted extension (PostgreSQL 13+), so the database's owner
-- may create it without being a superuser. A server without it fails here, with the remedy,
-- rather than silently searching by full scans.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
    RAISE EXCEPTION 'The PostgreSQL extension pg_trgm is not installed on this server. Install PostgreSQL''s contrib modules (e.g. the postgresql-contrib package) and run the migrations again.';
  END IF;
END $$;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- DropIndex (replaced by trade_history_idx: the history orders by coalesce(row_number, 0), which
-- an index on row_number itself cannot serve)
DROP INDEX "trade_created_at_row_number_id_idx";

-- CreateIndex (by hand: Prisma does not model indexes on expressions, and does not see them)
-- The trade history's order, and the same order within one status and within one batch.
CREATE INDEX "trade_history_idx" ON "trade"("created_at" DESC, (coalesce("row_number", 0)) DESC, "id" DESC);
CREATE INDEX "trade_history_status_idx" ON "trade"("status", "created_at" DESC, (coalesce("row_number", 0)) DESC, "id" DESC);
CREATE INDEX "trade_history_batch_idx" ON "trade"("batch_id", "created_at" DESC, (coalesce("row_number", 0)) DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "batch_search_trgm_idx" ON "batch" USING GIN ("batch_uid" gin_trgm_ops, "name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "trade_search_trgm_idx" ON "trade" USING GIN ("client_id" gin_trgm_ops, "client_name" gin_trgm_ops, "account_number" gin_trgm_ops, "reference" gin_trgm_ops, "quote_id" gin_trgm_ops, "transaction_id" gin_trgm_ops);
