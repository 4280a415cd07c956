-- Archival of finished batches (issue 10): batch.archived_at flags an archived batch; its trades and their
-- attempts move, chunk by chunk, to trade_archive and trade_attempt_archive (packages/db/src/sql/archive.ts).
-- AlterTable
ALTER TABLE "batch" ADD COLUMN     "archived_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "trade_archive" (
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
    "status" "TradeStatus" NOT NULL,
    "quote_id" TEXT,
    "rate" DECIMAL(20,10),
    "sell_amount" DECIMAL(22,4),
    "buy_amount" DECIMAL(22,4),
    "idempotency_key" TEXT,
    "transaction_id" TEXT,
    "error_code" TEXT,
    "error_message" TEXT,
    "attempts" INTEGER NOT NULL,
    "locked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "sequence" INTEGER NOT NULL,

    CONSTRAINT "trade_archive_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trade_attempt_archive" (
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
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "trade_attempt_archive_pkey" PRIMARY KEY ("trade_id","number")
);

-- CreateIndex
CREATE INDEX "trade_archive_batch_id_row_number_idx" ON "trade_archive"("batch_id", "row_number");

-- CreateIndex
CREATE INDEX "trade_archive_batch_id_sequence_idx" ON "trade_archive"("batch_id", "sequence");

-- CreateIndex
CREATE UNIQUE INDEX "trade_attempt_archive_idempotency_key_key" ON "trade_attempt_archive"("idempotency_key");

-- CreateIndex
CREATE INDEX "batch_archived_at_idx" ON "batch"("archived_at");

-- AddForeignKey
ALTER TABLE "trade_archive" ADD CONSTRAINT "trade_archive_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batch"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trade_attempt_archive" ADD CONSTRAINT "trade_attempt_archive_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "trade_archive"("id") ON DELETE RESTRICT ON UPDATE CASCADE;



-- Written by hand (Prisma does not model expression indexes): the archived trade history's order, as
-- trade_history_idx serves the hot one. The per-status and per-batch variants of the hot table are left
-- out: archived reads are rare, and every index is written once per moved trade.
CREATE INDEX "trade_archive_history_idx" ON "trade_archive"("created_at" DESC, (coalesce("row_number", 0)) DESC, "id" DESC);
