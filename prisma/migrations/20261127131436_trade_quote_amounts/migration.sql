-- AlterTable
ALTER TABLE "trade" ADD COLUMN     "buy_amount" DECIMAL(22,4),
ADD COLUMN     "sell_amount" DECIMAL(22,4);

-- Trades quoted before this migration kept only the rate: their amounts are derived from it
-- (the fixed side as stored, the other side at the rate, to the column's 4 places). Trades
-- quoted from now on carry the amounts the bank quoted.
UPDATE "trade"
SET "sell_amount" = CASE WHEN "direction" = 'SELL' THEN "amount" ELSE round("amount" / "rate", 4) END,
    "buy_amount" = CASE WHEN "direction" = 'BUY' THEN "amount" ELSE round("amount" * "rate", 4) END
WHERE "rate" IS NOT NULL;
