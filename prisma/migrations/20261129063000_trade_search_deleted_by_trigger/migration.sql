-- trade_search loses its foreign key to trade; a trigger deletes a trade's rows with it instead.
--
-- A foreign key is checked once per inserted row, with a plan each connection prepares once and keeps
-- until the referenced table is next analyzed. A connection that staged small batches while `trade`
-- was a page or two keeps a sequential scan of `trade` for that check, and staging inserts one
-- trade_search row per trade in the same transaction as the trades: each check then read all of the
-- staging's rows so far, so 100,000 rows took over 120 s instead of 10 (quadratic) whenever
-- autovacuum had not analyzed `trade` since (the API's staging test beside the faults tests, on a
-- busy server; packages/db stage-batch.test.ts counts the scans). The rows here are written only
-- by the triggers on trade, from the trade's own row, so the key guarded nothing they do not.

-- DropForeignKey
ALTER TABLE "trade_search" DROP CONSTRAINT "trade_search_trade_id_fkey";

-- Written by hand (Prisma does not model triggers). Statement-level, as the insert trigger: a
-- batch's trades deleted by one statement (a staged batch deleted, its trades archived) are one
-- DELETE here, through trade_search's primary key.
CREATE FUNCTION trade_search_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM trade_search WHERE trade_id IN (SELECT id FROM deleted);
  RETURN NULL;
END
$$;

CREATE TRIGGER trade_search_delete AFTER DELETE ON "trade"
  REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION trade_search_delete();
