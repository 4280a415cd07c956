-- Event sequence numbers per batch (issue 9): subscribers resume after the last number they saw.

-- AlterTable
ALTER TABLE "batch" ADD COLUMN     "event_sequence" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "event_sequence_from" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "event_sequence_tx" BIGINT;

-- AlterTable
ALTER TABLE "trade" ADD COLUMN     "sequence" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "trade_batch_id_sequence_idx" ON "trade"("batch_id", "sequence");

-- Written by hand (Prisma does not model triggers). Every transaction that changes a batch takes the
-- next numbers of the batch's sequence while it holds the row, so numbers follow commit order. A
-- statement that moves trades takes one number per trade itself (packages/db moveTrades); a
-- transaction that changes only the batch takes one here, at its first update of the row. Either
-- way the first number of the transaction is kept in event_sequence_from, so the publisher can say
-- which numbers of the range carry no trade event.
CREATE FUNCTION batch_event_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  current_tx bigint := pg_current_xact_id()::text::bigint;
BEGIN
  IF OLD.event_sequence_tx IS DISTINCT FROM current_tx THEN
    NEW.event_sequence_tx := current_tx;
    NEW.event_sequence_from := OLD.event_sequence + 1;
    IF NEW.event_sequence = OLD.event_sequence THEN
      NEW.event_sequence := OLD.event_sequence + 1;
    END IF;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER batch_event_sequence BEFORE UPDATE ON "batch"
  FOR EACH ROW EXECUTE FUNCTION batch_event_sequence();
