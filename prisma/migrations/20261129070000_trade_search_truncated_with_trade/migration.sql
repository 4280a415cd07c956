-- TRUNCATE of trade empties trade_search too. Since trade_search lost its foreign key to trade
-- (20261129063000_trade_search_deleted_by_trigger), `TRUNCATE trade ... CASCADE` no longer reaches
-- it, and a TRUNCATE fires no DELETE trigger: every row here was left behind, naming trades that are
-- gone (packages/db's emptyTables did so). A statement-level AFTER TRUNCATE trigger is the one way
-- to follow a TRUNCATE; it empties the whole table, as the key's cascade did.
-- Written by hand (Prisma does not model triggers).
CREATE FUNCTION trade_search_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE trade_search;
  RETURN NULL;
END
$$;

CREATE TRIGGER trade_search_truncate AFTER TRUNCATE ON "trade"
  FOR EACH STATEMENT EXECUTE FUNCTION trade_search_truncate();
