-- Reverts 20261129052000_search_lowered: the batch list's trigram index on the two columns themselves,
-- and no statistics on the trades' joined search text.
DROP STATISTICS "trade_archive_search_text_stats";
DROP STATISTICS "trade_search_text_stats";

DROP INDEX "batch_search_text_trgm_idx";

CREATE INDEX "batch_search_trgm_idx" ON "batch" USING GIN ("batch_uid" gin_trgm_ops, "name" gin_trgm_ops);
