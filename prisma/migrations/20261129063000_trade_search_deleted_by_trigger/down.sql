-- Reverts 20261129063000_trade_search_deleted_by_trigger: the foreign key from trade_search to trade
-- deletes a trade's rows again.
DROP TRIGGER "trade_search_delete" ON "trade";
DROP FUNCTION trade_search_delete();

-- Rows naming a trade that is gone (a TRUNCATE of trade before 20261129070000 left them all) would
-- stop the key from being added; they index nothing, so they go.
DELETE FROM "trade_search" s WHERE NOT EXISTS (SELECT 1 FROM "trade" t WHERE t.id = s.trade_id);

ALTER TABLE "trade_search" ADD CONSTRAINT "trade_search_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "trade"("id") ON DELETE CASCADE ON UPDATE CASCADE;
