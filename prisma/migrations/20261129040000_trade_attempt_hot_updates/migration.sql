-- Ending an attempt (outcome, finished_at, the bank's answer) was a non-HOT update: finished_at was indexed, so
-- every ended attempt wrote a new entry into each of trade_attempt's three indexes. Nothing reads that index since
-- 20261129030000_trade_answer_count (the charts read the rollup). Without it, and with room left on each page
-- (fillfactor 70: attempts are inserted in order and pages filled to the brim leave no room for a new version),
-- about half of the ends are HOT. Measured, BENCH_ROWS=20000 npx tsx bench/run.ts, two interleaved rounds on the
-- 2-core machine at load 1–2: HOT updates of trade_attempt 4% -> 48%, WAL per trade 8.65 -> 8.17 kB, 808–876 ->
-- 891–901 trades/s.
DROP INDEX "trade_attempt_finished_at_idx";

-- Written by hand (Prisma does not model storage parameters).
ALTER TABLE "trade_attempt" SET (fillfactor = 70);
