/**
 * The range of a batch's priority: the runner promotes queued batches highest priority first.
 * Bounded so a caller cannot jump every queue for good with an extreme value, and kept well
 * inside GraphQL's 32-bit Int.
 */
export const PRIORITY_RANGE = { min: -1000, max: 1000 } as const;

/** The one wording of the rule, for people: error messages and the staging form say the same. */
export const PRIORITY_RULE = `priority must be a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`;

/**
 * Why a value cannot be a priority, or null when it can. `value` is whatever the caller sent
 * (a number, or anything else a client put there); null and undefined mean "the default, 0".
 */
export function priorityProblem(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const ok = typeof value === "number" && Number.isInteger(value) && value >= PRIORITY_RANGE.min && value <= PRIORITY_RANGE.max;
  return ok ? null : `${PRIORITY_RULE}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`;
}
