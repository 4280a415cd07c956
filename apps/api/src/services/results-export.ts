import { type BatchTradeCursor, type Database, findBatch, pageBatchTrades, toTradeView } from "@fxbt/db";
import { canSeeBatch, csvNumber, type TradeView, toCsvLine } from "@fxbt/domain";
import type { Response } from "express";
import { isUuid } from "../ids";

export const resultsCsvPath = (batchId: string) => `/export/batches/${batchId}/trades.csv`;

const PAGE = 5_000;

/** The export's columns: the CSV's own, then what the run made of each trade. */
const COLUMNS: [header: string, cell: (trade: TradeView) => string | number | null | ReturnType<typeof csvNumber>][] = [
  ["row", (t) => t.rowNumber],
  ["client_id", (t) => t.clientId],
  ["client_name", (t) => t.clientName],
  ["account_number", (t) => t.accountNumber],
  ["sell_currency", (t) => t.sellCurrency],
  ["buy_currency", (t) => t.buyCurrency],
  ["direction", (t) => t.direction],
  ["amount", (t) => csvNumber(t.amount)],
  ["value_date", (t) => t.valueDate],
  ["reference", (t) => t.reference],
  ["status", (t) => t.status],
  ["quote_id", (t) => t.quoteId],
  ["rate", (t) => (t.rate ? csvNumber(t.rate) : null)],
  ["transaction_id", (t) => t.transactionId],
  ["error_code", (t) => t.errorCode],
  ["error_message", (t) => t.errorMessage],
  ["attempts", (t) => t.attempts],
  ["updated_at", (t) => t.updatedAt],
];

/**
 * Streams a batch's trades as CSV, page by page in row order, so a 100,000-trade batch
 * never sits in memory whole. Text cells are formula-escaped (docs/csv-format.md). A batch the
 * caller may not see (another partner's) is "not found", like one that does not exist.
 */
export async function sendResultsCsv(
  database: Database,
  batchId: string,
  viewer: { partner: string | null },
  res: Response,
): Promise<void> {
  const batch = isUuid(batchId) ? await findBatch(database.prisma, batchId) : null;
  if (!batch || !canSeeBatch(viewer, batch)) {
    res.status(404).json({ errors: [{ message: `batch ${batchId} does not exist`, extensions: { code: "NOT_FOUND", id: batchId } }] });
    return;
  }
  res.type("text/csv; charset=utf-8");
  res.attachment(`${batch.batchUid}-trades.csv`);
  res.write(`${toCsvLine(COLUMNS.map(([header]) => header))}\r\n`);
  let after: BatchTradeCursor | null = null;
  for (;;) {
    const rows = await pageBatchTrades(database.prisma, batchId, { limit: PAGE, after });
    const last = rows.at(-1);
    if (!last) break;
    const lines = rows.map((row) => toCsvLine(COLUMNS.map(([, cell]) => cell(toTradeView(row)))));
    if (!res.write(`${lines.join("\r\n")}\r\n`)) await new Promise((resolve) => res.once("drain", resolve));
    after = { rowNumber: last.rowNumber ?? 0, id: last.id };
  }
  res.end();
}
