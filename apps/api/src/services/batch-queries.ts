import { BATCH_COLUMNS, type BatchRow, type Database, Prisma, TRADE_COLUMNS, type TradeRow, toBatchView, toTradeView } from "@fxbt/db";
import { BATCH_STATUSES, type BatchStatus, type BatchView, roundToMinorUnits, type TradeStatus, type TradeView } from "@fxbt/domain";
import { isUuid } from "./batch-commands";

const isUuidValue = (value: unknown) => typeof value === "string" && isUuid(value);

import { type Connection, checkPageSize, decodeCursor, encodeCursor, toConnection } from "./pagination";

export type BatchOrderField = "CREATED_AT" | "UPDATED_AT" | "STATUS" | "TOTAL_TRADES" | "PRIORITY";

export interface BatchListArgs {
  first: number;
  after?: string | null;
  filter?: { status?: BatchStatus[] | null; createdFrom?: Date | null; createdTo?: Date | null; search?: string | null } | null;
  orderBy?: { field: BatchOrderField; direction: "ASC" | "DESC" } | null;
}

const isTimestamp = (value: unknown) => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isInteger = (value: unknown) => Number.isInteger(value);
const isBatchStatus = (value: unknown) => BATCH_STATUSES.includes(value as BatchStatus);

/**
 * Each order field's table column (qualified: an output column of the same name would
 * otherwise sort as text), how a cursor value is cast back to it, and how it is checked
 * before it reaches SQL.
 */
const ORDER_COLUMNS: Record<BatchOrderField, { column: string; key: keyof BatchView; cast: string; valid: (value: unknown) => boolean }> = {
  CREATED_AT: { column: "batch.created_at", key: "createdAt", cast: "timestamptz", valid: isTimestamp },
  UPDATED_AT: { column: "batch.updated_at", key: "updatedAt", cast: "timestamptz", valid: isTimestamp },
  STATUS: { column: "batch.status", key: "status", cast: '"BatchStatus"', valid: isBatchStatus },
  TOTAL_TRADES: { column: "batch.total_trades", key: "totalTrades", cast: "int", valid: isInteger },
  PRIORITY: { column: "batch.priority", key: "priority", cast: "int", valid: isInteger },
};

export interface TradeHistoryArgs {
  first: number;
  after?: string | null;
  filter?: { status?: TradeStatus[] | null; batchId?: string | null; search?: string | null } | null;
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export interface BatchResultsView {
  batch: BatchView;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
  totalsByCurrency: { currency: string; amount: string }[];
  errorsByCode: { errorCode: string; count: number }[];
}

/** Everything that reads batches and trades; lists are keyset-paginated over indexes. */
export class BatchQueries {
  constructor(private readonly database: Database) {}

  private get prisma() {
    return this.database.prisma;
  }

  async batch(id: string): Promise<BatchView | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.batch.findUnique({ where: { id } });
    return row ? toBatchView(row) : null;
  }

