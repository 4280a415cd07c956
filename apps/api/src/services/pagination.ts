import { unstorableTextProblem } from "@fxbt/domain";
import { apiError } from "../errors";

export const MAX_PAGE_SIZE = 100;

/** Page sizes are 1–100: a client can never ask the server for an unbounded list. */
export function checkPageSize(first: number, argument = "first"): number {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw apiError("BAD_USER_INPUT", `${argument} must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`, { argument });
  }
  return first;
}

/**
 * Opaque keyset cursors: the sort key and id of the last row seen, so the next page starts
 * right after it through an index, never with OFFSET.
 */
export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/**
 * The checks of a cursor's parts, each as strict as the column it is compared with: a part that
 * passed them but the database could not read (a date JavaScript reads loosely, a number beyond
 * the column's integers) failed in SQL as an internal error.
 */
export const cursorPart = {
  /** A time as the cursor wrote it (toISOString), years 1 to 9999. */
  timestamp: (value: unknown): boolean =>
    typeof value === "string" &&
    /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString() === value,
  /** A PostgreSQL integer (int4). */
  int: (value: unknown): boolean => Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31,
  /** A PostgreSQL bigint that is not negative, as a string of digits. */
  bigintText: (value: unknown): boolean =>
    typeof value === "string" && /^\d{1,19}$/.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n,
  /** Text the database can hold. */
  text: (value: unknown): boolean => typeof value === "string" && unstorableTextProblem(value) === null,
};

/** Reads a cursor back, each part checked, so a forged or foreign cursor never reaches SQL. */
export function decodeCursor(cursor: string, parts: readonly ((value: unknown) => boolean)[]): unknown[] {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(key) && key.length === parts.length && parts.every((valid, i) => valid(key[i]))) return key;
  } catch {
    // falls through to the error below
  }
  throw apiError("BAD_USER_INPUT", "after is not a cursor this list returned", { argument: "after" });
}

export interface Connection<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** Builds a connection from `first + 1` fetched rows: the extra row only tells that a next page exists. */
export function toConnection<T>(rows: T[], first: number, totalCount: number, cursorOf: (row: T) => string): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ node, cursor: cursorOf(node) }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
