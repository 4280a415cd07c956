import { fromCsvCell } from "./csv-export";
import { type HeaderResult, mapHeader } from "./csv-header";
import { CappedErrors, formatCount } from "./csv-problems";
import {
  createTradeRowSchema,
  isValidIsoDate,
  type RawTradeRow,
  TRADE_CSV_COLUMNS,
  type TradeCsvColumn,
  unstorableTextProblem,
} from "./csv-schema";
import {
  describeCsvSyntaxError,
  firstOversizedLine,
  forEachRecord,
  MAX_LINE_CHARACTERS,
  protectUnpairedSurrogates,
  surrogateRestorer,
  utf8LengthExceeds,
} from "./csv-text";
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, FIELD_LIMITS, MAX_ROW_ERRORS } from "./limits";
import { quoteValue } from "./money";
import { toTradeInstruction } from "./trade-entry";
import type { TradeInstruction } from "./views";

/**
 * Parsing and validation of an uploaded trade CSV (format version 1, docs/csv-format.md). Pure: the
 * caller reads the file and passes "today"; nothing here touches files, network or the clock.
 *
 * Error addressing (RowError):
 * - row null, field null: a problem with the file as a whole — too large, empty, no data rows, too many rows,
 *   lines ending with a lone CR (read as one line: its header holds the CRs);
 * - row 0: a problem with the header — unknown, duplicate, unnamed or missing column (field = the column);
 * - row n ≥ 1: the n-th data row, counting from 1 after the header; blank lines (and lines whose cells are
 *   all empty, as spreadsheets export them) are skipped and not counted. field is the column, or null when
 *   the problem is the row itself (wrong number of cells, broken quoting, the header line repeated).
 * Broken quoting stops the parser, so only the first such problem is reported (with its data row and line).
 *
 * At most `maxErrors` (MAX_ROW_ERRORS, 1,000) problems are listed, in file order; when there are more, the
 * list ends with one more file-level error (row null, field null) giving the total. Past the cap, rows are
 * still checked to count their problems, but the problems themselves are not kept.
 *
 * Text that PostgreSQL cannot store — a NUL character or an unpaired UTF-16 surrogate — is refused in any
 * cell (naming its row and column) and in the header (row 0).
 *
 * Cell values are taken exactly as written (the spec only ignores spaces around column names): " 100" is
 * reported as an amount containing a space rather than silently changed. The one exception undoes the
 * exports' own formula escape ("'=x" is read as "=x", fromCsvCell); the exports' extra columns
 * (IGNORED_TRADE_CSV_COLUMNS) are accepted and never read. Currency codes and direction
 * are case-insensitive and returned upper-cased; empty optional cells become null.
 */

export type RowError = { row: number | null; field: string | null; message: string };

export type ValidTradeRow = TradeInstruction & {
  /** 1-based data row number (the header is row 0; blank lines are not counted). */
  rowNumber: number;
};

export type ParseTradeCsvOptions = {
  /** Today's date in UTC, YYYY-MM-DD; value dates before it are refused. */
  today: string;
  /** Maximum number of data rows (default 100,000). */
  maxRows?: number;
  /** Maximum size of the file in bytes of UTF-8 (default 20 MiB). */
  maxBytes?: number;
  /** Maximum number of problems listed before the one that gives the total (default MAX_ROW_ERRORS, 1,000). */
  maxErrors?: number;
};

export type ParseTradeCsvResult = { ok: true; rows: ValidTradeRow[] } | { ok: false; errors: RowError[] };

const COLUMN_ORDER: ReadonlyMap<string, number> = new Map(TRADE_CSV_COLUMNS.map((column, i) => [column, i]));

/**
 * Parses and validates a trade CSV. Returns every valid row when the whole file is valid, otherwise the
 * problems found, up to `maxErrors` of them and then their total (never a mix: when any row is invalid
 * nothing may be saved).
 * @throws RangeError for invalid options (a bad `today`, a non-positive limit) — a programming error.
 */
