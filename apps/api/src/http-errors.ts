import { isDatabaseUnavailable } from "@fxbt/db";
import type { ErrorRequestHandler, RequestHandler } from "express";
import { DATABASE_UNAVAILABLE_MESSAGE } from "./errors";

/**
 * Every HTTP route answers errors as JSON in the GraphQL error shape, never Express's HTML page
 * (which shows file paths when NODE_ENV is unset): a body that is not JSON, a malformed
 * %-escape in a URL, a body over the limit, an unknown route, a session that cannot be read (the
 * database away: SERVICE_UNAVAILABLE, as GraphQL answers it), and anything unexpected.
 */
export function jsonErrors(logError: (error: unknown) => void): { notFound: RequestHandler; failed: ErrorRequestHandler } {
  return {
    notFound(req, res) {
      send(res, 404, "NOT_FOUND", `${req.method} ${req.path} is not a route of this API`);
    },
    failed(error, _req, res, next) {
      if (res.headersSent) {
        next(error);
        return;
      }
      const { status, type } = error as { status?: number; type?: string };
      if (type === "entity.parse.failed") return send(res, 400, "BAD_REQUEST", "the request body is not valid JSON");
      if (type === "entity.too.large") return send(res, 413, "BAD_REQUEST", "the request body is larger than this API accepts");
      if (error instanceof URIError) return send(res, 400, "BAD_REQUEST", "the URL has a malformed %-escape");
      if (typeof status === "number" && status >= 400 && status < 500) return send(res, status, "BAD_REQUEST", "the request is malformed");
      logError(error);
      if (isDatabaseUnavailable(error)) return send(res, 503, "SERVICE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE);
      send(res, 500, "INTERNAL_SERVER_ERROR", "Internal server error");
    },
  };
}

function send(res: Parameters<RequestHandler>[1], status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}
