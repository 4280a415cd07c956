import {
  type BatchFilter,
  type BatchOrderField,
  batchThroughputSeries,
  batchTotals,
  countBatchTrades,
  type Database,
  findBatch,
  findBatchByUid,
  findBatches,
  findTrade,
  findTradeAttempts,
  listActiveBatches,
  listRecentBatches,
  listTradesChangedAfter,
  pageBatches,
  pageBatchTrades,
  pageTradeHistory,
  type TradeCountSeries,
  type TradeHistoryFilter,
  type TradeRow,
  toBatchView,
  toTradeAttemptView,
  toTradeView,
  tradeSourceOf,
  tradeVolume,
} from "@fxbt/db";
import {
  BATCH_STATUSES,
  type BatchStatus,
  type BatchView,
  bucketSecondsProblem,
  canSeeBatch,
  DEFAULT_REVIEW_POLICY,
  isBatchUid,
  type ReviewPolicy,
  roundToMinorUnits,
  type TradeAttemptView,
  type TradeStatus,
  type TradeView,
  volumeHoursProblem,
} from "@fxbt/domain";
import { apiError, checkStorableText } from "../errors";
import { isUuid } from "../ids";
import { type BatchPreviewView, batchPreview } from "./batch-preview";
import { type Connection, checkPageSize, cursorPart, decodeCursor, encodeCursor, toConnection } from "./pagination";

export interface BatchListArgs {
  first: number;
  after?: string | null;
  filter?: BatchFilter | null;
  orderBy?: { field: BatchOrderField; direction: "ASC" | "DESC" } | null;
}

/** Batch.trades' arguments; `errorCode` (default none) keeps the FAILED trades with that code. */
export interface BatchTradesArgs {
  first: number;
  after?: string | null;
  status?: TradeStatus | null;
  errorCode?: string | null;
}

export interface TradeHistoryArgs {
  first: number;
  after?: string | null;
  filter?: TradeHistoryFilter | null;
}

const isBatchStatus = (value: unknown) => BATCH_STATUSES.includes(value as BatchStatus);

/**
 * Each trade's cursor, by trade id, from its row: the pages are ordered by row_number, the trade's
 * position, which the view hides for a trade entered by hand (its rowNumber is null there).
 */
function tradeCursors(rows: readonly TradeRow[], key: (row: TradeRow) => unknown[]): Map<string, string> {
  return new Map(rows.map((row) => [row.id, encodeCursor(key(row))]));
}

/** Which view field each batch order puts in the cursor, and how a cursor's value is checked before it reaches SQL. */
const ORDER_KEYS: Record<BatchOrderField, { key: keyof BatchView; valid: (value: unknown) => boolean }> = {
  CREATED_AT: { key: "createdAt", valid: cursorPart.timestamp },
  UPDATED_AT: { key: "updatedAt", valid: cursorPart.timestamp },
  STATUS: { key: "status", valid: isBatchStatus },
  TOTAL_TRADES: { key: "totalTrades", valid: cursorPart.int },
  PRIORITY: { key: "priority", valid: cursorPart.int },
};

export interface BatchResultsView {
  batch: BatchView;
  succeededTrades: number;
  failedTrades: number;
  cancelledTrades: number;
  totalsByCurrency: { currency: string; amount: string }[];
  errorsByCode: { errorCode: string; count: number }[];
}

/**
 * Everything that reads batches and trades: checks the arguments, reads through
 * packages/db, and maps rows to the views the schema serves. One instance per caller: a
 * partner's reads see only the partner's batches and their trades (anything else is "not
 * found"), staff of no partner see all.
 */
export class BatchQueries {
  constructor(
    private readonly database: Database,
    private readonly partner: string | null = null,
    private readonly review: ReviewPolicy = DEFAULT_REVIEW_POLICY,
  ) {}

  /** The same reads, seen by a principal of this partner (null: every batch). */
  forPartner(partner: string | null): BatchQueries {
    return new BatchQueries(this.database, partner, this.review);
  }

  private visible<T extends { partner: string | null }>(batch: T | null): T | null {
    return batch && canSeeBatch({ partner: this.partner }, batch) ? batch : null;
  }

  private get db() {
    return this.database.prisma;
  }

  async batch(id: string): Promise<BatchView | null> {
    if (!isUuid(id)) return null;
    const row = this.visible(await findBatch(this.db, id));
    return row ? toBatchView(row) : null;
  }

