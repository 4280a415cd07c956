import type { RowError } from "./csv";
import { CappedErrors } from "./csv-problems";
import {
  IGNORED_TRADE_CSV_COLUMNS,
  REQUIRED_TRADE_CSV_COLUMNS,
  TRADE_CSV_COLUMNS,
  type TradeCsvColumn,
  unstorableTextProblem,
} from "./csv-schema";
import { isLowSurrogate } from "./csv-text";
import { quoteValue } from "./money";

/** The trade CSV's header line: which column is where, and what is wrong with it, named for people. */

const KNOWN_COLUMNS: ReadonlySet<string> = new Set(TRADE_CSV_COLUMNS);
const IGNORED_COLUMNS: ReadonlySet<string> = new Set(IGNORED_TRADE_CSV_COLUMNS);

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

export type HeaderResult = { ok: true; index: Record<TradeCsvColumn, number> } | { ok: false; errors: RowError[] };

/**
 * Maps column names (trimmed, case-insensitive) to cell positions, or reports every header problem at row 0
 * (up to `maxErrors` of them, then their total).
 */
export function mapHeader(header: readonly string[], maxErrors: number): HeaderResult {
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
