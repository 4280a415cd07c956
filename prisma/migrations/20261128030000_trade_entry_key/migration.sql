-- Issue 10: createTrade's idempotency keys (a trade entered by hand, alone or into a staged batch).
-- Its own table, not a column of trade: staging and the runner never read or write it.

-- CreateTable
CREATE TABLE "trade_entry_key" (
    "key" TEXT NOT NULL,
    "trade_id" UUID NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "trade_entry_key_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "trade_entry_key_trade_id_key" ON "trade_entry_key"("trade_id");

-- AddForeignKey
ALTER TABLE "trade_entry_key" ADD CONSTRAINT "trade_entry_key_trade_id_fkey" FOREIGN KEY ("trade_id") REFERENCES "trade"("id") ON DELETE CASCADE ON UPDATE CASCADE;


