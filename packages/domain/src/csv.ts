import { parse } from "csv-parse/sync";
import {
  amountCurrencyColumn,
  createTradeRowSchema,
  isValidIsoDate,
  type RawTradeRow,
  REQUIRED_TRADE_CSV_COLUMNS,
  TRADE_CSV_COLUMNS,
  type TradeCsvColumn,
} from "./csv-schema";
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, FIELD_LIMITS } from "./limits";
import { normalizeAmount, quoteValue } from "./money";
import type { TradeInstruction } from "./views";

/**
 * Parsing and validation of an uploaded trade CSV (format version 1, docs/csv-format.md). Pure: the
 * caller reads the file and passes "today"; nothing here touches files, network or the clock.
 *
 * Error addressing (RowError):
 * - row null, field null: a problem with the file as a whole — too large, empty, no data rows, too many rows;
 * - row 0: a problem with the header — unknown, duplicate, unnamed or missing column (field = the column);
 * - row n ≥ 1: the n-th data row, counting from 1 after the header; blank lines (and lines whose cells are
 *   all empty, as spreadsheets export them) are skipped and not counted. field is the column, or null when
 *   the problem is the row itself (wrong number of cells, broken quoting).
 * Broken quoting stops the parser, so only the first such problem is reported (with its data row and line).
 *
 * Cell values are taken exactly as written (the spec only ignores spaces around column names): " 100" is
 * reported as an amount containing a space rather than silently changed. Currency codes and direction
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
};

export type ParseTradeCsvResult = { ok: true; rows: ValidTradeRow[] } | { ok: false; errors: RowError[] };

const COLUMN_ORDER: ReadonlyMap<string, number> = new Map(TRADE_CSV_COLUMNS.map((column, i) => [column, i]));
const KNOWN_COLUMNS: ReadonlySet<string> = new Set(TRADE_CSV_COLUMNS);

/**
 * Parses and validates a trade CSV. Returns every valid row when the whole file is valid, otherwise every
 * problem found (never a mix: when any row is invalid nothing may be saved).
 * @throws RangeError for invalid options (a bad `today`, a non-positive limit) — a programming error.
 */
