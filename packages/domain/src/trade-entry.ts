import { amountCurrencyColumn, createTradeRowSchema, type RawTradeRow, TRADE_CSV_COLUMNS, type TradeCsvColumn } from "./csv-schema";
import { normalizeAmount } from "./money";
import type { BatchStatus } from "./status";
import type { TradeInstruction } from "./views";

/**
 * One trade entered by hand (createTrade) is checked by exactly the rules of a CSV row
 * (createTradeRowSchema): this file only maps the input's field names (as on Trade) to the CSV's
 * columns and back, so a rule changed for files changes for the form too.
 */

/** The fields of a trade entered by hand, named as on Trade; a field left out is "" (as an empty cell). */
export type TradeEntryInput = Partial<Record<TradeEntryField, string | null>>;

/** Each CSV column and the input field (as named on Trade) that carries it. */
export const TRADE_ENTRY_FIELDS = {
  client_id: "clientId",
  client_name: "clientName",
  account_number: "accountNumber",
  sell_currency: "sellCurrency",
  buy_currency: "buyCurrency",
  direction: "direction",
  amount: "amount",
  value_date: "valueDate",
  reference: "reference",
} as const satisfies Record<TradeCsvColumn, string>;

export type TradeEntryField = (typeof TRADE_ENTRY_FIELDS)[TradeCsvColumn];

/** A problem with one field of a trade entered by hand: `field` is the input's field name. */
export interface TradeEntryError {
  field: TradeEntryField;
  message: string;
}

export type TradeEntryResult = { ok: true; trade: TradeInstruction } | { ok: false; errors: TradeEntryError[] };

const COLUMN_RANK: ReadonlyMap<string, number> = new Map(TRADE_CSV_COLUMNS.map((column, i) => [column, i]));

/**
 * Checks a trade entered by hand with the CSV row's rules for the given "today" (YYYY-MM-DD, UTC),
 * and returns it as the CSV would have staged it, or every field's problem in the form's order.
 */
export function validateTradeEntry(input: TradeEntryInput, today: string): TradeEntryResult {
  const raw = Object.fromEntries(TRADE_CSV_COLUMNS.map((column) => [column, input[TRADE_ENTRY_FIELDS[column]] ?? ""])) as RawTradeRow;
  const result = createTradeRowSchema(today).safeParse(raw);
  if (result.success) return { ok: true, trade: toTradeInstruction(raw) };
  const errors = result.error.issues
    .map((issue) => ({ column: String(issue.path[0]), message: issue.message }))
    .sort((a, b) => (COLUMN_RANK.get(a.column) ?? 0) - (COLUMN_RANK.get(b.column) ?? 0))
    .map(({ column, message }) => ({ field: TRADE_ENTRY_FIELDS[column as TradeCsvColumn], message }));
  return { ok: false, errors };
}

/**
 * A row that passed createTradeRowSchema as the trade it instructs: codes and direction
 * upper-cased, the amount in its currency's minor units, empty optional cells null.
 */
export function toTradeInstruction(raw: RawTradeRow): TradeInstruction {
  const direction = raw.direction.toUpperCase() as "BUY" | "SELL";
  const sellCurrency = raw.sell_currency.toUpperCase();
  const buyCurrency = raw.buy_currency.toUpperCase();
  return {
    clientId: raw.client_id,
    clientName: raw.client_name === "" ? null : raw.client_name,
    accountNumber: raw.account_number,
    sellCurrency,
    buyCurrency,
    direction,
    amount: normalizeAmount(raw.amount, amountCurrencyColumn(direction) === "buy_currency" ? buyCurrency : sellCurrency),
    valueDate: raw.value_date === "" ? null : raw.value_date,
    reference: raw.reference === "" ? null : raw.reference,
  };
}

/** The currency a trade's amount is in: BUY fixes the bought amount, SELL the sold one. */
export function amountCurrencyOf(trade: Pick<TradeInstruction, "direction" | "sellCurrency" | "buyCurrency">): string {
  return trade.direction === "BUY" ? trade.buyCurrency : trade.sellCurrency;
}

/** The name of the batch made for one trade entered alone, e.g. "One trade: C-1 BUY 1000.00 EUR". */
export function oneTradeBatchName(trade: TradeInstruction): string {
  return `One trade: ${trade.clientId} ${trade.direction} ${trade.amount} ${amountCurrencyOf(trade)}`;
}

/** What decides whether a batch takes a trade entered by hand. */
export interface TradeAdditionState {
  status: BatchStatus;
  queuedAt: unknown;
  cancelRequestedAt: unknown;
  approvedAt: unknown;
  approvedBy: string | null;
  totalTrades: number;
}

/**
 * Why a batch cannot take one more trade, or null when it can: only a PENDING batch never started
 * (a started one's trades are being claimed), not being cancelled, not approved (an approval covers
 * exactly the trades its approver saw: adding one would run a trade nobody approved), and below the
 * most trades one file may hold.
 */
export function tradeAdditionProblem(batch: TradeAdditionState, maxTrades: number): string | null {
  if (batch.status !== "PENDING") return `a ${batch.status} batch takes no more trades; only a PENDING batch not yet started does`;
  if (batch.queuedAt) return "the batch is already started and waiting in the queue; it takes no more trades";
  if (batch.cancelRequestedAt) return "the batch is being cancelled";
  if (batch.approvedAt) {
    return (
      `the batch is approved (by ${batch.approvedBy ?? "a second person"}) and its trades are frozen, so the approval covers ` +
      "exactly what runs; enter the trade alone or into another staged batch"
    );
  }
  if (batch.totalTrades >= maxTrades) return `the batch already holds ${maxTrades} trades, the most a batch may hold`;
  return null;
}

/**
 * Four eyes over a batch that needs approval: whoever approves it must have put none of its trades
 * in, and approval is checked against its stager only, so only the stager may add trades to it.
 */
export function fourEyesAdditionProblem(
  batch: { stagedById: string | null; stagedBy: string | null },
  adder: { id: string },
  needsApproval: boolean,
): string | null {
  if (!needsApproval || adder.id === batch.stagedById) return null;
  return (
    `the batch needs four-eyes approval (with this trade), and only its stager, ${batch.stagedBy ?? "who staged it"}, may add ` +
    "trades to it, so that the person who approves it has put in none; enter the trade alone instead"
  );
}
