/**
 * Reading and writing a list's state in the address's query. Every reader takes what a person
 * may have typed or pasted: a value it does not know falls back to the list's default, never
 * to an error, so an old or edited link still opens the list.
 */

/** The query parameter holding the page: the `after` cursors that led to it, one per page turned. */
export const PAGE_PARAM = "after";

/** More pages than a link keeps: past it the address would outgrow what browsers and proxies accept. */
export const MAX_PAGES_IN_URL = 100;

const MAX_TEXT_LENGTH = 200;
const MAX_CURSOR_LENGTH = 1_000;

/** `key`'s value when it is one of `allowed`, else null (absent, unknown, or given twice). */
export function readChoice<T extends string>(params: URLSearchParams, key: string, allowed: readonly T[]): T | null {
  const values = params.getAll(key);
  if (values.length !== 1) return null;
  return allowed.find((value) => value === values[0]) ?? null;
}

/** Every known value of a repeated `key`, once each, in the order of `allowed`; unknown ones are dropped. */
export function readChoices<T extends string>(params: URLSearchParams, key: string, allowed: readonly T[]): T[] {
  const given = new Set(params.getAll(key));
  return allowed.filter((value) => given.has(value));
}

/** A calendar day "YYYY-MM-DD" (as a date input gives it), or "" when absent or not a real day. */
export function readDay(params: URLSearchParams, key: string): string {
  const value = params.get(key) ?? "";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return "";
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // 2026-02-30 parses as 2 March: only a day that reads back the same is one.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? value : "";
}

/** Free text (a search), "" when absent; cut at 200 characters, more than any search needs. */
export function readText(params: URLSearchParams, key: string): string {
  return (params.get(key) ?? "").slice(0, MAX_TEXT_LENGTH);
}

/**
 * Sets `key` to `value`, or removes it when `value` is empty or the list's default (`fallback`,
 * default ""), so a list at its defaults has a bare address.
 */
export function setParam(params: URLSearchParams, key: string, value: string | readonly string[] | null, fallback = ""): void {
  params.delete(key);
  const values = value === null ? [] : typeof value === "string" ? [value] : value;
  for (const one of values) if (one !== "" && one !== fallback) params.append(key, one);
}

/** Whether `value` can be a cursor the API made: base64url of a JSON array (see apps/api pagination). */
export function isCursor(value: string): boolean {
  if (value.length === 0 || value.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return false;
  try {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "=")), (char) => char.charCodeAt(0));
    return Array.isArray(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)));
  } catch {
    return false;
  }
}

/**
 * The cursors of the pages turned to reach the one shown (none: the first page). One that is
 * not a cursor makes the whole list start again at its first page: the pages after it would
 * not be the ones the link was made on.
 */
export function readCursors(params: URLSearchParams): string[] {
  const cursors = params.getAll(PAGE_PARAM);
  return cursors.length <= MAX_PAGES_IN_URL && cursors.every(isCursor) ? cursors : [];
}

/** Back to the first page: another filter, search or sort is another list. */
export function toFirstPage(params: URLSearchParams): void {
  params.delete(PAGE_PARAM);
}

/**
 * How a change is kept in the history: typing into a search box edits the step it began
 * (one step per search, not per key), and every other change is a step of its own.
 */
export function textEditMode(before: string, after: string): "push" | "replace" {
  return before !== after && before !== "" && after !== "" ? "replace" : "push";
}
