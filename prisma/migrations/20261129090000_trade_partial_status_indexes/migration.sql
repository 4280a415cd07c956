-- Every update of a trade is non-HOT (status, sequence and locked_at are indexed), and a non-HOT update adds an
-- entry to each index whose predicate the new row meets. A run moves each trade PENDING -> EXECUTING -> QUOTED ->
-- SUCCESS or FAILED, so it wrote three entries into each of these two indexes per trade. Their reads ask for
-- statuses apart: the claim and a batch's trades by status (PENDING, or a final status) on the first; recovery
-- (EXECUTING or QUOTED trades whose lease ran out) on the second. Each now holds only its own statuses: the first
-- gets one entry a trade (its outcome), the second two (claim, quote), three entries a trade fewer.
-- A new TradeStatus must be added to one of the two predicates.
DROP INDEX "trade_batch_id_status_row_number_idx";
CREATE INDEX "trade_batch_id_status_row_number_idx" ON "trade"("batch_id", "status", "row_number")
  WHERE "status" IN ('PENDING', 'SUCCESS', 'FAILED', 'CANCELLED');

DROP INDEX "trade_status_locked_at_idx";
CREATE INDEX "trade_status_locked_at_idx" ON "trade"("status", "locked_at") WHERE "status" IN ('EXECUTING', 'QUOTED');
