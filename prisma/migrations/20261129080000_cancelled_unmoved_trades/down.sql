-- Reverts 20261129080000_cancelled_unmoved_trades. Roll back only once no batch has a count above 0
-- (SELECT count(*) FROM batch WHERE cancelled_unmoved_trades > 0): the code before it reads those
-- trades as PENDING, and its cancel pass would count them a second time.
DROP INDEX "batch_cancelled_unmoved_trades_idx";
ALTER TABLE "batch" DROP COLUMN "cancelled_unmoved_trades";
