import { type BatchStatus, type BatchView, roundToMinorUnits, type TradeStatus, type TradeView } from "@fxbt/domain";
import { Prisma } from "./generated/prisma/client";

const BATCH_FIELDS = `id, batch_uid AS "batchUid", name, status::text AS status, priority,
  total_trades AS "totalTrades", succeeded_trades AS "succeededTrades", failed_trades AS "failedTrades",
  cancelled_trades AS "cancelledTrades", created_at AS "createdAt", updated_at AS "updatedAt", queued_at AS "queuedAt",
  started_at AS "startedAt", completed_at AS "completedAt", cancel_requested_at AS "cancelRequestedAt"`;

const TRADE_FIELDS = `id, batch_id AS "batchId", row_number AS "rowNumber", client_id AS "clientId",
  client_name AS "clientName", account_number AS "accountNumber", sell_currency AS "sellCurrency",
  buy_currency AS "buyCurrency", direction::text AS direction, amount, value_date AS "valueDate", reference,
  status::text AS status, quote_id AS "quoteId", rate, idempotency_key AS "idempotencyKey",
  transaction_id AS "transactionId", error_code AS "errorCode", error_message AS "errorMessage", attempts,
  locked_at AS "lockedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Qualifies every column with a table alias, for statements that join other relations. */
function qualify(fields: string, alias: string): Prisma.Sql {
  return Prisma.raw(fields.replace(/(^|,\s*)([a-z_]+)/g, `$1${alias}.$2`));
}

/**
 * Column lists that give raw SQL rows the same camelCase shape as Prisma's models, so
 * one mapper serves both. Keep in step with prisma/schema.prisma.
 */
export const batchColumns = (alias = "batch") => qualify(BATCH_FIELDS, alias);
export const tradeColumns = (alias = "trade") => qualify(TRADE_FIELDS, alias);
export const BATCH_COLUMNS = batchColumns();
export const TRADE_COLUMNS = tradeColumns();

/** A batch row as Prisma or BATCH_COLUMNS return it. */
export interface BatchRow {
  id: string;
  batchUid: string;
  name: string | null;
  status: BatchStatus;
  priority: number;
  totalTrades: number;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
  createdAt: Date;
  updatedAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelRequestedAt: Date | null;
}

/** Prisma returns numeric columns as decimal.js values; toFixed() never switches to exponent notation. */
type DecimalLike = { toFixed(): string };

/** A trade row as Prisma or TRADE_COLUMNS return it. */
export interface TradeRow {
  id: string;
  batchId: string;
  rowNumber: number | null;
  clientId: string;
  clientName: string | null;
  accountNumber: string;
  sellCurrency: string;
  buyCurrency: string;
  direction: "BUY" | "SELL";
  amount: DecimalLike;
  valueDate: Date | null;
  reference: string | null;
  status: TradeStatus;
  quoteId: string | null;
  rate: DecimalLike | null;
  idempotencyKey: string | null;
  transactionId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  lockedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function toBatchView(row: BatchRow): BatchView {
  return {
    id: row.id,
    batchUid: row.batchUid,
    name: row.name,
    status: row.status,
    priority: row.priority,
    totalTrades: row.totalTrades,
    succeededTrades: row.succeededTrades,
    failedTrades: row.failedTrades,
    cancelledTrades: row.cancelledTrades,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    queuedAt: iso(row.queuedAt),
    startedAt: iso(row.startedAt),
    completedAt: iso(row.completedAt),
    cancelRequestedAt: iso(row.cancelRequestedAt),
  };
}

export function toTradeView(row: TradeRow): TradeView {
  return {
    id: row.id,
    batchId: row.batchId,
    rowNumber: row.rowNumber,
    clientId: row.clientId,
    clientName: row.clientName,
    accountNumber: row.accountNumber,
    sellCurrency: row.sellCurrency,
    buyCurrency: row.buyCurrency,
    direction: row.direction,
    amount: roundToMinorUnits(row.amount.toFixed(), row.direction === "BUY" ? row.buyCurrency : row.sellCurrency),
    valueDate: row.valueDate ? row.valueDate.toISOString().slice(0, 10) : null,
    reference: row.reference,
    status: row.status,
    quoteId: row.quoteId,
    rate: row.rate?.toFixed() ?? null,
    transactionId: row.transactionId,
    errorCode: row.errorCode,
    errorMessage: row.errorMessage,
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
