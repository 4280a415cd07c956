-- Reverts 20261129090000_trade_partial_status_indexes.
DROP INDEX "trade_status_locked_at_idx";
CREATE INDEX "trade_status_locked_at_idx" ON "trade"("status", "locked_at");

DROP INDEX "trade_batch_id_status_row_number_idx";
CREATE INDEX "trade_batch_id_status_row_number_idx" ON "trade"("batch_id", "status", "row_number");
