/*
 * Answers that repeat what the caller sent name only the first few items, each shortened: an
 * answer must not grow with a list or a string the caller made as large as the body limit allows.
 */

/** The first `limit` items joined, then how many more there are, e.g. `a, b and 3 more`. */
export function firstFew(items: readonly string[], limit: number, separator = ", "): string {
  const more = items.length - limit;
  return `${items.slice(0, limit).join(separator)}${more > 0 ? ` and ${more.toLocaleString("en-US")} more` : ""}`;
}

/** A value of the caller's as an answer repeats it: whole when it is short, its first 40 characters and "…" when it is not. */
export const shortened = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);
