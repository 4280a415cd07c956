-- Issue 9: the trade history's search leaves the trade table. Its trigram index covered six
-- columns of trade, and every update of a trade (claim, quote, booking, outcome: each non-HOT,
-- since status is indexed) wrote new entries for every trigram of all six. trade_search holds the
-- searched values instead, each written when it is set: the instruction's fields once, at staging;
-- the quote and the transaction ids when the bank gives them.

-- CreateEnum
CREATE TYPE "TradeSearchField" AS ENUM ('INSTRUCTION', 'QUOTE', 'TRANSACTION');

-- DropIndex
DROP INDEX "trade_search_trgm_idx";

-- CreateTable
CREATE TABLE "trade_search" (
    "trade_id" UUID NOT NULL,
    "field" "TradeSearchField" NOT NULL,
    "text" TEXT NOT NULL,

    CONSTRAINT "trade_search_pkey" PRIMARY KEY ("trade_id","field")
);

-- AddForeignKey
ALTER TABLE "trade_search" ADD CONSTRAINT "trade_search_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "trade"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here (Prisma does not model triggers). What a trade's row holds for each
-- field, or no row when the value is NULL. The instruction's four fields are joined by line feeds
-- (pg_trgm splits words there too): a pattern spanning two of them can match the joined text
-- alone, so the search checks the trade's own columns as well.
CREATE FUNCTION trade_search_instruction(client_id text, client_name text, account_number text, reference text)
  RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN concat_ws(E'\n', client_id, client_name, account_number, reference);

-- Backfill: the trades already there, before the index is built (one build, not a million inserts).
INSERT INTO "trade_search" ("trade_id", "field", "text")
SELECT id, 'INSTRUCTION'::"TradeSearchField", trade_search_instruction(client_id, client_name, account_number, reference) FROM "trade"
UNION ALL SELECT id, 'QUOTE', quote_id FROM "trade" WHERE quote_id IS NOT NULL
UNION ALL SELECT id, 'TRANSACTION', transaction_id FROM "trade" WHERE transaction_id IS NOT NULL;

-- CreateIndex
CREATE INDEX "trade_search_text_trgm_idx" ON "trade_search" USING GIN ("text" gin_trgm_ops);

-- Staging inserts a batch's trades in one statement: one statement-level trigger reads them all
-- from the transition table, and staging's own SQL stays as it is.
CREATE FUNCTION trade_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO trade_search (trade_id, field, text)
  SELECT id, 'INSTRUCTION'::"TradeSearchField", trade_search_instruction(client_id, client_name, account_number, reference) FROM inserted
  UNION ALL SELECT id, 'QUOTE', quote_id FROM inserted WHERE quote_id IS NOT NULL
  UNION ALL SELECT id, 'TRANSACTION', transaction_id FROM inserted WHERE transaction_id IS NOT NULL;
  RETURN NULL;
END
$$;

CREATE TRIGGER trade_search_insert AFTER INSERT ON "trade"
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION trade_search_insert();

-- One searched value of a trade: written when set, its row deleted when it becomes NULL.
CREATE FUNCTION trade_search_set(trade uuid, searched "TradeSearchField", value text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF value IS NULL THEN
    DELETE FROM trade_search WHERE trade_id = trade AND field = searched;
  ELSE
    INSERT INTO trade_search (trade_id, field, text) VALUES (trade, searched, value)
    ON CONFLICT (trade_id, field) DO UPDATE SET text = EXCLUDED.text;
  END IF;
END
$$;

-- A row-level trigger rather than a statement-level one: an UPDATE trigger with a transition table
-- may not name columns, so it would capture every row of every status change (claims, cancels of
-- 100,000 trades). This one fires only for statements that set one of the six columns, and only for
-- rows where one of them changed (the WHEN is checked before anything is queued): per trade, once
-- when it is quoted and once when it is booked, and on the rarer requote and retry, which clear them.
CREATE FUNCTION trade_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.client_id, NEW.client_name, NEW.account_number, NEW.reference)
     IS DISTINCT FROM (OLD.client_id, OLD.client_name, OLD.account_number, OLD.reference) THEN
    PERFORM trade_search_set(NEW.id, 'INSTRUCTION',
      trade_search_instruction(NEW.client_id, NEW.client_name, NEW.account_number, NEW.reference));
  END IF;
  IF NEW.quote_id IS DISTINCT FROM OLD.quote_id THEN
    PERFORM trade_search_set(NEW.id, 'QUOTE', NEW.quote_id);
  END IF;
  IF NEW.transaction_id IS DISTINCT FROM OLD.transaction_id THEN
    PERFORM trade_search_set(NEW.id, 'TRANSACTION', NEW.transaction_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER trade_search_update
  AFTER UPDATE OF client_id, client_name, account_number, reference, quote_id, transaction_id ON "trade"
  FOR EACH ROW
  WHEN ((NEW.client_id, NEW.client_name, NEW.account_number, NEW.reference, NEW.quote_id, NEW.transaction_id)
        IS DISTINCT FROM (OLD.client_id, OLD.client_name, OLD.account_number, OLD.reference, OLD.quote_id, OLD.transaction_id))
  EXECUTE FUNCTION trade_search_update();
