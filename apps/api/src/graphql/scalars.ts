import { GraphQLScalarType, Kind } from "graphql";
import { apiError } from "../errors";

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;
/** Seconds and their fraction may be left out; the zone may not. Its groups: year, month, day, hour, minute. */
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Exact decimals travel as strings both ways; a float never touches an amount. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: "Decimal",
  // graphql-tools copies this config over the SDL's type, description included.
  description: 'Exact decimal number serialised as a string, e.g. "1250000.00"; never a float',
  serialize(value) {
    const text = typeof value === "string" ? value : String(value);
    if (!PLAIN_DECIMAL.test(text)) throw new TypeError(`Decimal cannot represent ${text}`);
    return text;
  },
  parseValue(value) {
    if (typeof value !== "string" || !PLAIN_DECIMAL.test(value)) {
      throw apiError("BAD_USER_INPUT", `Decimal must be a string of digits with an optional point, e.g. "1250000.00"`);
    }
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !PLAIN_DECIMAL.test(ast.value)) {
      throw apiError("BAD_USER_INPUT", `Decimal must be a string of digits with an optional point, e.g. "1250000.00"`);
    }
    return ast.value;
  },
});

/**
 * Whether the date and time as written are on the calendar: JavaScript rolls 2026-02-30 over to
 * March and 24:00 to the next day rather than refusing them.
 */
function isOnTheCalendar(parts: RegExpExecArray): boolean {
  const [year, month, day, hour, minute] = parts.slice(1, 6).map(Number) as [number, number, number, number, number];
  const written = new Date(Date.UTC(2000, month - 1, day, hour, minute));
  written.setUTCFullYear(year);
  return (
    written.getUTCMonth() === month - 1 &&
    written.getUTCDate() === day &&
    written.getUTCHours() === hour &&
    written.getUTCMinutes() === minute
  );
}

function parseDateTime(text: unknown): Date {
  const parts = typeof text === "string" ? ISO_DATE_TIME.exec(text) : null;
  if (typeof text === "string" && parts && isOnTheCalendar(parts)) {
    const date = new Date(text);
    // Year 1 on: the database has no year 0, and refused it as an internal error.
    if (!Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1) return date;
  }
  throw apiError(
    "BAD_USER_INPUT",
    `DateTime must be a date and time on the calendar, from year 1, in ISO-8601 with a zone, e.g. 2026-11-21T09:30:00.000Z, got ${JSON.stringify(text)}`,
  );
}

/** ISO-8601 in UTC out; any ISO-8601 with an explicit zone in. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "ISO-8601 timestamp in UTC, e.g. 2026-11-21T09:30:00.000Z",
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    return parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});
