import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setImmediate as nextTurn } from "node:timers/promises";
import { type Database, findBatch, streamBatchTrades, type TradeRow, toTradeView, tradeSourceOf } from "@fxbt/db";
import { canSeeBatch, csvNumber, TRADE_CSV_COLUMNS, type TradeStatus, type TradeView, toCsvLine } from "@fxbt/domain";
import type { Response } from "express";
import { notFound } from "../errors";
import { malformedIdError } from "../ids";

export const resultsCsvPath = (batchId: string) => `/export/batches/${batchId}/trades.csv`;

/** Where a batch's failed trades are exported in the upload format, to be fixed and staged again. */
export const failuresCsvPath = (batchId: string) => `/export/batches/${batchId}/failures.csv`;

type Column = [header: string, cell: (trade: TradeView) => string | number | null | ReturnType<typeof csvNumber>];

/**
 * The results export's columns: the CSV's own, then what the run made of each trade. Staging
 * accepts every one that is not an upload column as known and ignored (IGNORED_TRADE_CSV_COLUMNS
 * in @fxbt/domain, which a test keeps in step with this list).
 */
const COLUMNS: Column[] = [
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
 * The failures export's columns: exactly the upload columns in upload order, so the file stages
 * again as it is, then why each trade failed (ignored by staging). Cells are written as in the
 * results export.
 */
const FAILURE_COLUMNS: Column[] = [...TRADE_CSV_COLUMNS, "error_code", "error_message"].map((name) => {
  const column = COLUMNS.find(([header]) => header === name);
  if (!column) throw new Error(`the results export has no column ${name}`);
  return column;
});

/** One kind of trade export: its columns, which trades, and the file name it suggests. */
interface TradesCsv {
  header: string;
  line: (row: TradeRow) => string;
  /** Only the trades in this status (every trade when absent). */
  status?: TradeStatus;
  fileSuffix: string;
}

function tradesCsv(columns: readonly Column[], fileSuffix: string, status?: TradeStatus): TradesCsv {
  return {
    header: `${toCsvLine(columns.map(([header]) => header))}\r\n`,
    // One toTradeView per row: see the profile below.
    line: (row) => {
      const trade = toTradeView(row);
      return `${toCsvLine(columns.map(([, cell]) => cell(trade)))}\r\n`;
    },
    status,
    fileSuffix,
  };
}

const RESULTS = tradesCsv(COLUMNS, "trades");
const FAILURES = tradesCsv(FAILURE_COLUMNS, "failures", "FAILED");

/** The header line of the results export. */
export const RESULTS_CSV_HEADER = RESULTS.header;

/** The header line of the failures export. */
export const FAILURES_CSV_HEADER = FAILURES.header;

/** One trade's line of the results export, CRLF included. */
export const resultsCsvLine: (row: TradeRow) => string = RESULTS.line;

/*
 * Issue 9, profiled (node --cpu-prof; 45 concurrent exports of 20,000 trades on the busy 2-core
 * machine): the event loop stalled up to 17.5 s, and almost all of it was formatting. The old
 * export called toTradeView once per *cell* (18 times a row: 18 object spreads, 36 toISOString,
 * 18 precision-80 Decimal roundings of the amount), ~40% of CPU in toTradeView itself and ~20%
 * in decimal.js; Prisma's own row conversion and pg's parsing were ~3%. It did that for a whole
 * page of 5,000 rows in one synchronous step (up to 3.1 s a page under that load), and 45
 * exports' pages queued back to back. Meanwhile the 45 exports waited up to 64 s for the 10
 * connections of the pool the runner uses.
 *
 * Now: one toTradeView a row; rows come from a server-side cursor (streamBatchTrades) ROWS_PER_SLICE
 * at a time, and after each slice the export yields to the event loop (setImmediate), so no
 * export formats for more than a few milliseconds at once; stream.pipeline into the response
 * carries backpressure back to the cursor (a slow reader stops the fetches, not the process).
 */
/** ~0.7 ms of formatting (6-8 µs a row, measured warm; the old per-cell toTradeView cost ~18 times that): several exports' slices in one loop turn stay far below 100 ms. */
const ROWS_PER_SLICE = 100;

/**
 * Exports stream on the database's exportPool (EXPORT_MAX_CONCURRENT connections, 2 by default:
 * on the 2-core machine 2 streamed 45 exports faster than 4 did, with a shorter event-loop p99 —
 * the work is the API thread's formatting, which more connections cannot share out),
 * never on the pool the runner and the GraphQL API use. Decision: an export that finds them all
 * busy waits its turn (its client simply sees the response start later) — a person or a script
 * asking for a CSV wants the CSV, and waiting costs the process an idle socket, not work. But at
 * most EXPORT_MAX_QUEUED (100 by default) wait; one more is answered 503 with Retry-After, so an
 * unbounded storm cannot pile up sockets and memory.
 */
export const DEFAULT_EXPORT_MAX_QUEUED = 100;
const RETRY_AFTER_SECONDS = 5;
/** A client that reads nothing for this long loses its export, and gives its connection back. */
const STALLED_READER_MS = 60_000;

/** What the exports are doing in this process, for the metrics. */
export const exportStats = { streaming: 0, waiting: 0, refused: 0, completed: 0, failed: 0 };

/** Rows in, CSV text out: ROWS_PER_SLICE lines a chunk, then a turn of the event loop. */
function csvLines(line: (row: TradeRow) => string): Transform {
  let lines: string[] = [];
  return new Transform({
    writableObjectMode: true,
    readableHighWaterMark: 64 * 1024,
    transform(row: TradeRow, _encoding, done) {
      try {
        lines.push(line(row));
      } catch (error) {
        done(error as Error);
        return;
      }
      if (lines.length < ROWS_PER_SLICE) {
        done();
        return;
      }
      const chunk = lines.join("");
      lines = [];
      // Give /health, the runner and the other exports their turn before the next slice.
      nextTurn().then(() => done(null, chunk));
    },
    flush(done) {
      done(null, lines.join(""));
    },
  });
}

/**
 * Streams a batch's trades as CSV in row order from a server-side cursor, so a 100,000-trade
 * batch never sits in memory whole. Text cells are formula-escaped (docs/csv-format.md). A batch
 * the caller may not see (another partner's) is "not found", like one that does not exist.
 */
export function sendResultsCsv(
  database: Database,
  batchId: string,
  viewer: { partner: string | null },
  res: Response,
  /** Exports that may wait for a connection before the next is answered 503 (EXPORT_MAX_QUEUED). */
  maxQueued = DEFAULT_EXPORT_MAX_QUEUED,
): Promise<void> {
  return sendTradesCsv(RESULTS, database, batchId, viewer, res, maxQueued);
}

/**
 * Streams a batch's FAILED trades in the upload format (upload columns in upload order, then
 * error_code and error_message), so a person can fix the rows and stage them again. The same
 * rules as sendResultsCsv: not found, formula-safe cells, the export pool, 503 past the queue.
 */
export function sendFailuresCsv(
  database: Database,
  batchId: string,
  viewer: { partner: string | null },
  res: Response,
  /** Exports that may wait for a connection before the next is answered 503 (EXPORT_MAX_QUEUED). */
  maxQueued = DEFAULT_EXPORT_MAX_QUEUED,
): Promise<void> {
  return sendTradesCsv(FAILURES, database, batchId, viewer, res, maxQueued);
}

async function sendTradesCsv(
  kind: TradesCsv,
  database: Database,
  batchId: string,
  viewer: { partner: string | null },
  res: Response,
  maxQueued: number,
): Promise<void> {
  const malformed = malformedIdError("batch", batchId);
  const batch = malformed ? null : await findBatch(database.prisma, batchId);
  if (!batch || !canSeeBatch(viewer, batch)) {
    const { message, extensions } = malformed ?? notFound("batch", batchId);
    res.status(404).json({ errors: [{ message, extensions }] });
    return;
  }
  const pool = database.exportPool;
  const busy = pool.totalCount >= (pool.options.max ?? 10) && pool.idleCount === 0;
  if (busy && pool.waitingCount >= maxQueued) {
    exportStats.refused++;
    res.set("Retry-After", String(RETRY_AFTER_SECONDS));
    res.status(503).json({
      errors: [
        {
          message: "too many CSV exports at once; try again shortly",
          extensions: { code: "SERVICE_UNAVAILABLE", retryAfterSeconds: RETRY_AFTER_SECONDS },
        },
      ],
    });
    return;
  }
  exportStats.waiting++;
  const client = await pool.connect().finally(() => exportStats.waiting--);
  // The caller may have left while it waited its turn.
  if (res.destroyed || res.req.destroyed) {
    client.release();
    return;
  }
  exportStats.streaming++;
  let failure: Error | undefined;
  try {
    res.type("text/csv; charset=utf-8");
    res.attachment(`${batch.batchUid}-${kind.fileSuffix}.csv`);
    res.setTimeout(STALLED_READER_MS, () => res.destroy());
    res.write(kind.header);
    await pipeline(
      streamBatchTrades(client, batchId, { batchSize: ROWS_PER_SLICE * 2, status: kind.status, source: tradeSourceOf(batch) }),
      csvLines(kind.line),
      res,
    );
    exportStats.completed++;
  } catch (error) {
    failure = error as Error;
    exportStats.failed++;
    // A client that went away mid-export is no server error; anything else is passed on (logged).
    if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE" && !res.req.destroyed) throw error;
  } finally {
    exportStats.streaming--;
    // After a failure the connection may hold an open portal: discard it rather than reuse it.
    client.release(failure);
  }
}
