-- CreateEnum
CREATE TYPE "AttemptOutcome" AS ENUM ('BOOKED', 'REFUSED', 'CANCELLED', 'ABANDONED');

-- AlterTable
ALTER TABLE "batch" ADD COLUMN     "bank_unavailable_since" TIMESTAMPTZ(3),
ADD COLUMN     "content_hash" CHAR(64),
ADD COLUMN     "staging_key" TEXT;

-- CreateTable
CREATE TABLE "trade_attempt" (
    "trade_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "quote_id" TEXT,
    "rate" DECIMAL(20,10),
    "sell_amount" DECIMAL(22,4),
    "buy_amount" DECIMAL(22,4),
    "quote_expires_at" TIMESTAMPTZ(3),
    "booking_sent_at" TIMESTAMPTZ(3),
    "outcome" "AttemptOutcome",
    "transaction_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "trade_attempt_pkey" PRIMARY KEY ("trade_id","number")
);

-- CreateIndex
CREATE UNIQUE INDEX "trade_attempt_idempotency_key_key" ON "trade_attempt"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "batch_staging_key_key" ON "batch"("staging_key");

-- CreateIndex
CREATE INDEX "batch_content_hash_created_at_idx" ON "batch"("content_hash", "created_at" DESC);

-- AddForeignKey
ALTER TABLE "trade_attempt" ADD CONSTRAINT "trade_attempt_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "trade"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Each trade's current attempt becomes its first recorded one (earlier attempts of retried
-- trades were not kept before this migration).
INSERT INTO "trade_attempt" ("trade_id", "number", "idempotency_key", "quote_id", "rate", "sell_amount", "buy_amount",
                             "outcome", "transaction_id", "error_code", "error_message", "started_at", "finished_at")
SELECT "id", "attempts", "idempotency_key", "quote_id", "rate", "sell_amount", "buy_amount",
       CASE "status" WHEN 'SUCCESS' THEN 'BOOKED' WHEN 'FAILED' THEN 'REFUSED' WHEN 'CANCELLED' THEN 'CANCELLED' END::"AttemptOutcome",
       "transaction_id", "error_code", "error_message", "updated_at",
       CASE WHEN "status" IN ('SUCCESS', 'FAILED', 'CANCELLED') THEN "updated_at" END
FROM "trade"
WHERE "idempotency_key" IS NOT NULL AND "attempts" > 0
ON CONFLICT DO NOTHING;
