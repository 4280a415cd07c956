-- AlterTable
ALTER TABLE "bank_sim_booking" ADD COLUMN     "error_code" TEXT,
ADD COLUMN     "error_message" TEXT,
ALTER COLUMN "transaction_id" DROP NOT NULL;

-- AlterTable
ALTER TABLE "bank_sim_quote" ADD COLUMN     "request_id" TEXT;

-- AddCheckConstraint (by hand: Prisma does not model CHECK constraints)
-- A row is either a booking (transaction_id set, no error) or a refusal (error_code set,
-- no transaction_id). Rows written before this migration are all bookings.
ALTER TABLE "bank_sim_booking" ADD CONSTRAINT "bank_sim_booking_outcome_check" CHECK (
    ("transaction_id" IS NOT NULL AND "error_code" IS NULL AND "error_message" IS NULL)
    OR ("transaction_id" IS NULL AND "error_code" IS NOT NULL)
);
