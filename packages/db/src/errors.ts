/**
 * Whether an error means the database could not be reached or dropped the connection (a
 * failover, a restart, a pooler recycling connections, the pool exhausted): a temporary
 * condition the caller can retry, not a bug. Errors arrive wrapped (Prisma around the driver
 * adapter around pg), so the whole `cause` chain is searched.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 8; depth++) {
    if (typeof current !== "object") return false;
    const { code, kind, message, cause, originalError } = current as {
      code?: unknown;
      kind?: unknown;
      message?: unknown;
      cause?: unknown;
      originalError?: unknown;
    };
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof kind === "string" && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof message === "string" && UNAVAILABLE_TEXT.test(message)) return true;
    current = cause ?? originalError;
  }
  return false;
}

/**
 * Prisma's connection codes (P1001 can't reach, P1002 timed out, P1008 operation timed out,
 * P1017 server closed the connection, P2024 pool timeout, P2028 transaction could not start),
 * PostgreSQL's admin shutdown and connection classes (57P01–57P03, 08xxx), and Node's socket errors.
 */
const UNAVAILABLE_CODES = new Set([
  "P1001",
  "P1002",
  "P1008",
  "P1017",
  "P2024",
  "P2028",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);
/**
 * The driver adapter's own kinds (@prisma/adapter-pg): a DriverAdapterError that reaches us
 * unconverted (its message is the kind, its cause `{ kind }`) rather than as Prisma's P1001,
 * P1008 or P1017.
 */
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/**
 * Texts of errors that carry none of those codes: Prisma's P2010 around a raw query whose
 * connection was reset ("Server has closed the connection."), and pg's own client, passed on as
 * it is, once its connection failed or it was closed under a query still to come (a pool ended at shutdown).
 */
const UNAVAILABLE_TEXT =
  /Code: `(57P0[1-3]|08\d{3})`|Connection terminated|connection (is )?closed|terminating connection|ECONNREFUSED|ECONNRESET|timeout exceeded when trying to connect|Can't reach database server|Unable to start a transaction in the given time|Transaction already closed|Server has closed the connection|(connection error|was closed) and is not queryable/i;