  /** One query for many ids: the DataLoader behind Trade.batch. */
  async batchesByIds(ids: readonly string[]): Promise<(BatchView | null)[]> {
    const rows = await this.prisma.batch.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((row) => [row.id, toBatchView(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async batches({ first, after, filter, orderBy }: BatchListArgs): Promise<Connection<BatchView>> {
    checkPageSize(first);
    const field = orderBy?.field ?? "CREATED_AT";
    const order = ORDER_COLUMNS[field];
    const descending = (orderBy?.direction ?? "DESC") === "DESC";
    const column = Prisma.raw(order.column);
    const conditions: Prisma.Sql[] = [];
    if (filter?.status?.length) conditions.push(Prisma.sql`status::text = ANY(${filter.status}::text[])`);
    if (filter?.createdFrom) conditions.push(Prisma.sql`created_at >= ${filter.createdFrom}`);
    if (filter?.createdTo) conditions.push(Prisma.sql`created_at <= ${filter.createdTo}`);
    const search = filter?.search?.trim();
    if (search) {
      const pattern = containing(search);
      conditions.push(Prisma.sql`(batch_uid ILIKE ${pattern} OR name ILIKE ${pattern})`);
    }
    const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
    const keyset = [...conditions];
    if (after) {
      const [, value, id] = decodeCursor(after, [(f) => f === field, order.valid, isUuidValue]);
      const compare = Prisma.raw(descending ? "<" : ">");
      keyset.push(Prisma.sql`(${column}, batch.id) ${compare} (${value}::${Prisma.raw(order.cast)}, ${id}::uuid)`);
    }
    const direction = Prisma.raw(descending ? "DESC" : "ASC");
    const [rows, [count]] = await Promise.all([
      this.prisma.$queryRaw<BatchRow[]>`
        SELECT ${BATCH_COLUMNS} FROM batch
        ${keyset.length ? Prisma.sql`WHERE ${Prisma.join(keyset, " AND ")}` : Prisma.empty}
        ORDER BY ${column} ${direction}, batch.id ${direction} LIMIT ${first + 1}`,
      this.prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM batch ${where}`,
    ]);
    return toConnection(rows.map(toBatchView), first, count!.count, (batch) => encodeCursor([field, batch[order.key], batch.id]));
  }

  /** RUNNING batches, then the queued ones in the order the runner will take them. */
  async activeBatches(): Promise<BatchView[]> {
    const rows = await this.prisma.$queryRaw<BatchRow[]>`
      SELECT ${BATCH_COLUMNS} FROM batch
      WHERE status = 'RUNNING' OR (status = 'PENDING' AND queued_at IS NOT NULL)
      ORDER BY status = 'RUNNING' DESC, priority DESC, queued_at, id`;
    return rows.map(toBatchView);
  }

  async recentBatches(limit: number): Promise<BatchView[]> {
    checkPageSize(limit, "limit");
    const rows = await this.prisma.batch.findMany({
      where: { completedAt: { not: null } },
      orderBy: [{ completedAt: "desc" }, { id: "desc" }],
      take: limit,
    });
    return rows.map(toBatchView);
  }

  async trade(id: string): Promise<TradeView | null> {
    if (!isUuid(id)) return null;
    const row = await this.prisma.trade.findUnique({ where: { id } });
    return row ? toTradeView(row) : null;
  }

  /** Trades across batches, newest first (a batch's trades, created together, by row); keyset over its index. */
  async tradeHistory({ first, after, filter }: TradeHistoryArgs): Promise<Connection<TradeView>> {
    checkPageSize(first);
    const conditions: Prisma.Sql[] = [];
    if (filter?.status?.length) conditions.push(Prisma.sql`status::text = ANY(${filter.status}::text[])`);
    if (filter?.batchId) {
      if (!isUuid(filter.batchId)) return toConnection([], first, 0, () => "");
      conditions.push(Prisma.sql`batch_id = ${filter.batchId}::uuid`);
    }
    const search = filter?.search?.trim();
    if (search) {
      const pattern = containing(search);
      conditions.push(Prisma.sql`(client_id ILIKE ${pattern} OR client_name ILIKE ${pattern} OR account_number ILIKE ${pattern}
        OR reference ILIKE ${pattern} OR quote_id ILIKE ${pattern} OR transaction_id ILIKE ${pattern})`);
    }
    const where = (extra: Prisma.Sql[]) => (extra.length ? Prisma.sql`WHERE ${Prisma.join(extra, " AND ")}` : Prisma.empty);
    const keyset = [...conditions];
    if (after) {
      const [createdAt, rowNumber, id] = decodeCursor(after, [isTimestamp, isInteger, isUuidValue]);
      keyset.push(
        Prisma.sql`(trade.created_at, coalesce(trade.row_number, 0), trade.id) < (${createdAt}::timestamptz, ${rowNumber}::int, ${id}::uuid)`,
      );
    }
    const [rows, [count]] = await Promise.all([
      this.prisma.$queryRaw<TradeRow[]>`
        SELECT ${TRADE_COLUMNS} FROM trade ${where(keyset)}
        ORDER BY trade.created_at DESC, coalesce(trade.row_number, 0) DESC, trade.id DESC LIMIT ${first + 1}`,
      this.prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM trade ${where(conditions)}`,
    ]);
    return toConnection(rows.map(toTradeView), first, count!.count, (trade) =>
      encodeCursor([trade.createdAt, trade.rowNumber ?? 0, trade.id]),
    );
  }

  /** A batch's trades in CSV row order; the count comes from the batch's counters where they hold it. */
  async trades(
    batch: BatchView,
    args: { first: number; after?: string | null; status?: TradeStatus | null },
  ): Promise<Connection<TradeView>> {
    checkPageSize(args.first);
    const conditions = [Prisma.sql`batch_id = ${batch.id}::uuid`];
    if (args.status) conditions.push(Prisma.sql`status = ${args.status}::"TradeStatus"`);
    const countWhere = Prisma.join(conditions, " AND ");
    if (args.after) {
      const [rowNumber, id] = decodeCursor(args.after, [isInteger, isUuidValue]);
      conditions.push(Prisma.sql`(coalesce(row_number, 0), id) > (${rowNumber}::int, ${id}::uuid)`);
    }
    const rows = await this.prisma.$queryRaw<TradeRow[]>`
      SELECT ${TRADE_COLUMNS} FROM trade WHERE ${Prisma.join(conditions, " AND ")}
      ORDER BY coalesce(row_number, 0), id LIMIT ${args.first + 1}`;
    const totalCount = await this.countTrades(batch, args.status ?? null, countWhere);
    return toConnection(rows.map(toTradeView), args.first, totalCount, (trade) => encodeCursor([trade.rowNumber ?? 0, trade.id]));
  }

  private async countTrades(batch: BatchView, status: TradeStatus | null, where: Prisma.Sql): Promise<number> {
    if (status === null) return batch.totalTrades;
    if (status === "SUCCESS") return batch.succeededTrades;
    if (status === "FAILED") return batch.failedTrades;
    if (status === "CANCELLED") return batch.cancelledTrades;
    const [row] = await this.prisma.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM trade WHERE ${where}`;
    return row!.count;
  }

  /**
   * Totals of succeeded trades per sold currency (a BUY's sold amount is its bought amount
   * divided by the rate) and failures per error code.
   */
  async results(id: string): Promise<BatchResultsView | null> {
    const batch = await this.batch(id);
    if (!batch) return null;
    const [totals, errors] = await Promise.all([
      this.prisma.$queryRaw<{ currency: string; amount: string }[]>`
        SELECT sell_currency AS currency,
               sum(CASE WHEN direction = 'SELL' THEN amount ELSE amount / rate END)::text AS amount
        FROM trade WHERE batch_id = ${id}::uuid AND status = 'SUCCESS'
        GROUP BY sell_currency ORDER BY sell_currency`,
      this.prisma.$queryRaw<{ errorCode: string; count: number }[]>`
        SELECT coalesce(error_code, 'UNKNOWN') AS "errorCode", count(*)::int AS count
        FROM trade WHERE batch_id = ${id}::uuid AND status = 'FAILED'
        GROUP BY 1 ORDER BY count DESC, 1`,
    ]);
    return {
      batch,
      succeededTrades: batch.succeededTrades,
      failedTrades: batch.failedTrades,
      cancelledTrades: batch.cancelledTrades,
      totalsByCurrency: totals.map(({ currency, amount }) => ({ currency, amount: roundToMinorUnits(amount, currency) })),
      errorsByCode: errors,
    };
  }
}
