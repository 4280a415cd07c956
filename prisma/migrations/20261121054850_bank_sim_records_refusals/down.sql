-- Generated with `prisma migrate diff --from-migrations <up to this one> --to-migrations <before it> --script`
-- (run on a copy without the hand-written CHECK constraint, which Prisma does not model),
-- then completed by hand: the constraint is dropped, and the recorded refusals, which the
-- earlier schema cannot hold (transaction_id NOT NULL), are deleted.

-- DropCheckConstraint (by hand)
ALTER TABLE "public"."bank_sim_booking" DROP CONSTRAINT IF EXISTS "bank_sim_booking_outcome_check";

-- DeleteRefusals (by hand)
DELETE FROM "public"."bank_sim_booking" WHERE "transaction_id" IS NULL;

-- AlterTable
ALTER TABLE "public"."bank_sim_booking" DROP COLUMN "error_code",
DROP COLUMN "error_message",
ALTER COLUMN "transaction_id" SET NOT NULL;

-- AlterTable
ALTER TABLE "public"."bank_sim_quote" DROP COLUMN "request_id";
