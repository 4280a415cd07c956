-- Rolls back 20261128000000_archive. Refuses while any trade is archived: the archive's rows would be
-- lost. Move them back first (INSERT INTO trade ... SELECT ... FROM trade_archive, the same for attempts).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "trade_archive") THEN
    RAISE EXCEPTION 'trade_archive holds archived trades: move them back to trade before rolling back 20261128000000_archive';
  END IF;
END $$;
DROP TABLE IF EXISTS "trade_attempt_archive";
DROP TABLE IF EXISTS "trade_archive";
DROP INDEX IF EXISTS "batch_archived_at_idx";
ALTER TABLE "batch" DROP COLUMN IF EXISTS "archived_at";
