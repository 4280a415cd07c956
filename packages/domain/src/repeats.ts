import type { ValidTradeRow } from "./csv";

/** A file whose trades equal those of a batch staged this recently is refused as a duplicate, unless the caller says otherwise. */
export const DUPLICATE_FILE_WINDOW_DAYS = 7;

/** About how many characters canonicalTradesTextParts puts in each part. */
export const CANONICAL_TEXT_PART_LENGTH = 64 * 1024;

/**
 * The canonical text of a batch's trades, the input of its content hash, in consecutive parts
 * of about `partLength` characters (their concatenation is the text): equal for two files that
 * instruct the same trades in the same order, however they are written (column order, case of
 * codes, leading zeros and trailing decimals, blank lines, line endings). In parts because the
 * whole text of 100,000 trades is about 19 MB, on top of the trades themselves.
 */
export function* canonicalTradesTextParts(
  rows: readonly ValidTradeRow[],
  partLength = CANONICAL_TEXT_PART_LENGTH,
): Generator<string, void, undefined> {
  let part = "";
  for (let i = 0; i < rows.length; i++) {
    const { rowNumber: _, ...instruction } = rows[i]!;
    // one trade per line, its keys sorted; stored content hashes depend on this exact text
    part += (i === 0 ? "" : "\n") + JSON.stringify(instruction, Object.keys(instruction).sort());
    if (part.length >= partLength) {
      yield part;
      part = "";
    }
  }
  if (part !== "") yield part;
}

/** The one message of a duplicate file; it starts with the code clients look for. */
export function duplicateFileMessage(earlier: { batchUid: string; createdAt: Date }): string {
  return `DUPLICATE_FILE: the same trades were staged as batch ${earlier.batchUid} at ${earlier.createdAt.toISOString()}; stage again with allowDuplicate: true if they are meant to run twice`;
}
