/**
 * Writing CSV cells for exports (RFC 4180), safe to open in a spreadsheet.
 *
 * Text cells (client names, references, messages...) that begin with =, +, -, @, tab or carriage return
 * would be run as formulas by Excel, LibreOffice or Google Sheets ("CSV injection"). As the format spec
 * says, such values are stored as given and only escaped on export, by prefixing a single quote — the
 * OWASP recommendation — so the spreadsheet shows the text instead of evaluating it.
 *
 * Numeric columns (amounts, rates, totals, counts) are never escaped: they are written with csvNumber or as
 * JS numbers, which only accept plain decimals, so "-5" stays a number. Our amounts are positive anyway,
 * but a difference or a signed total must not turn into the text "'-5".
 */

/**
 * What the export escapes: a formula start (=, +, -, @, tab, CR), or single quotes before one. The second keeps the round
 * trip exact: "'=x" exported as is would come back as "=x" (fromCsvCell takes the quote for the
 * export's own), so it is exported as "''=x" and comes back as "'=x".
 */
const ESCAPED_START = /^'*[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/** A numeric cell: written as is, never formula-escaped. Create it with csvNumber. */
export type CsvNumberCell = { readonly kind: "csv-number"; readonly value: string };

/** One cell of toCsvLine: text (string), empty (null), or a number. */
export type CsvCellValue = string | null | number | CsvNumberCell;

/**
 * A text cell per RFC 4180: null → empty cell; a value starting with =, +, -, @, tab or CR, or with
 * single quotes and then one of those, gets a leading single quote; the result is enclosed in double
 * quotes (inner quotes doubled) when it contains a comma, a double quote, CR or LF.
 */
export function toCsvCell(value: string | null): string {
  if (value === null || value === "") return "";
  const safe = ESCAPED_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * Undoes toCsvCell's formula escape when an exported cell comes back in an upload: a value that
 * begins with a single quote followed by =, +, -, @, tab or carriage return (or by more single
 * quotes and then one of those) is read without its first quote, so exporting and staging again
 * keeps "=Acme" as "=Acme" and "'=Acme" as "'=Acme" (spreadsheets also read that leading quote as
 * "this is text", not as part of the value). Any other value is returned as is.
 */
export function fromCsvCell(value: string): string {
  return value.charCodeAt(0) === APOSTROPHE && ESCAPED_START.test(value.slice(1)) ? value.slice(1) : value;
}

const APOSTROPHE = 0x27;

/**
 * Marks a plain decimal string ("1234.56", "-5") as a numeric cell, written without escaping.
 * @throws TypeError for anything else, so text can never reach a spreadsheet unescaped through this path.
 */
export function csvNumber(value: string): CsvNumberCell {
  if (!PLAIN_NUMBER.test(value)) throw new TypeError(`csvNumber needs a plain decimal string, got ${JSON.stringify(value)}`);
  return { kind: "csv-number", value };
}

function cellText(cell: CsvCellValue): string {
  if (cell === null || typeof cell === "string") return toCsvCell(cell);
  if (typeof cell === "number") {
    const text = String(cell);
    if (!Number.isFinite(cell) || !PLAIN_NUMBER.test(text)) {
      throw new TypeError(`numeric CSV cells must be finite plain decimals, got ${text}; pass a decimal string to csvNumber`);
    }
    return text;
  }
  return cell.value;
}

/**
 * One CSV line (without line terminator; join lines with "\r\n" as RFC 4180 does). Strings are text cells
 * (escaped by toCsvCell); numbers and csvNumber cells are written as is.
 */
export function toCsvLine(cells: readonly CsvCellValue[]): string {
  return cells.map(cellText).join(",");
}
