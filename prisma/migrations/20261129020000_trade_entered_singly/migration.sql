-- Trades entered by hand (issue 10): a trade made by createTrade has no row of a CSV, so the API shows
-- no row number for it (Trade.rowNumber null), while row_number stays its position in the batch (the
-- runner's claim order and the cancel's windows need 1…n). The archive keeps the mark with the trade.

-- AlterTable
ALTER TABLE "trade" ADD COLUMN     "entered_singly" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable (the archive's columns have no defaults: every row is copied whole; the default fills the rows there now)
ALTER TABLE "trade_archive" ADD COLUMN     "entered_singly" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "trade_archive" ALTER COLUMN "entered_singly" DROP DEFAULT;

-- Trades entered by hand before this migration: createTrade audited each as "<batchUid>: row <n>, …"
-- (one format since createTrade was added), which names the trade's batch and position.
UPDATE "trade" t SET "entered_singly" = true
FROM "audit_event" e JOIN "batch" b ON b."id" = e."batch_id"
WHERE e."action" = 'CREATE_TRADE' AND e."outcome" = 'SUCCEEDED' AND t."batch_id" = e."batch_id"
  AND e."detail" LIKE b."batch_uid" || ': row ' || t."row_number" || ',%';
UPDATE "trade_archive" t SET "entered_singly" = true
FROM "audit_event" e JOIN "batch" b ON b."id" = e."batch_id"
WHERE e."action" = 'CREATE_TRADE' AND e."outcome" = 'SUCCEEDED' AND t."batch_id" = e."batch_id"
  AND e."detail" LIKE b."batch_uid" || ': row ' || t."row_number" || ',%';
