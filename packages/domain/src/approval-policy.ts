import { ExactDecimal } from "./money";

/**
 * Four eyes: batches at or above a threshold need `approveBatch` by a person other than their
 * stager before they can start. Either threshold alone triggers it; neither set means no approval.
 */
export interface ApprovalPolicy {
  /** A batch with at least this many trades needs approval. */
  minTrades: number | null;
  /**
   * A batch whose trades' amounts add up to at least this much in any one currency needs
   * approval (amounts of different currencies are never added together: no rate is assumed).
   */
  minAmountPerCurrency: string | null;
}

export const NO_APPROVAL: ApprovalPolicy = { minTrades: null, minAmountPerCurrency: null };

/** Whether the policy asks for approval of these trades (amounts in the currency `amount` is in). */
export function needsApproval(policy: ApprovalPolicy, trades: readonly { amount: string; amountCurrency: string }[]): boolean {
  if (policy.minTrades !== null && trades.length >= policy.minTrades) return true;
  if (policy.minAmountPerCurrency === null) return false;
  const threshold = new ExactDecimal(policy.minAmountPerCurrency);
  const totals = new Map<string, ExactDecimal>();
  for (const { amount, amountCurrency } of trades) {
    const total = (totals.get(amountCurrency) ?? new ExactDecimal(0)).plus(amount);
    if (total.gte(threshold)) return true;
    totals.set(amountCurrency, total);
  }
  return false;
}
