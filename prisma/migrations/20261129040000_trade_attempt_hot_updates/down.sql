-- Reverts 20261129040000_trade_attempt_hot_updates.
ALTER TABLE "trade_attempt" RESET (fillfactor);

CREATE INDEX "trade_attempt_finished_at_idx" ON "trade_attempt"("finished_at");
