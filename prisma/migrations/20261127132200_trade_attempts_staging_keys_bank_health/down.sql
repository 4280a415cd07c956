-- DropForeignKey
ALTER TABLE "public"."trade_attempt" DROP CONSTRAINT "trade_attempt_trade_id_fkey";

-- DropIndex
DROP INDEX "public"."batch_content_hash_created_at_idx";

-- DropIndex
DROP INDEX "public"."batch_staging_key_key";

-- AlterTable
ALTER TABLE "public"."batch" DROP COLUMN "bank_unavailable_since",
DROP COLUMN "content_hash",
DROP COLUMN "staging_key";

-- DropTable
DROP TABLE "public"."trade_attempt";

-- DropEnum
DROP TYPE "public"."AttemptOutcome";
