-- Rolls back 20261129021000_trade_attempt_archive_finished_at: the volume chart would scan the archived attempts.
DROP INDEX IF EXISTS "trade_attempt_archive_finished_at_idx";
