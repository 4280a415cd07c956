/**
 * A batch's human name: B-YYYYMMDD-NNNN, the UTC day it was staged and its number that day
 * (at least four digits: the 10,000th batch of a day is B-YYYYMMDD-10000).
 */
export const BATCH_UID_PATTERN = /^B-\d{8}-\d{4,}$/;

/** True when the text has the shape of a batchUid; says nothing of whether such a batch exists. */
export function isBatchUid(text: string): boolean {
  return BATCH_UID_PATTERN.test(text);
}

/** The batchUid of the `sequence`th batch staged on `day` (YYYYMMDD, UTC). */
export function formatBatchUid(day: string, sequence: number): string {
  return `B-${day}-${String(sequence).padStart(4, "0")}`;
}
