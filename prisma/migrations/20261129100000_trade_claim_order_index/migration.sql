-- The runner claims a batch's PENDING trades in row order, a few at a time. Two indexes served that order:
-- (batch_id, status, row_number) from the batch's first PENDING entry, and (batch_id, row_number) with a filter on
-- status. Statistics taken while a batch is all PENDING (autovacuum's ANALYZE after a large staging) say the filter
-- drops nothing, so the two cost the same to the planner, and it took the second once the first had grown by the
-- batch's finished trades: each claim then read every trade the batch had run before its first PENDING one, more the
-- further it ran (0.38 -> 0.72 ms of database CPU a trade over a 100,000-trade run, README "What bounds the runner").
-- The claim orders by row_number::bigint, an expression only this index holds, so no other index gives its order
-- without a sort of all the batch's PENDING trades. PENDING trades only: a trade gets its one entry when staged,
-- and none of its later (non-HOT) updates adds one, since the new row fails the predicate.
CREATE INDEX "trade_claim_order_idx" ON "trade"("batch_id", ("row_number"::bigint)) WHERE "status" = 'PENDING';
