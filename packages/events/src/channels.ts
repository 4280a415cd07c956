import type { BatchView, TradeStatus, TradeView } from "@fxbt/domain";

/** What travels on each channel. */
export interface BatchProgressMessage {
  batch: BatchView;
}

export interface TradeStatusMessage {
  trade: TradeView;
  previousStatus: TradeStatus | null;
}

export type BatchListMessage = { kind: "changed"; batch: BatchView } | { kind: "deleted"; batch: BatchView };

/** Channel names, in one place so publishers and subscribers cannot drift apart. */
export const channels = {
  batchProgress: (batchId: string) => `batch-progress:${batchId}`,
  tradeStatus: (batchId: string) => `trade-status:${batchId}`,
  batchList: () => "batch-list",
} as const;
