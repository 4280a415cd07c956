-- The trade volume chart (tradeVolume) reads the archived attempts finished in its window, as it reads the hot
-- ones through trade_attempt_finished_at_idx: a batch archived within the window stays in the chart.

-- CreateIndex
CREATE INDEX "trade_attempt_archive_finished_at_idx" ON "trade_attempt_archive"("finished_at");