  /**
   * Query.batch: a batch by its id or by its batchUid (B-YYYYMMDD-NNNN), so a page or a person can
   * open a batch by the name they see. Everything else that takes a batch id (subscriptions,
   * commands, batchResults) takes the id only: an event channel is keyed by the id.
   */
  async batchByIdOrUid(idOrUid: string): Promise<BatchView | null> {
    if (!isBatchUid(idOrUid)) return this.batch(idOrUid);
    const row = this.visible(await findBatchByUid(this.db, idOrUid));
    return row ? toBatchView(row) : null;
  }

  /** One query for many ids: the DataLoader behind Trade.batch. */
  async batchesByIds(ids: readonly string[]): Promise<(BatchView | null)[]> {
    const rows = (await findBatches(this.db, ids.filter(isUuid))).filter((row) => this.visible(row));
    const byId = new Map(rows.map((row) => [row.id, toBatchView(row)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async batches({ first, after, filter, orderBy }: BatchListArgs): Promise<Connection<BatchView>> {
    checkPageSize(first);
    checkStorableText(filter?.search, "filter.search");
    const field = orderBy?.field ?? "CREATED_AT";
    const { key, valid } = ORDER_KEYS[field];
    const cursor = after ? decodeCursor(after, [(f) => f === field, valid, isUuid]) : null;
    const { rows, totalCount } = await pageBatches(this.db, {
      first,
      after: cursor ? { value: cursor[1] as string | number, id: cursor[2] as string } : null,
      filter,
      orderBy: { field, descending: (orderBy?.direction ?? "DESC") === "DESC" },
      partner: this.partner,
    });
    return toConnection(rows.map(toBatchView), first, totalCount, (batch) => encodeCursor([field, batch[key], batch.id]));
  }

  /** RUNNING batches, then the queued ones in the order the runner will take them. */
  async activeBatches(): Promise<BatchView[]> {
    return (await listActiveBatches(this.db, this.partner)).map(toBatchView);
  }

  async recentBatches(limit: number): Promise<BatchView[]> {
    checkPageSize(limit, "limit");
    return (await listRecentBatches(this.db, limit, this.partner)).map(toBatchView);
  }

  async trade(id: string): Promise<TradeView | null> {
    if (!isUuid(id)) return null;
    const row = await findTrade(this.db, id);
    if (!row) return null;
    if (this.partner !== null && !this.visible(await findBatch(this.db, row.batchId))) return null;
    return toTradeView(row);
  }

  /** Trades across batches, newest first (a batch's trades, created together, by row). */
  async tradeHistory({ first, after, filter }: TradeHistoryArgs): Promise<Connection<TradeView>> {
    checkPageSize(first);
    checkStorableText(filter?.search, "filter.search");
    if (filter?.batchId && !isUuid(filter.batchId)) return toConnection([], first, 0, () => "");
    const cursor = after ? decodeCursor(after, [cursorPart.timestamp, cursorPart.int, isUuid]) : null;
    const { rows, totalCount } = await pageTradeHistory(this.db, {
      first,
      after: cursor ? { createdAt: cursor[0] as string, rowNumber: cursor[1] as number, id: cursor[2] as string } : null,
      filter,
      partner: this.partner,
    });
    const cursors = tradeCursors(rows, (row) => [row.createdAt.toISOString(), row.rowNumber ?? 0, row.id]);
    return toConnection(rows.map(toTradeView), first, totalCount, (trade) => cursors.get(trade.id)!);
  }

  /** The attempts of each trade, oldest first, in one query for all of them. */
  async histories(trades: readonly TradeView[]): Promise<TradeAttemptView[][]> {
    const rows = await findTradeAttempts(
      this.db,
      trades.map((trade) => trade.id),
    );
    const byTrade = new Map(trades.map((trade) => [trade.id, [] as TradeAttemptView[]]));
    const tradeOf = new Map(trades.map((trade) => [trade.id, trade]));
    for (const row of rows) byTrade.get(row.tradeId)?.push(toTradeAttemptView(row, tradeOf.get(row.tradeId)!));
    return trades.map((trade) => byTrade.get(trade.id) ?? []);
  }

  /**
   * A batch's trades whose latest change is numbered above `after` (and at most `through`), as
   * they stand now, in event order: what a subscriber resuming after `after` missed. The caller
   * has checked the batch is visible.
   */
  async tradesChangedAfter(batchId: string, range: { after: number; through?: number | null; limit: number }): Promise<TradeView[]> {
    // Both tables: a subscriber may outlive the batch's archiving (one probe of (batch_id, sequence) each).
    return (await listTradesChangedAfter(this.db, batchId, range, "both")).map(toTradeView);
  }

  /** A batch's trades in CSV row order; the count comes from the batch's counters where they hold it. */
  async trades(batch: BatchView, args: BatchTradesArgs): Promise<Connection<TradeView>> {
    checkPageSize(args.first);
    const cursor = args.after ? decodeCursor(args.after, [cursorPart.int, isUuid]) : null;
    const errorCode = args.errorCode ?? null;
    checkStorableText(errorCode, "errorCode");
    const [rows, totalCount] = await Promise.all([
      pageBatchTrades(
        this.db,
        batch.id,
        {
          limit: args.first + 1,
          after: cursor ? { rowNumber: cursor[0] as number, id: cursor[1] as string } : null,
          status: args.status,
          errorCode,
        },
        tradeSourceOf(batch),
      ),
      errorCode === null ? this.countTrades(batch, args.status ?? null) : this.countFailures(batch, args.status ?? null, errorCode),
    ]);
    const cursors = tradeCursors(rows, (row) => [row.rowNumber ?? 0, row.id]);
    return toConnection(rows.map(toTradeView), args.first, totalCount, (trade) => cursors.get(trade.id)!);
  }

  private async countTrades(batch: BatchView, status: TradeStatus | null): Promise<number> {
    if (status === null) return batch.totalTrades;
    if (status === "SUCCESS") return batch.succeededTrades;
    if (status === "FAILED") return batch.failedTrades;
    if (status === "CANCELLED") return batch.cancelledTrades;
    return countBatchTrades(this.db, batch.id, status, tradeSourceOf(batch));
  }

  /** Failed trades with one code: only FAILED trades carry one, so any other status has none. */
  private async countFailures(batch: BatchView, status: TradeStatus | null, errorCode: string): Promise<number> {
    if (status !== null && status !== "FAILED") return 0;
    const { failuresByCode } = await batchTotals(this.db, batch.id, tradeSourceOf(batch));
    return failuresByCode.find((failure) => failure.errorCode === errorCode)?.count ?? 0;
  }

  /** Batch.preview: totals, value dates and warnings of a batch the caller already sees. */
  preview(batch: BatchView): Promise<BatchPreviewView> {
    return batchPreview(this.db, batch, this.review, new Date().toISOString().slice(0, 10));
  }

  /** What the batch's booked trades sold per currency (the bank's quoted amounts), and its failures per error code. */
  async results(id: string): Promise<BatchResultsView | null> {
    const batch = await this.batch(id);
    if (!batch) return null;
    const { soldByCurrency, failuresByCode } = await batchTotals(this.db, id, tradeSourceOf(batch));
    return {
      batch,
      succeededTrades: batch.succeededTrades,
      failedTrades: batch.failedTrades,
      cancelledTrades: batch.cancelledTrades,
      totalsByCurrency: soldByCurrency.map(({ currency, amount }) => ({ currency, amount: roundToMinorUnits(amount, currency) })),
      errorsByCode: failuresByCode,
    };
  }

  /**
   * Batch.throughputSeries: the bank's answers to the batch's trades per bucket of time, in at
   * most MAX_SERIES_BUCKETS buckets (a narrower bucket asked for is widened). The caller has the batch.
   */
  async throughputSeries(batch: BatchView, bucketSeconds: number | null): Promise<TradeCountSeries> {
    const problem = bucketSeconds === null ? null : bucketSecondsProblem(bucketSeconds);
    if (problem) throw apiError("BAD_USER_INPUT", `Batch.throughputSeries: ${problem}`, { argument: "bucketSeconds" });
    return batchThroughputSeries(this.db, batch.id, bucketSeconds);
  }

  /** Query.tradeVolume: answers per UTC hour over the last `hours` hours, of this caller's batches only. */
  async tradeVolume(hours: number): Promise<TradeCountSeries> {
    const problem = volumeHoursProblem(hours);
    if (problem) throw apiError("BAD_USER_INPUT", `tradeVolume: ${problem}`, { argument: "hours" });
    return tradeVolume(this.db, { hours, partner: this.partner });
  }
}
