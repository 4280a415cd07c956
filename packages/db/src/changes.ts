import type { TradeStatus } from "@fxbt/domain";
import type { BatchRow, TradeRow } from "./rows";

/** A trade that changed status, with the status it left (null: the transaction created it). */
export interface TradeChange {
  trade: TradeRow;
  previousStatus: TradeStatus | null;
}

/**
 * What one committed transaction changed: the one input of the event publisher, so every
 * write reaches subscribers the same way, and only after it has committed.
 */
export interface CommittedChange {
  /** Every trade the transaction moved (the publisher tells the batches' event numbers without one from them). */
  trades?: readonly TradeChange[];
  /** Batches as they stand after the transaction (as its last statement on each left it). */
  batches?: readonly BatchRow[];
  /** Batches the transaction deleted, as they were. */
  deletedBatches?: readonly BatchRow[];
}