export function parseTradeCsv(text: string, options: ParseTradeCsvOptions): ParseTradeCsvResult {
  const { today, maxRows = DEFAULT_MAX_ROWS, maxBytes = DEFAULT_MAX_BYTES, maxErrors = MAX_ROW_ERRORS } = options;
  if (!isValidIsoDate(today)) throw new RangeError(`today must be a date written YYYY-MM-DD, got ${quoteValue(today)}`);
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);
  if (!Number.isSafeInteger(maxErrors) || maxErrors < 1) throw new RangeError(`maxErrors must be a positive integer, got ${maxErrors}`);

  if (utf8LengthExceeds(text, maxBytes)) {
    return fileError(`The file is larger than the limit of ${formatBytes(maxBytes)}; split it into smaller files`);
  }

  const oversized = firstOversizedLine(text);
  if (oversized !== null) {
    return fileError(
      LONE_CR.test(text.slice(0, MAX_LINE_CHARACTERS))
        ? `The file's lines end with ${LONE_CR_LINE_ENDS}, so it reads as a single line; ` +
            'save it again with LF or CRLF line ends (for example as "CSV UTF-8" in Excel)'
        : oversized.tooManyCells
          ? `The row starting on line ${formatCount(oversized.line)} of the file has more than ${formatCount(MAX_LINE_CHARACTERS)} cells, ` +
            "far more than a row of trades can hold; is this the trades CSV?"
          : `Line ${formatCount(oversized.line)} of the file is longer than ${formatCount(MAX_LINE_CHARACTERS)} characters, ` +
            "far more than a row of trades can hold; is this the trades CSV?",
    );
  }

  const protectedText = protectUnpairedSurrogates(text);
  if (protectedText === null) {
    // cannot happen with a real file: it would hold every one of the 6,400 private-use characters
    return fileError(`The file ${unstorableTextProblem(text)}`);
  }

  const restore = protectedText.marker === null ? null : surrogateRestorer(protectedText.marker, protectedText.surrogates);
  const file = new FileChecker(today, maxRows, maxErrors);
  try {
    forEachRecord(protectedText.text, maxRows, (cells) => {
      restore?.(cells);
      return file.add(cells);
    });
  } catch (error) {
    return { ok: false, errors: [describeCsvSyntaxError(error)] };
  }
  return file.result();
}

/**
 * A carriage return not followed by a line feed. Files are read with LF and CRLF line ends, so in a
 * file whose lines end with a lone CR (classic Mac OS) several lines read as one record, and the
 * only trace of their ends is this character inside a cell.
 */
const LONE_CR = /\r(?!\n)/;

const LONE_CR_LINE_ENDS = "a carriage return alone (CR, as some older programs write CSV)";

/** A file's records in order: the header first, then each data row checked as it comes. */
class FileChecker {
  private records = 0;
  private header: HeaderResult | null = null;
  /** The header holds a lone CR inside a name: the file's lines end with it, and the whole file is that one line. */
  private headerHasLoneCr = false;
  private rows: RowChecker | null = null;

  constructor(
    private readonly today: string,
    private readonly maxRows: number,
    private readonly maxErrors: number,
  ) {}

  /** Takes the next record; false once the file has more rows than it may (the rest need not be read). */
  add(cells: string[]): boolean {
    this.records++;
    if (this.header === null) {
      // trimmed as the names are: a header line ending in CR CR LF is a header
      this.headerHasLoneCr = cells.some((cell) => LONE_CR.test(cell.trim()));
      this.header = mapHeader(cells, this.maxErrors);
      if (this.header.ok) this.rows = new RowChecker(this.header.index, cells, this.today, this.maxErrors);
    } else if (this.records - 1 <= this.maxRows) {
      this.rows?.check(cells, this.records - 1);
    }
    return this.records - 1 <= this.maxRows;
  }

  result(): ParseTradeCsvResult {
    if (this.header === null) {
      return fileError(`The file is empty; its first line must be a header naming the columns (${TRADE_CSV_COLUMNS.join(", ")})`);
    }
    if (this.headerHasLoneCr) {
      return fileError(
        `The file's lines end with ${LONE_CR_LINE_ENDS}, so it reads as a single line; ` +
          'save it again with LF or CRLF line ends (for example as "CSV UTF-8" in Excel)',
      );
    }
    if (this.records === 1) return fileError("The file has a header but no data rows");
    if (this.records - 1 > this.maxRows) {
      return fileError(`The file has more than ${formatCount(this.maxRows)} data rows, the limit per file; split it into several files`);
    }
    if (!this.header.ok) return { ok: false, errors: this.header.errors };
    return this.rows!.result();
  }
}