export function parseTradeCsv(text: string, options: ParseTradeCsvOptions): ParseTradeCsvResult {
  const { today, maxRows = DEFAULT_MAX_ROWS, maxBytes = DEFAULT_MAX_BYTES } = options;
  if (!isValidIsoDate(today)) throw new RangeError(`today must be a date written YYYY-MM-DD, got ${quoteValue(today)}`);
  if (!Number.isSafeInteger(maxRows) || maxRows < 1) throw new RangeError(`maxRows must be a positive integer, got ${maxRows}`);
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${maxBytes}`);

  if (utf8LengthExceeds(text, maxBytes)) {
    return fileError(`The file is larger than the limit of ${formatBytes(maxBytes)}; split it into smaller files`);
  }

  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      // LF and CRLF, even mixed in one file; a lone CR is kept inside the cell
      record_delimiter: ["\r\n", "\n"],
      skip_empty_lines: true,
      // a line of only commas (or blanks) is a blank line exported by a spreadsheet
      skip_records_with_empty_values: true,
      // a row with the wrong number of cells is reported for that row instead of stopping the parse
      relax_column_count: true,
      // header + maxRows data rows + 1 to detect "too many" without parsing the rest
      to: maxRows + 2,
    });
  } catch (error) {
    return { ok: false, errors: [describeCsvSyntaxError(error)] };
  }

  const header = records[0];
  if (header === undefined) {
    return fileError(`The file is empty; its first line must be a header naming the columns (${TRADE_CSV_COLUMNS.join(", ")})`);
  }
  if (records.length === 1) return fileError("The file has a header but no data rows");
  if (records.length - 1 > maxRows) {
    return fileError(`The file has more than ${formatCount(maxRows)} data rows, the limit per file; split it into several files`);
  }

  const mapped = mapHeader(header);
  if (!mapped.ok) return { ok: false, errors: mapped.errors };
  const index = mapped.index;
  const columnCount = header.length;

  const schema = createTradeRowSchema(today);
  const errors: RowError[] = [];
  const rows: ValidTradeRow[] = [];
  const firstRowOfReference = new Map<string, number>();

  for (let rowNumber = 1; rowNumber < records.length; rowNumber++) {
    const cells = records[rowNumber]!;
    if (cells.length !== columnCount) {
      errors.push({
        row: rowNumber,
        field: null,
        message:
          `The row has ${cells.length} cell${cells.length === 1 ? "" : "s"} but the header has ${columnCount} columns; ` +
          "check for a missing or extra comma, or a value with a comma that is not enclosed in double quotes",
      });
      continue;
    }

    const raw: RawTradeRow = {
      client_id: index.client_id < 0 ? "" : cells[index.client_id]!,
      client_name: index.client_name < 0 ? "" : cells[index.client_name]!,
      account_number: index.account_number < 0 ? "" : cells[index.account_number]!,
      sell_currency: index.sell_currency < 0 ? "" : cells[index.sell_currency]!,
      buy_currency: index.buy_currency < 0 ? "" : cells[index.buy_currency]!,
      direction: index.direction < 0 ? "" : cells[index.direction]!,
      amount: index.amount < 0 ? "" : cells[index.amount]!,
      value_date: index.value_date < 0 ? "" : cells[index.value_date]!,
      reference: index.reference < 0 ? "" : cells[index.reference]!,
    };

    const result = schema.safeParse(raw);
    const errorsBefore = errors.length;
    let referenceValid = true;
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = typeof issue.path[0] === "string" ? issue.path[0] : null;
        if (field === "reference") referenceValid = false;
        errors.push({ row: rowNumber, field, message: issue.message });
      }
    }

    const reference = raw.reference;
    if (reference !== "" && referenceValid) {
      const first = firstRowOfReference.get(reference);
      if (first === undefined) {
        firstRowOfReference.set(reference, rowNumber);
      } else {
        errors.push({
          row: rowNumber,
          field: "reference",
          message: `reference ${quoteValue(reference, FIELD_LIMITS.referenceMax)} is already used in row ${first}; references must be unique within the file`,
        });
      }
    }

    if (errors.length > errorsBefore) {
      if (errors.length - errorsBefore > 1) sortByColumn(errors, errorsBefore);
      continue;
    }
    if (errors.length > 0) continue; // the file is rejected anyway: keep validating, stop building rows

    const direction = raw.direction.toUpperCase() as "BUY" | "SELL";
    const sellCurrency = raw.sell_currency.toUpperCase();
    const buyCurrency = raw.buy_currency.toUpperCase();
    rows.push({
      rowNumber,
      clientId: raw.client_id,
      clientName: raw.client_name === "" ? null : raw.client_name,
      accountNumber: raw.account_number,
      sellCurrency,
      buyCurrency,
      direction,
      amount: normalizeAmount(raw.amount, amountCurrencyColumn(direction) === "buy_currency" ? buyCurrency : sellCurrency),
      valueDate: raw.value_date === "" ? null : raw.value_date,
      reference: reference === "" ? null : reference,
    });
  }

  return errors.length > 0 ? { ok: false, errors } : { ok: true, rows };
}

type HeaderResult = { ok: true; index: Record<TradeCsvColumn, number> } | { ok: false; errors: RowError[] };

/** Maps column names (trimmed, case-insensitive) to cell positions, or reports every header problem at row 0. */
function mapHeader(header: readonly string[]): HeaderResult {
  const names = header.map((cell) => cell.trim().toLowerCase());
  if (!names.some((name) => KNOWN_COLUMNS.has(name))) {
    return {
      ok: false,
      errors: [
        {
          row: 0,
          field: null,
          message:
            `The first line must be the header naming the columns (${TRADE_CSV_COLUMNS.join(", ")}); ` +
            `found ${header
              .slice(0, 4)
              .map((cell) => quoteValue(cell))
              .join(", ")}${header.length > 4 ? ", …" : ""}`,
        },
      ],
    };
  }

  const errors: RowError[] = [];
  const index = Object.fromEntries(TRADE_CSV_COLUMNS.map((column) => [column, -1])) as Record<TradeCsvColumn, number>;
  names.forEach((name, position) => {
    const columnNumber = position + 1;
    if (name === "") {
      errors.push({ row: 0, field: null, message: `Column ${columnNumber} of the header has no name` });
    } else if (!KNOWN_COLUMNS.has(name)) {
      const suggestion = closestColumn(name);
      errors.push({
        row: 0,
        field: header[position]!.trim(),
        message:
          `Unknown column ${quoteValue(header[position]!.trim())} (column ${columnNumber})` +
          `; the columns are ${TRADE_CSV_COLUMNS.join(", ")}` +
          (suggestion === null ? "" : ` (did you mean "${suggestion}"?)`),
      });
    } else {
      const column = name as TradeCsvColumn;
      const first = index[column];
      if (first >= 0) {
        errors.push({
          row: 0,
          field: column,
          message: `Column "${column}" appears more than once in the header (columns ${first + 1} and ${columnNumber})`,
        });
      } else {
        index[column] = position;
      }
    }
  });
  for (const column of REQUIRED_TRADE_CSV_COLUMNS) {
    if (index[column] < 0) errors.push({ row: 0, field: column, message: `Required column "${column}" is missing from the header` });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, index };
}

/** The known column within edit distance 2 of a mistyped name, if exactly one is that close. */
function closestColumn(name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const column of TRADE_CSV_COLUMNS) {
    const distance = editDistance(name, column);
    if (distance < bestDistance) {
      best = column;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Sorts errors[from..] of one row into column order (stable), the order a user reads the row in. */
function sortByColumn(errors: RowError[], from: number): void {
  const rank = (error: RowError) => (error.field === null ? -1 : (COLUMN_ORDER.get(error.field) ?? TRADE_CSV_COLUMNS.length));
  const sorted = errors.slice(from).sort((a, b) => rank(a) - rank(b));
  errors.splice(from, sorted.length, ...sorted);
}

/**
 * True when the UTF-8 encoding of `text` is longer than `limit` bytes, computed without encoding it.
 * A UTF-16 code unit takes 1 to 3 bytes, and a surrogate pair (2 units) takes 4.
 */
function utf8LengthExceeds(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
    if (bytes > limit) return true;
  }
  return false;
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

function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Turns a csv-parse error (broken quoting) into a RowError for the data row where it happened: the
 * parser's `records` is the number of records already read, header included, which is exactly the data
 * row number of the failing record (0 when the header itself is broken).
 */
function describeCsvSyntaxError(error: unknown): RowError {
  if (!(error instanceof Error) || typeof (error as { code?: unknown }).code !== "string") throw error;
  const { code, records, lines } = error as Error & { code: string; records?: number; lines?: number };
  const row = typeof records === "number" ? records : null;
  const where = typeof lines === "number" ? ` (line ${lines} of the file)` : "";
  const quoting =
    "a value containing commas, quotes or line breaks must be enclosed in double quotes, with each double quote inside it written twice";
  let problem: string;
  switch (code) {
    case "CSV_QUOTE_NOT_CLOSED":
      problem = `a double-quoted value is never closed: the file ends inside the quotes${where}; ${quoting}`;
      break;
    case "CSV_INVALID_CLOSING_QUOTE":
      problem = `a closing double quote is followed by other characters${where}; ${quoting}`;
      break;
    case "INVALID_OPENING_QUOTE":
    case "CSV_INVALID_OPENING_QUOTE":
      problem = `a double quote appears inside a value that is not enclosed in double quotes${where}; ${quoting}`;
      break;
    default:
      problem = `${error.message}`;
  }
  return { row, field: null, message: `The file is not valid CSV: ${problem}` };
}
