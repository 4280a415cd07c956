-- Trades entered by hand since 20261129020000_trade_entered_singly are audited "<batchUid>: trade <id>, …"
-- (createTrade names the trade: it has no CSV row). That migration finds only the earlier records
-- ("<batchUid>: row <n>, …"), so rolled back (its down.sql drops entered_singly) and applied again it
-- would leave the trades entered in between unmarked, showing their position as a CSV row. This marks
-- them again. On a database only ever migrated forward they are marked already: nothing changes.
UPDATE "trade" t SET "entered_singly" = true
FROM "audit_event" e JOIN "batch" b ON b."id" = e."batch_id"
WHERE e."action" = 'CREATE_TRADE' AND e."outcome" = 'SUCCEEDED' AND t."batch_id" = e."batch_id" AND NOT t."entered_singly"
  AND e."detail" LIKE b."batch_uid" || ': trade ' || t."id" || ',%';
UPDATE "trade_archive" t SET "entered_singly" = true
FROM "audit_event" e JOIN "batch" b ON b."id" = e."batch_id"
WHERE e."action" = 'CREATE_TRADE' AND e."outcome" = 'SUCCEEDED' AND t."batch_id" = e."batch_id" AND NOT t."entered_singly"
  AND e."detail" LIKE b."batch_uid" || ': trade ' || t."id" || ',%';
