-- Rolls back 20261129030000_trade_answer_count: the run charts' rollup goes; the code before it reads the attempts.
DROP TABLE IF EXISTS "trade_answer_count";
