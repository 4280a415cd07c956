import { Parser } from "csv-parse";
import { fromCsvCell } from "./csv-export";
import {
  createTradeRowSchema,
  IGNORED_TRADE_CSV_COLUMNS,
  isValidIsoDate,
  type RawTradeRow,
  REQUIRED_TRADE_CSV_COLUMNS,
  TRADE_CSV_COLUMNS,
  type TradeCsvColumn,
  unstorableTextProblem,
} from "./csv-schema";
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
const KNOWN_COLUMNS: ReadonlySet<string> = new Set(TRADE_CSV_COLUMNS);
const IGNORED_COLUMNS: ReadonlySet<string> = new Set(IGNORED_TRADE_CSV_COLUMNS);

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
 * The longest line of a file that is read at all. A row of trades is its cells at their longest
 * (a few thousand characters, every quote doubled); a line far longer is not one, and the parser
 * would make a cell of every comma in it before any check: a 10 MB line of commas took about 600 MB.
 */
export const MAX_LINE_CHARACTERS = 65_536;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LINE_FEED = 0x0a;

/**
 * The first line (numbered from 1) longer than MAX_LINE_CHARACTERS, or the first line of a row of
 * more than MAX_LINE_CHARACTERS cells, or null. Short lines do not bound a row's cells: line feeds
 * inside quotes join lines into one row ('"\n",' over and over made a row of a cell every 4
 * characters, about 220 MB for 10 MB, skipped in the end as blank). Quotes are followed as the
 * parser does for a file it accepts: a doubled quote inside a quoted value leaves it quoted.
 */
function firstOversizedLine(text: string): { line: number; tooManyCells: boolean } | null {
  let line = 1;
  let lineStart = 0;
  let rowLine = 1;
  let cells = 1;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      quoted = !quoted;
    } else if (code === COMMA) {
      // A row on one line is bounded by its length, and told so.
      if (!quoted && ++cells > MAX_LINE_CHARACTERS && rowLine !== line) return { line: rowLine, tooManyCells: true };
    } else if (code === LINE_FEED) {
      if (i - lineStart > MAX_LINE_CHARACTERS) return { line, tooManyCells: false };
      line++;
      lineStart = i + 1;
      if (!quoted) {
        rowLine = line;
        cells = 1;
      }
    }
  }
  return text.length - lineStart > MAX_LINE_CHARACTERS ? { line, tooManyCells: false } : null;
}

/** Bytes of the file given to the parser at a time: the records of one piece at most exist at once. */
const PARSE_PIECE_BYTES = 64 * 1024;

/**
 * Hands each record of `text` to `onRecord` as soon as csv-parse reads it, until `onRecord`
 * answers false, and keeps none: the parser is fed one piece at a time and emptied after each,
 * synchronously (its stream interface, written and read in turn). Collecting the records of a
 * 100,000-row file first held 39 MB of them beside the rows built from them; csv-parse's
 * on_record would do the same per record but costs about half as much CPU again as the parse
 * (it copies the parser's state into a new object for each record).
 * @throws the parser's CsvError for broken quoting
 */
