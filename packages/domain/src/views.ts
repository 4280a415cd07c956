import type { BatchStatus, TradeStatus } from "./status";

/**
 * Plain, serialisable snapshots of a batch and a trade: what queries return and what
 * events carry, across processes too. Decimals are strings, times ISO-8601 UTC strings.
 */
export interface BatchView {
  id: string;
  batchUid: string;
  name: string | null;
  status: BatchStatus;
  priority: number;
  totalTrades: number;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
  createdAt: string;
  updatedAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  cancelRequestedAt: string | null;
}

export interface TradeView {
  id: string;
  batchId: string;
  rowNumber: number | null;
  clientId: string;
  clientName: string | null;
  accountNumber: string;
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amount: string;
  valueDate: string | null;
  reference: string | null;
  status: TradeStatus;
  quoteId: string | null;
  rate: string | null;
  transactionId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
}
