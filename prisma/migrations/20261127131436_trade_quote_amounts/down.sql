-- AlterTable
ALTER TABLE "public"."trade" DROP COLUMN "buy_amount",
DROP COLUMN "sell_amount";
