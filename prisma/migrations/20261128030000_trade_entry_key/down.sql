-- Rolls back 20261128030000_trade_entry_key: createTrade's idempotency keys are forgotten (the trades stay).
DROP TABLE IF EXISTS "trade_entry_key";
