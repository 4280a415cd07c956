import { type Database, Prisma, TRADE_COLUMNS, type TradeRow, toTradeView } from "@fxbt/db";
import { csvNumber, type TradeView, toCsvLine } from "@fxbt/domain";
import type { Response } from "express";
import { isUuid } from "./batch-commands";

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
 * never sits in memory whole. Text cells are formula-escaped (docs/csv-format.md).
 */
export async function sendResultsCsv(database: Database, batchId: string, res: Response): Promise<void> {
  const batch = isUuid(batchId) ? await database.prisma.batch.findUnique({ where: { id: batchId } }) : null;
  if (!batch) {
    res.status(404).type("text/plain").send(`batch ${batchId} does not exist`);
    return;
  }
  res.type("text/csv; charset=utf-8");
  res.attachment(`${batch.batchUid}-trades.csv`);
  res.write(`${toCsvLine(COLUMNS.map(([header]) => header))}\r\n`);
  let after: { rowNumber: number; id: string } | null = null;
  for (;;) {
    const rows: TradeRow[] = await database.prisma.$queryRaw<TradeRow[]>`
      SELECT ${TRADE_COLUMNS} FROM trade
      WHERE batch_id = ${batchId}::uuid
        ${after ? Prisma.sql`AND (coalesce(row_number, 0), id) > (${after.rowNumber}::int, ${after.id}::uuid)` : Prisma.empty}
      ORDER BY coalesce(row_number, 0), id LIMIT ${PAGE}`;
    if (rows.length === 0) break;
    const lines = rows.map((row) => toCsvLine(COLUMNS.map(([, cell]) => cell(toTradeView(row)))));
    if (!res.write(`${lines.join("\r\n")}\r\n`)) await new Promise((resolve) => res.once("drain", resolve));
    const last = rows.at(-1)!;
    after = { rowNumber: last.rowNumber ?? 0, id: last.id };
  }
  res.end();
}
