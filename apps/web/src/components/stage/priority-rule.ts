/**
 * The priority's rule as packages/domain/src/priority.ts words it, for the New batch page. A
 * copy, not an import: the domain package's root would bring decimal.js and the currency list
 * into this page's bundle, and the domain does not yet export priority.ts on its own
 * (`@fxbt/domain/priority`). priority-rule.test.ts fails as soon as the two differ.
 */
export const PRIORITY_RANGE = { min: -1000, max: 1000 } as const;

/** The one wording of the rule; the API's errors say the same. */
export const PRIORITY_RULE = `priority must be a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`;

/** Why a value cannot be a priority, or null when it can; null and undefined are the default, 0. */
export function priorityProblem(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const ok = typeof value === "number" && Number.isInteger(value) && value >= PRIORITY_RANGE.min && value <= PRIORITY_RANGE.max;
  return ok ? null : `${PRIORITY_RULE}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`;
}
