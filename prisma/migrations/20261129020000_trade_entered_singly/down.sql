-- Rolls back 20261129020000_trade_entered_singly: trades entered by hand show their position as a row number again.
ALTER TABLE "trade_archive" DROP COLUMN IF EXISTS "entered_singly";
ALTER TABLE "trade" DROP COLUMN IF EXISTS "entered_singly";
