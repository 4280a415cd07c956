-- Reverts 20261129080000_cancelled_unmoved_trades. The code before it cannot finish a cancel whose
-- trades were counted ahead of their rows (it would leave a CANCELLED batch's PENDING rows
-- unwritten), so this refuses while any batch has such trades: let the runners write them first.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "batch" WHERE "cancelled_unmoved_trades" > 0) THEN
    RAISE EXCEPTION 'some cancelled trades are still being written (batch.cancelled_unmoved_trades > 0): roll back once the runners have written them';
  END IF;
END
$$;
ALTER TABLE "batch" DROP CONSTRAINT "batch_cancelled_unmoved_trades_check";
DROP INDEX "batch_cancelled_unmoved_trades_idx";
ALTER TABLE "batch" DROP COLUMN "cancelled_unmoved_trades";
