-- DropForeignKey
ALTER TABLE "public"."trade" DROP CONSTRAINT "trade_batch_id_fkey";

-- DropTable
DROP TABLE "public"."bank_sim_booking";

-- DropTable
DROP TABLE "public"."bank_sim_quote";

-- DropTable
DROP TABLE "public"."batch";

-- DropTable
DROP TABLE "public"."batch_uid_counter";

-- DropTable
DROP TABLE "public"."trade";

-- DropEnum
DROP TYPE "public"."BatchStatus";

-- DropEnum
DROP TYPE "public"."TradeDirection";

-- DropEnum
DROP TYPE "public"."TradeStatus";


