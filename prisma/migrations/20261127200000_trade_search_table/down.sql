-- Rolls back 20261127200000_trade_search_table: the search goes back to the trigram index on trade.
DROP TRIGGER IF EXISTS trade_search_update ON "trade";
DROP TRIGGER IF EXISTS trade_search_insert ON "trade";
DROP FUNCTION IF EXISTS trade_search_update();
DROP FUNCTION IF EXISTS trade_search_insert();
DROP FUNCTION IF EXISTS trade_search_set(uuid, "TradeSearchField", text);
DROP TABLE IF EXISTS "trade_search";
DROP FUNCTION IF EXISTS trade_search_instruction(text, text, text, text);
DROP TYPE IF EXISTS "TradeSearchField";
CREATE INDEX IF NOT EXISTS "trade_search_trgm_idx" ON "trade" USING GIN ("client_id" gin_trgm_ops, "client_name" gin_trgm_ops, "account_number" gin_trgm_ops, "reference" gin_trgm_ops, "quote_id" gin_trgm_ops, "transaction_id" gin_trgm_ops);
