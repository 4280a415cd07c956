-- The searches of the batch list (batchUid or name) and of the trade history (six columns of a trade)
-- match the columns joined by line feeds and lowered once, LIKE the lowered search (packages/db
-- fragments.ts, foundIn), instead of ILIKE on each column: ILIKE lowers the text and the pattern on
-- every call, so a search that many rows match spent its count on conversions (bench/reads.ts:
-- 'payroll 3', 2,161 of 10,000 batches, counted through 20,000 ILIKEs; 'TX-', every booked trade,
-- through six ILIKEs on each trade until 10,001 matched).
--
-- The batch list's trigram index is on that expression now. Prisma does not model indexes on
-- expressions (nor see them), so it is written by hand.
-- DropIndex
DROP INDEX "batch_search_trgm_idx";

-- CreateIndex (by hand: an expression index)
CREATE INDEX "batch_search_text_trgm_idx" ON "batch" USING GIN ((lower(coalesce("batch_uid", '') || E'\n' || coalesce("name", ''))) gin_trgm_ops);

-- The trades' expression has no index (trade_search serves a rare search; an index here would be
-- rewritten by every status change), so the planner would guess from the pattern alone how many
-- trades a search matches (100 of 1,000,000 for 'holdings', which all of them match) and sort every
-- match of a common search (3.5 s) instead of walking the history's index until the page is full
-- (1 ms). Statistics on the expression, gathered by ANALYZE as for a column, tell it.
-- Prisma does not model statistics objects either. The archive's history searches the same way.
CREATE STATISTICS "trade_search_text_stats" ON (lower(coalesce("client_id", '') || E'\n' || coalesce("client_name", '') || E'\n' || coalesce("account_number", '') || E'\n' || coalesce("reference", '') || E'\n' || coalesce("quote_id", '') || E'\n' || coalesce("transaction_id", ''))) FROM "trade";
CREATE STATISTICS "trade_archive_search_text_stats" ON (lower(coalesce("client_id", '') || E'\n' || coalesce("client_name", '') || E'\n' || coalesce("account_number", '') || E'\n' || coalesce("reference", '') || E'\n' || coalesce("quote_id", '') || E'\n' || coalesce("transaction_id", ''))) FROM "trade_archive";

-- Gathered now, not at the next autovacuum: until then a common search would be planned blind.
ANALYZE "batch";
ANALYZE "trade";
ANALYZE "trade_archive";
