import type { AttemptOutcome, BatchStatus, TradeStatus } from "./status";

/**
 * Plain, serialisable snapshots of a batch and a trade: what queries return and what
 * events carry, across processes too. Decimals are strings, times ISO-8601 UTC strings.
 * packages/db checks at compile time that they have exactly the fields of the Prisma models.
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
  /**
   * Of cancelledTrades, those a cancel counted before their rows were written (CANCELLED_BEFORE_WRITTEN):
   * they read CANCELLED everywhere, and the runner writes them within seconds. The batch can be
   * archived once this is 0 (checkBatchAction).
   */
  cancelledUnmovedTrades: number;
  createdAt: string;
  updatedAt: string;
  queuedAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  cancelRequestedAt: string | null;
  /** When the current run began; null when the batch is not running (run-figures.ts). */
  runStartedAt: string | null;
  /** Seconds of the batch's finished runs (run-figures.ts): queue waits and idle time before a retry are not in it. */
  finishedRunSeconds: number;
  /** Trades the bank answered (booked or refused) during the batch's runs, a retried trade once per answer. */
  answeredTrades: number;
  /** Since when the bank has kept failing while this batch runs: its trades wait, none is failed for it. */
  bankUnavailableSince: string | null;
  /** The partner the batch belongs to, or null for a batch of the operations staff. */
  partner: string | null;
  /** Who staged it: a user's or API key's id, and the email or key name people read. */
  stagedById: string | null;
  stagedBy: string | null;
  /** Four eyes: whether it must be approved (by someone other than its stager) before it can start. */
  approvalRequired: boolean;
  approvedById: string | null;
  approvedBy: string | null;
  approvedAt: string | null;
  /**
   * The number of the batch's latest event: every committed change of the batch or its trades takes
   * the next numbers, in commit order. A snapshot with a higher number is newer.
   */
  eventSequence: number;
  /** When the batch was archived: read-only from then on, listed only under the Archived filter. */
  archivedAt: string | null;
}

/** What a trade asks the bank to do: the fields of one CSV row, normalised. */
export interface TradeInstruction {
  /** The product's client the trade belongs to (for the bank's audit trail). */
  clientId: string;
  clientName: string | null;
  /** The client's account at the bank that is debited and credited by the deal. */
  accountNumber: string;
  /** Upper-case ISO 4217 code of the currency the client gives. */
  sellCurrency: string;
  /** Upper-case ISO 4217 code of the currency the client receives. */
  buyCurrency: string;
  /**
   * Which side `amount` fixes: BUY — the client wants to receive exactly `amount` of
   * `buyCurrency`; SELL — the client gives exactly `amount` of `sellCurrency`.
   */
  direction: "BUY" | "SELL";
  /**
   * Positive plain decimal, in the buy currency for BUY and the sell currency for SELL, with
   * that currency's minor-unit digits ("25000.00", "1500000" for JPY).
   */
  amount: string;
  /** Settlement date as YYYY-MM-DD, or null for spot. */
  valueDate: string | null;
  reference: string | null;
}

/** A trade as the product shows it: its instruction and what the run made of it. */
export interface TradeView extends TradeInstruction {
  id: string;
  batchId: string;
  /** 1-based data row of the CSV the trade came from; null for a trade entered by hand. */
  rowNumber: number | null;
  status: TradeStatus;
  quoteId: string | null;
  rate: string | null;
  /** The quote's amounts, each at its currency's minor units: what the bank debits and credits. */
  sellAmount: string | null;
  buyAmount: string | null;
  transactionId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  /** The batch's event number of this trade's latest change (0 until it first moved). */
  sequence: number;
}

/** One attempt to execute a trade, as its history shows it. */
export interface TradeAttemptView {
  tradeId: string;
  /** 1 for the trade's first attempt. */
  number: number;
  idempotencyKey: string;
  quoteId: string | null;
  rate: string | null;
  sellAmount: string | null;
  buyAmount: string | null;
  quoteExpiresAt: string | null;
  bookingSentAt: string | null;
  /** Null while the attempt runs, or while its booking's outcome is unknown. */
  outcome: AttemptOutcome | null;
  transactionId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  startedAt: string;
  finishedAt: string | null;
}