/** Checks the data rows of a file one by one, keeping the valid rows until the first problem and the problems (capped). */
class RowChecker {
  private readonly schema: ReturnType<typeof createTradeRowSchema>;
  private readonly errors: CappedErrors;
  private readonly rows: ValidTradeRow[] = [];
  private readonly firstRowOfReference = new Map<string, number>();
  // the problems of the row being checked, put in column order before they join the list
  private readonly rowErrors: RowError[] = [];

  private readonly columnCount: number;
  /** The header's names as mapHeader reads them (trimmed, lower-cased), to recognise the header repeated. */
  private readonly headerNames: readonly string[];

  constructor(
    private readonly index: Record<TradeCsvColumn, number>,
    header: readonly string[],
    today: string,
    maxErrors: number,
  ) {
    this.columnCount = header.length;
    this.headerNames = header.map((cell) => cell.trim().toLowerCase());
    this.schema = createTradeRowSchema(today);
    this.errors = new CappedErrors(maxErrors);
  }

  check(cells: readonly string[], rowNumber: number): void {
    const { index, errors, rowErrors } = this;
    if (cells.length !== this.columnCount) {
      const count = `The row has ${cells.length} cell${cells.length === 1 ? "" : "s"} but the header has ${this.columnCount} columns; `;
      errors.add({
        row: rowNumber,
        field: null,
        message: cells.some((cell) => LONE_CR.test(cell))
          ? `${count}a line of it ends with ${LONE_CR_LINE_ENDS}, so several lines read as one: save the file again with LF or CRLF line ends`
          : `${count}check for a missing or extra comma, or a value with a comma that is not enclosed in double quotes`,
      });
      return;
    }

    // Files joined with their headers: one problem for the line, not one per column it fails.
    if (cells.every((cell, position) => cell.trim().toLowerCase() === this.headerNames[position])) {
      errors.add({
        row: rowNumber,
        field: null,
        message: "The row repeats the header line, as when files are joined together with their headers; remove it",
      });
      return;
    }

    // A cell an export formula-escaped ("'=Acme") is read as it was staged ("=Acme"): see fromCsvCell.
    const at = (position: number) => (position < 0 ? "" : fromCsvCell(cells[position]!));
    const raw: RawTradeRow = {
      client_id: at(index.client_id),
      client_name: at(index.client_name),
      account_number: at(index.account_number),
      sell_currency: at(index.sell_currency),
      buy_currency: at(index.buy_currency),
      direction: at(index.direction),
      amount: at(index.amount),
      value_date: at(index.value_date),
      reference: at(index.reference),
    };

    const result = this.schema.safeParse(raw);
    rowErrors.length = 0;
    let referenceValid = true;
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = typeof issue.path[0] === "string" ? issue.path[0] : null;
        if (field === "reference") referenceValid = false;
        rowErrors.push({ row: rowNumber, field, message: issue.message });
      }
    }

    const reference = raw.reference;
    if (reference !== "" && referenceValid) {
      const first = this.firstRowOfReference.get(reference);
      if (first === undefined) {
        this.firstRowOfReference.set(reference, rowNumber);
      } else {
        rowErrors.push({
          row: rowNumber,
          field: "reference",
          message: `reference ${quoteValue(reference, FIELD_LIMITS.referenceMax)} is already used in row ${first}; references must be unique within the file`,
        });
      }
    }

    if (rowErrors.length > 0) {
      if (rowErrors.length > 1) rowErrors.sort(byColumn);
      for (const error of rowErrors) errors.add(error);
      this.rows.length = 0; // the file is rejected: its rows are not needed
      return;
    }
    if (errors.total > 0) return; // the file is rejected anyway: keep validating, stop building rows

    this.rows.push({ rowNumber, ...toTradeInstruction(raw) });
  }

  result(): ParseTradeCsvResult {
    return this.errors.total > 0 ? { ok: false, errors: this.errors.list() } : { ok: true, rows: this.rows };
  }
}

/** Orders the problems of one row by column (sort is stable), the order a user reads the row in. */
function byColumn(a: RowError, b: RowError): number {
  return columnRank(a) - columnRank(b);
}

function columnRank(error: RowError): number {
  return error.field === null ? -1 : (COLUMN_ORDER.get(error.field) ?? TRADE_CSV_COLUMNS.length);
}

function fileError(message: string): ParseTradeCsvResult {
  return { ok: false, errors: [{ row: null, field: null, message }] };
}

function formatBytes(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes % MiB === 0) return `${bytes / MiB} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${formatCount(bytes)} bytes`;
}
