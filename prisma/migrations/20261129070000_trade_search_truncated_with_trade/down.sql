-- Reverts 20261129070000_trade_search_truncated_with_trade: a TRUNCATE of trade leaves trade_search as it is.
DROP TRIGGER "trade_search_truncate" ON "trade";
DROP FUNCTION trade_search_truncate();
