-- Reverts 20261129100000_trade_claim_order_index. Roll the code back with it: this release's claims order by the
-- index's expression, which no other index gives, and would sort all of a batch's PENDING trades without it.
DROP INDEX "trade_claim_order_idx";
