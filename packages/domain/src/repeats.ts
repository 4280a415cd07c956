import type { ValidTradeRow } from "./csv";

/** A file whose trades equal those of a batch staged this recently is refused as a duplicate, unless the caller says otherwise. */
export const DUPLICATE_FILE_WINDOW_DAYS = 7;

/**
 * The canonical text of a batch's trades, the input of its content hash: equal for two files
 * that instruct the same trades in the same order, however they are written (column order,
 * case of codes, leading zeros and trailing decimals, blank lines, line endings).
 */
export function canonicalTradesText(rows: readonly ValidTradeRow[]): string {
  return rows.map(({ rowNumber: _, ...instruction }) => JSON.stringify(instruction, Object.keys(instruction).sort())).join("\n");
}

/** The one message of a duplicate file; it starts with the code clients look for. */
export function duplicateFileMessage(earlier: { batchUid: string; createdAt: Date }): string {
  return `DUPLICATE_FILE: the same trades were staged as batch ${earlier.batchUid} at ${earlier.createdAt.toISOString()}; stage again with allowDuplicate: true if they are meant to run twice`;
}
