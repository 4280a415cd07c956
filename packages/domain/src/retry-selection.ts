import { type FailureCount, UNKNOWN_FAILURE_CODE } from "./failure-codes";
import { firstFew, shortened } from "./first-few";
import { MAX_RETRY_SELECTION } from "./limits";
import { TRADE_MOVES, type TradeStatus } from "./status";

/**
 * A retry of trades a person selected (retryFailedTrades' `tradeIds`): exactly those trades run
 * again, permanent refusals included, since the person chose them. The choice is all or nothing:
 * one id that cannot be retried refuses the whole call, so nothing is half retried.
 */

/** A trade named in a selection, as read under the batch's lock. */
export interface SelectedTrade {
  id: string;
  rowNumber: number | null;
  status: TradeStatus;
  errorCode: string | null;
}

/** What a retry of selected trades sends again. */
export interface SelectedRetryPlan {
  /** The trades, in the order they were named. */
  trades: SelectedTrade[];
  /** How many of each code (UNKNOWN for none), in the order the codes first appear. */
  byCode: FailureCount[];
}

/** Why a selection is refused, and the ids it concerns (the first few). */
export interface SelectionProblem {
  problem: string;
  tradeIds: string[];
}

/** How many ids a problem names before it says how many more there are. */
const NAMED_IDS = 5;

/** How many row numbers the audit record names before it says how many more there are. */
const NAMED_ROWS = 10;

/** The statuses a trade may be retried from: the retry move's own guard. */
const RETRYABLE_STATUSES: readonly TradeStatus[] = TRADE_MOVES.retry.from;

/** A trade id is a UUID, which names the same trade in either case. */
const sameId = (id: string) => id.toLowerCase();

/**
 * The problems of the arguments alone, before any trade is read: both ways of choosing given
 * at once, an empty list, more ids than MAX_RETRY_SELECTION, ids that cannot name a trade
 * (`isTradeId`: the API's id format), or one id named twice. Null when there is none.
 */
export function retrySelectionProblem(
  tradeIds: readonly string[],
  { errorCodes = null, isTradeId }: { errorCodes?: readonly string[] | null; isTradeId: (id: string) => boolean },
): SelectionProblem | null {
  if (errorCodes != null) {
    return { problem: "errorCodes and tradeIds cannot be given together: retry by error code or by selected trades", tradeIds: [] };
  }
  if (tradeIds.length === 0) {
    return {
      problem: "tradeIds is empty: name the failed trades to retry, or leave it out to retry every retryable failure",
      tradeIds: [],
    };
  }
  if (tradeIds.length > MAX_RETRY_SELECTION) {
    return {
      problem: `tradeIds names ${tradeIds.length.toLocaleString("en-US")} trades; at most ${MAX_RETRY_SELECTION.toLocaleString("en-US")} can be retried in one call (retry by error code for more)`,
      tradeIds: [],
    };
  }
  const malformed = tradeIds.filter((id) => !isTradeId(id));
  if (malformed.length > 0) {
    const named = malformed.slice(0, NAMED_IDS).map(shortened);
    return {
      problem: `tradeIds: ${firstFew(
        malformed.map((id) => JSON.stringify(shortened(id))),
        NAMED_IDS,
      )} ${malformed.length === 1 ? "is not a trade id" : "are not trade ids"}; nothing was retried`,
      tradeIds: named,
    };
  }
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of tradeIds) {
    if (seen.has(sameId(id))) repeated.add(sameId(id));
    seen.add(sameId(id));
  }
  if (repeated.size > 0) {
    const named = [...repeated];
    return {
      problem: `tradeIds names ${firstFew(named, NAMED_IDS)} more than once; name each trade once (nothing was retried)`,
      tradeIds: named.slice(0, NAMED_IDS),
    };
  }
  return null;
}

/**
 * Which trades a retry of `tradeIds` (already free of the problems above) takes, given the
 * trades of the batch that `found` holds among them: every one named, when each is a FAILED
 * trade of the batch (the retry move's own guard); otherwise a problem naming the first few
 * that are not, each with why, and nothing is retried.
 */
export function planSelectedRetry(
  tradeIds: readonly string[],
  found: readonly SelectedTrade[],
): { ok: true; plan: SelectedRetryPlan } | { ok: false; problem: SelectionProblem } {
  const byId = new Map(found.map((trade) => [sameId(trade.id), trade]));
  const refused: { id: string; reason: string }[] = [];
  const trades: SelectedTrade[] = [];
  for (const id of tradeIds) {
    const trade = byId.get(sameId(id));
    if (!trade) refused.push({ id, reason: `${id} is not a trade of this batch` });
    else if (!RETRYABLE_STATUSES.includes(trade.status)) {
      const row = trade.rowNumber === null ? "" : ` (row ${trade.rowNumber})`;
      refused.push({ id, reason: `${trade.id}${row} is ${trade.status}, not ${RETRYABLE_STATUSES.join(" or ")}` });
    } else trades.push(trade);
  }
  if (refused.length > 0) {
    const reasons = firstFew(
      refused.map((item) => item.reason),
      NAMED_IDS,
      "; ",
    );
    return {
      ok: false,
      problem: {
        problem: `tradeIds: ${tradeIds.length === 1 ? "the trade cannot be retried" : `${refused.length.toLocaleString("en-US")} of the ${tradeIds.length.toLocaleString("en-US")} trades cannot be retried, so none was`}: ${reasons}`,
        tradeIds: refused.slice(0, NAMED_IDS).map((item) => item.id),
      },
    };
  }
  return { ok: true, plan: { trades, byCode: countByCode(trades) } };
}

/** How many of the trades failed with each code (UNKNOWN for none), in the order the codes first appear. */
export function countByCode(trades: readonly Pick<SelectedTrade, "errorCode">[]): FailureCount[] {
  const counts = new Map<string, number>();
  for (const trade of trades) {
    const code = trade.errorCode ?? UNKNOWN_FAILURE_CODE;
    counts.set(code, (counts.get(code) ?? 0) + 1);
  }
  return [...counts].map(([errorCode, count]) => ({ errorCode, count }));
}

/**
 * What the audit record says a retry of selected trades took, e.g.
 * "3 selected trades (rows 4, 7, 12): 2 QUOTE_REJECTED, 1 INVALID_ACCOUNT".
 */
export function selectedRetryDetail(plan: SelectedRetryPlan): string {
  const rows = plan.trades.flatMap((trade) => (trade.rowNumber === null ? [] : [trade.rowNumber])).sort((a, b) => a - b);
  const withoutRow = plan.trades.filter((trade) => trade.rowNumber === null).map((trade) => `trade ${trade.id}`);
  const named = `${rows.length === 0 ? "" : rows.length === 1 ? "row " : "rows "}${firstFew([...rows.map(String), ...withoutRow], NAMED_ROWS)}`;
  const count = plan.trades.length;
  const codes = plan.byCode.map((failure) => `${failure.count} ${failure.errorCode}`).join(", ");
  return `${count.toLocaleString("en-US")} selected ${count === 1 ? "trade" : "trades"} (${named}): ${codes}`;
}
