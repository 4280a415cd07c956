import type { Readable } from "node:stream";
import type { TradeStatus } from "@fxbt/domain";
import pg from "pg";
import QueryStream from "pg-query-stream";
import { Prisma } from "../generated/prisma/client";
import { TRADE_COLUMNS } from "../rows";
import { type TradeSource, tradeStatusReadIn, tradesFrom, where } from "./fragments";

/** PostgreSQL's type ids of the columns whose text pg would parse unlike Prisma. */
const NUMERIC_OID = 1700;
const DATE_OID = 1082;

/**
 * pg's own parsers, but for the two types pg reads differently from Prisma: numeric as a
 * Prisma.Decimal (pg leaves "18.1234500000", whose trailing zeros Decimal drops) and date as
 * UTC midnight (pg makes a local-time Date, a day early east of Greenwich). So toTradeView
 * makes of a streamed row exactly what it makes of a row from pageBatchTrades.
 */
const PRISMA_TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === NUMERIC_OID) return (text: string) => new Prisma.Decimal(text);
    if (oid === DATE_OID) return (text: string) => new Date(`${text}T00:00:00.000Z`);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
};

/** What streamBatchTrades reads. */
export interface StreamBatchTradesOptions {
  /** Rows per fetch from the cursor (default 500). */
  batchSize?: number;
  /** Only the trades in this status (default: every trade), such as "FAILED" for the failures export. */
  status?: TradeStatus;
  /** Which table(s) hold the batch's trades (tradeSourceOf); default the hot one. */
  source?: TradeSource;
}

/**
 * Every trade of one batch (or those in one status) in CSV row order — the order of pageBatchTrades,
 * so the export and the Batch.trades connection agree — read through a server-side cursor on
 * `client`, `batchSize` rows per fetch. An object-mode stream of TradeRow: it fetches the next rows
 * only when its reader has taken the last ones (backpressure reaches PostgreSQL), and one statement
 * sees one snapshot, so a batch that runs meanwhile is exported as it was when the export began.
 *
 * The caller holds `client` until the stream ends or is destroyed (destroying closes the cursor).
 */
export function streamBatchTrades(client: pg.PoolClient | pg.Client, batchId: string, options: StreamBatchTradesOptions = {}): Readable {
  const batchSize = options.batchSize ?? 500;
  const conditions = [Prisma.sql`batch_id = ${batchId}::uuid`];
  // The status as every read shows it: a cancel's PENDING rows not yet written are CANCELLED (tradeStatusReadIn).
  if (options.status !== undefined) conditions.push(tradeStatusReadIn([options.status]));
  const statement = Prisma.sql`SELECT ${TRADE_COLUMNS} FROM ${tradesFrom(options.source ?? "hot")} ${where(conditions)} ORDER BY coalesce(row_number, 0), id`;
  const query = new QueryStream(statement.text, statement.values, { batchSize, highWaterMark: batchSize, types: PRISMA_TYPES });
  return client.query(query);
}
