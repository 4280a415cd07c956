-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('PENDING', 'RUNNING', 'SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TradeStatus" AS ENUM ('PENDING', 'EXECUTING', 'QUOTED', 'SUCCESS', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "TradeDirection" AS ENUM ('BUY', 'SELL');

-- CreateTable
CREATE TABLE "batch" (
    "id" UUID NOT NULL,
    "batch_uid" TEXT NOT NULL,
    "name" TEXT,
    "status" "BatchStatus" NOT NULL DEFAULT 'PENDING',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "total_trades" INTEGER NOT NULL,
    "succeeded_trades" INTEGER NOT NULL DEFAULT 0,
    "failed_trades" INTEGER NOT NULL DEFAULT 0,
    "cancelled_trades" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "queued_at" TIMESTAMPTZ(3),
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "cancel_requested_at" TIMESTAMPTZ(3),

    CONSTRAINT "batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trade" (
    "id" UUID NOT NULL,
    "batch_id" UUID NOT NULL,
    "row_number" INTEGER,
    "client_id" VARCHAR(64) NOT NULL,
    "client_name" VARCHAR(200),
    "account_number" VARCHAR(20) NOT NULL,
    "sell_currency" CHAR(3) NOT NULL,
    "buy_currency" CHAR(3) NOT NULL,
    "direction" "TradeDirection" NOT NULL,
    "amount" DECIMAL(22,4) NOT NULL,
    "value_date" DATE,
    "reference" VARCHAR(140),
    "status" "TradeStatus" NOT NULL DEFAULT 'PENDING',
    "quote_id" TEXT,
    "rate" DECIMAL(20,10),
    "idempotency_key" TEXT,
    "transaction_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "locked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trade_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "batch_uid_counter" (
    "day" CHAR(8) NOT NULL,
    "last_value" INTEGER NOT NULL,

    CONSTRAINT "batch_uid_counter_pkey" PRIMARY KEY ("day")
);

-- CreateTable
CREATE TABLE "bank_sim_quote" (
    "id" TEXT NOT NULL,
    "account_number" VARCHAR(20) NOT NULL,
    "sell_currency" CHAR(3) NOT NULL,
    "buy_currency" CHAR(3) NOT NULL,
    "direction" "TradeDirection" NOT NULL,
    "amount" DECIMAL(22,4) NOT NULL,
    "rate" DECIMAL(20,10) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bank_sim_quote_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bank_sim_booking" (
    "idempotency_key" TEXT NOT NULL,
    "transaction_id" TEXT NOT NULL,
    "quote_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bank_sim_booking_pkey" PRIMARY KEY ("idempotency_key")
);

-- CreateIndex
CREATE UNIQUE INDEX "batch_batch_uid_key" ON "batch"("batch_uid");

-- CreateIndex
CREATE INDEX "batch_created_at_id_idx" ON "batch"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "batch_status_priority_queued_at_idx" ON "batch"("status", "priority" DESC, "queued_at");

-- CreateIndex
CREATE INDEX "batch_completed_at_idx" ON "batch"("completed_at" DESC);

-- CreateIndex
CREATE INDEX "trade_batch_id_status_row_number_idx" ON "trade"("batch_id", "status", "row_number");

-- CreateIndex
CREATE INDEX "trade_batch_id_row_number_idx" ON "trade"("batch_id", "row_number");

-- CreateIndex
CREATE INDEX "trade_status_locked_at_idx" ON "trade"("status", "locked_at");

-- CreateIndex
CREATE INDEX "trade_created_at_id_idx" ON "trade"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "bank_sim_booking_transaction_id_key" ON "bank_sim_booking"("transaction_id");

-- AddForeignKey
ALTER TABLE "trade" ADD CONSTRAINT "trade_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
