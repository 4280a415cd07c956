import type { TradeStatus } from "@fxbt/domain";
import type { BatchRow, TradeRow } from "./rows";

/** A trade that changed status, with the status it left. */
export interface TradeChange {
  trade: TradeRow;
  previousStatus: TradeStatus;
}

/**
 * What one committed transaction changed: the one input of the event publisher, so every
 * write reaches subscribers the same way, and only after it has committed.
 */
export interface CommittedChange {
  trades?: readonly TradeChange[];
  /** Batches as they stand after the transaction. */
  batches?: readonly BatchRow[];
  /** Batches the transaction deleted, as they were. */
  deletedBatches?: readonly BatchRow[];
}
