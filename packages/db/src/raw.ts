import { createHash } from "node:crypto";
import pg from "pg";
import { Prisma } from "./generated/prisma/client";
import type { Queryable } from "./queryable";

/**
 * The runner's hot statements (claim, quote save, outcome write) as `$queryRaw` would run them, with
 * the driver alone: the same rows (numeric as Prisma's Decimal, date and timestamps as Date, int8
 * as BigInt; columns of those types, not arrays of them, which the driver reads its own way), without Prisma's round of parameter and row mapping (each parameter serialized to JSON
 * and parsed back, each cell converted twice), and as named statements, which each connection
 * parses and plans once: Prisma sends every statement unnamed, so PostgreSQL planned each call
 * again (README, "What bounds the runner").
 */
const PARSERS = new Map<number, (text: string) => unknown>([
  [pg.types.builtins.NUMERIC, (text) => new Prisma.Decimal(text)],
  [pg.types.builtins.INT8, (text) => BigInt(text)],
  // A date is midnight UTC, as Prisma reads it (the driver's own parser makes it local midnight).
  [pg.types.builtins.DATE, (text) => new Date(`${text}T00:00:00Z`)],
  // A timestamp without a time zone is read as UTC, as Prisma reads it.
  [pg.types.builtins.TIMESTAMP, (text) => new Date(`${text.replace(" ", "T")}Z`)],
]);

const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    PARSERS.get(oid) ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * A parameter as Prisma sends it: a Decimal as its digits (the driver would send its JSON, quoted),
 * a Date as its UTC instant (the driver would send local time with an offset, which a cast to
 * `timestamp` or `date` drops).
 */
function parameter(value: unknown): unknown {
  if (Prisma.Decimal.isDecimal(value)) return value.toFixed();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(parameter);
  return value;
}

/** Names by statement text: one per shape of statement (the runner sends a handful, their ids in array parameters). */
const NAMES = new Map<string, string>();

function nameOf(text: string): string {
  let name = NAMES.get(text);
  if (name === undefined) {
    name = `fxbt_${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
    NAMES.set(text, name);
  }
  return name;
}

/** A named statement: PostgreSQL keeps it on each connection, and after five calls a generic plan if that costs no more. */
function statementOf(query: TemplateStringsArray | Prisma.Sql, values: unknown[]): pg.QueryConfig {
  const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
  return { name: nameOf(sql.text), text: sql.text, values: sql.values.map(parameter), types: TYPES };
}

/**
 * `$queryRaw` and `$executeRaw` on the pool, outside any transaction: for statements committed on
 * their own. An interactive transaction's statements must go through its Prisma client.
 */
export function rawQueryable(pool: pg.Pool): Queryable {
  const queryable = {
    $queryRaw: (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      pool.query(statementOf(query, values)).then((result) => result.rows),
    $executeRaw: (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      pool.query(statementOf(query, values)).then((result) => result.rowCount ?? 0),
  };
  // Prisma's signatures return a PrismaPromise (a Promise that runs when awaited); callers only await.
  return queryable as unknown as Queryable;
}
