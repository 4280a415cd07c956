-- Rolls back 20261127190000_event_sequence.
DROP TRIGGER IF EXISTS batch_event_sequence ON "batch";
DROP FUNCTION IF EXISTS batch_event_sequence();
DROP INDEX IF EXISTS "trade_batch_id_sequence_idx";
ALTER TABLE "trade" DROP COLUMN IF EXISTS "sequence";
ALTER TABLE "batch" DROP COLUMN IF EXISTS "event_sequence",
  DROP COLUMN IF EXISTS "event_sequence_from",
  DROP COLUMN IF EXISTS "event_sequence_tx";
