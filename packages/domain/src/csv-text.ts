import { Parser } from "csv-parse";
import type { RowError } from "./csv";

/**
 * The trade CSV's text as it is read (csv.ts checks what is read): the bounds checked before the
 * parser sees the text, the parser fed a piece at a time, the unpaired surrogates it would
 * otherwise damage, and its syntax errors as the API reports them.
 */

/**
 * True when the UTF-8 encoding of `text` is longer than `limit` bytes, computed without encoding it.
 * A UTF-16 code unit takes 1 to 3 bytes, and a surrogate pair (2 units) takes 4.
 */
export function utf8LengthExceeds(text: string, limit: number): boolean {
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
export function firstOversizedLine(text: string): { line: number; tooManyCells: boolean } | null {
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
export function forEachRecord(text: string, maxRows: number, onRecord: (cells: string[]) => boolean): void {
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
export function protectUnpairedSurrogates(text: string): ProtectedText | null {
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
export function surrogateRestorer(marker: string, surrogates: readonly number[]): (cells: string[]) => void {
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

export function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/**
 * Turns a csv-parse error (broken quoting) into a RowError for the data row where it happened: the
 * parser's `records` is the number of records already read, header included, which is exactly the data
 * row number of the failing record (0 when the header itself is broken).
 */
export function describeCsvSyntaxError(error: unknown): RowError {
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