function forEachRecord(text: string, maxRows: number, onRecord: (cells: string[]) => boolean): void {
  const parser = new Parser({
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
  // A failure is read from parser.errored as soon as the write returns; the event comes later.
  parser.on("error", () => {});
  const bytes = Buffer.from(text);
  try {
    for (let from = 0; ; from += PARSE_PIECE_BYTES) {
      const last = from + PARSE_PIECE_BYTES >= bytes.length;
      const piece = bytes.subarray(from, from + PARSE_PIECE_BYTES);
      if (last) parser.end(piece);
      else parser.write(piece);
      if (parser.errored) throw parser.errored;
      for (let cells = parser.read() as string[] | null; cells !== null; cells = parser.read() as string[] | null) {
        if (!onRecord(cells)) return;
      }
      // With 16 or more records waiting, csv-parse holds back the write's callback until they are
      // read, so the end-of-file check (a quote never closed) fails during the reads above.
      if (parser.errored) throw parser.errored;
      if (last) return;
    }
  } finally {
    parser.destroy();
  }
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

/**
 * The problems of one file: keeps the first `max` (in the order they are added) and counts the rest, so a
 * file with a problem in every cell costs no more memory than one with `max` problems.
 */
class CappedErrors {
  private readonly kept: RowError[] = [];
  /** Every problem added, kept or not. */
  total = 0;

  constructor(private readonly max: number) {}

  add(error: RowError): void {
    this.total++;
    if (this.kept.length < this.max) this.kept.push(error);
  }

  /** The kept problems, followed by one file-level error giving the total when some were left out. */
  list(): RowError[] {
    if (this.total > this.kept.length) {
      this.kept.push({
        row: null,
        field: null,
        message:
          `${formatCount(this.kept.length)} of ${formatCount(this.total)} problems are listed; ` +
          "fix these and upload the file again to see the rest",
      });
    }
    return this.kept;
  }
}

/** Why a first line that names no known column is not a header (`names` are its cells trimmed and lower-cased). */
function noHeaderMessage(header: readonly string[], names: readonly string[]): string {
  const separator = OTHER_SEPARATORS.find(({ character }) =>
    names.some((name) => name.split(character).some((part) => KNOWN_COLUMNS.has(part.trim()))),
  );
  if (separator !== undefined) {
    // The header is there, split by another character: "must be the header" would puzzle whoever reads it.
    return (
      `The header's columns are separated by ${separator.name}, as spreadsheets save CSV in some languages; ` +
      'this format separates them with commas: save the file as comma-separated CSV (such as "CSV UTF-8 (Comma delimited)" in Excel)'
    );
  }
  const found = header.slice(0, 4).map((cell) => quoteValue(cell));
  return (
    `The first line must be the header naming the columns (${TRADE_CSV_COLUMNS.join(", ")}); ` +
    `found ${found.join(", ")}${header.length > 4 ? ", …" : ""}`
  );
}

/** Column separators other files use: a header split by one of them names the columns all the same. */
const OTHER_SEPARATORS = [
  { character: ";", name: "semicolons (;)" },
  { character: "\t", name: "tabs" },
] as const;

type HeaderResult = { ok: true; index: Record<TradeCsvColumn, number> } | { ok: false; errors: RowError[] };

/**
 * Maps column names (trimmed, case-insensitive) to cell positions, or reports every header problem at row 0
 * (up to `maxErrors` of them, then their total).
 */
function mapHeader(header: readonly string[], maxErrors: number): HeaderResult {
  const names = header.map((cell) => cell.trim().toLowerCase());
  if (!names.some((name) => KNOWN_COLUMNS.has(name) || IGNORED_COLUMNS.has(name))) {
    return { ok: false, errors: [{ row: 0, field: null, message: noHeaderMessage(header, names) }] };
  }

  const errors = new CappedErrors(maxErrors);
  const index = Object.fromEntries(TRADE_CSV_COLUMNS.map((column) => [column, -1])) as Record<TradeCsvColumn, number>;
  names.forEach((name, position) => {
    const columnNumber = position + 1;
    const unstorable = unstorableTextProblem(name);
    if (unstorable !== null) {
      const written = header[position]!.trim();
      errors.add({
        row: 0,
        // the name as written, with each character that cannot be stored shown as U+FFFD
        field: replaceUnstorable(written),
        message: `Column ${columnNumber} of the header, ${quoteValue(written)}, ${unstorable}`,
      });
    } else if (name === "") {
      errors.add({ row: 0, field: null, message: `Column ${columnNumber} of the header has no name` });
    } else if (IGNORED_COLUMNS.has(name)) {
      // An export's own column (status, error_code, …): accepted so the export stages again as it is, never read.
    } else if (!KNOWN_COLUMNS.has(name)) {
      const suggestion = closestColumn(name);
      errors.add({
        row: 0,
        field: header[position]!.trim(),
        message:
          `Unknown column ${quoteValue(header[position]!.trim())} (column ${columnNumber})` +
          `; the columns are ${TRADE_CSV_COLUMNS.join(", ")}` +
          `, and the exports' own columns (${IGNORED_TRADE_CSV_COLUMNS.join(", ")}), which staging ignores` +
          (suggestion === null ? "" : ` (did you mean "${suggestion}"?)`),
      });
    } else {
      const column = name as TradeCsvColumn;
      const first = index[column];
      if (first >= 0) {
        errors.add({
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
    if (index[column] < 0) errors.add({ row: 0, field: column, message: `Required column "${column}" is missing from the header` });
  }
  return errors.total > 0 ? { ok: false, errors: errors.list() } : { ok: true, index };
}

const SURROGATE = /[\uD800-\uDFFF]/;
const PRIVATE_USE_FIRST = 0xe000;
const PRIVATE_USE_LAST = 0xf8ff;

type ProtectedText = { text: string; marker: null } | { text: string; marker: string; surrogates: number[] };

/**
 * csv-parse reads its input as UTF-8 bytes, which silently turns an unpaired UTF-16 surrogate into U+FFFD:
 * the damaged text would pass as valid. So before parsing, each unpaired surrogate is swapped for a
 * private-use character that appears nowhere in the file (the marker) and the surrogates are kept in file
 * order, for restoreUnpairedSurrogates to put back into the parsed cells, where the cell rules refuse them
 * with their row and column. Null when every private-use character is already in the file.
 */
function protectUnpairedSurrogates(text: string): ProtectedText | null {
  if (!SURROGATE.test(text)) return { text, marker: null }; // the common case: no surrogate at all
  const used = new Uint8Array(PRIVATE_USE_LAST - PRIVATE_USE_FIRST + 1);
  const unpaired: number[] = []; // positions in text
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= PRIVATE_USE_FIRST && unit <= PRIVATE_USE_LAST) used[unit - PRIVATE_USE_FIRST] = 1;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    else if (unit >= 0xd800 && unit <= 0xdfff) unpaired.push(i);
  }
  if (unpaired.length === 0) return { text, marker: null };
  const free = used.indexOf(0);
  if (free < 0) return null;
  const marker = String.fromCharCode(PRIVATE_USE_FIRST + free);
  const parts: string[] = [];
  const surrogates: number[] = [];
  let from = 0;
  for (const position of unpaired) {
    parts.push(text.slice(from, position), marker);
    surrogates.push(text.charCodeAt(position));
    from = position + 1;
  }
  parts.push(text.slice(from));
  return { text: parts.join(""), marker, surrogates };
}

/**
 * Puts the surrogates protectUnpairedSurrogates took out back into the parsed cells: called with
 * each record in file order, it takes the next surrogates for the markers it finds.
 */
function surrogateRestorer(marker: string, surrogates: readonly number[]): (cells: string[]) => void {
  let next = 0;
  return (cells) => {
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c]!;
      if (!cell.includes(marker)) continue;
      const pieces = cell.split(marker);
      let restored = pieces[0]!;
      for (let p = 1; p < pieces.length; p++) restored += String.fromCharCode(surrogates[next++]!) + pieces[p]!;
      cells[c] = restored;
    }
  };
}

/** `text` with each NUL character and each unpaired UTF-16 surrogate replaced by U+FFFD (the replacement character). */
function replaceUnstorable(text: string): string {
  let result = "";
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) {
      result += "\uFFFD";
    } else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      result += text.slice(i, i + 2);
      i++;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      result += "\uFFFD";
    } else {
      result += text[i];
    }
  }
  return result;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** The known column within edit distance 2 of a mistyped name (the closest; the first in the lists on a tie). */
function closestColumn(name: string): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const column of [...TRADE_CSV_COLUMNS, ...IGNORED_TRADE_CSV_COLUMNS]) {
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

/** Orders the problems of one row by column (sort is stable), the order a user reads the row in. */
function byColumn(a: RowError, b: RowError): number {
  return columnRank(a) - columnRank(b);
}

function columnRank(error: RowError): number {
  return error.field === null ? -1 : (COLUMN_ORDER.get(error.field) ?? TRADE_CSV_COLUMNS.length);
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
