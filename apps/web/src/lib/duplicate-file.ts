/** The code a stageBatch row error's message starts with when the same trades were staged recently. */
export const DUPLICATE_FILE_CODE = "DUPLICATE_FILE";

export interface DuplicateFile {
  /** The earlier batch's batchUid, when the message names it. */
  batchUid: string | null;
  /** When the earlier batch was staged (ISO), when the message says. */
  stagedAt: string | null;
  message: string;
}

/**
 * The duplicate-file refusal among a stageBatch answer's row errors: one error of the whole
 * file (no row, no field) whose message starts "DUPLICATE_FILE:" and names the earlier batch
 * ("… staged as batch B-20261121-0003 at 2026-11-21T09:00:00.000Z; …"). Null for any other answer.
 */
export function findDuplicateFile(
  errors: readonly { row?: number | null; field?: string | null; message: string }[],
): DuplicateFile | null {
  const error = errors.find((candidate) => candidate.message.startsWith(`${DUPLICATE_FILE_CODE}:`));
  if (!error) return null;
  const batchUid = /\bbatch ([A-Za-z0-9][\w-]*)/.exec(error.message)?.[1] ?? null;
  const stagedAt = /\bat (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/.exec(error.message)?.[1] ?? null;
  return { batchUid, stagedAt, message: error.message };
}
