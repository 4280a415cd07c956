import { isDatabaseUnavailable } from "@fxbt/db";
import { unstorableTextProblem } from "@fxbt/domain";
import { type ExecutionResult, type FormattedExecutionResult, GraphQLError, type GraphQLFormattedError } from "graphql";

/**
 * The API's one error format: a GraphQL error whose extensions.code says what kind of
 * problem it is. Row problems of a CSV are not errors: they are data in the payload.
 */
export type ErrorCode =
  | "BAD_BATCH_STATE"
  | "NOT_FOUND"
  | "BAD_USER_INPUT"
  | "SERVICE_UNAVAILABLE"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "RATE_LIMITED"
  | "LIMIT_EXCEEDED";

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * Refuses text the database cannot hold (a NUL, an unpaired surrogate) with BAD_USER_INPUT naming
 * the argument, before it reaches SQL, where it failed as an internal error.
 */
export function checkStorableText(value: string | null | undefined, argument: string): void {
  const problem = value ? unstorableTextProblem(value) : null;
  if (problem) throw apiError("BAD_USER_INPUT", `${argument} ${problem}`, { argument });
}

/** What a caller is told, over every transport and route, while the database cannot be reached. */
export const DATABASE_UNAVAILABLE_MESSAGE = "The service cannot reach its database just now; try again in a moment";

export const notFound = (what: string, id: string) => apiError("NOT_FOUND", `${what} ${id} does not exist`, { id });

/** Codes a client can act on; anything else is an internal fault and is not shown in detail. */
const CLIENT_CODES = new Set([
  "BAD_BATCH_STATE",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "RATE_LIMITED",
  "LIMIT_EXCEEDED",
]);

/**
 * Shapes every error sent to a client: ours pass as they are; an unexpected one (a bug,
 * the database gone) is logged with its detail and reaches the client as a plain
 * INTERNAL_SERVER_ERROR, never with SQL or a stack.
 */
export function maskInternalErrors(log: (error: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === "string" && CLIENT_CODES.has(code)) return formatted;
    log(error);
    if (isDatabaseUnavailable(error)) {
      return {
        message: DATABASE_UNAVAILABLE_MESSAGE,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: "SERVICE_UNAVAILABLE" },
      };
    }
    return {
      message: "Internal server error",
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  };
}

type Mask = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Masks the errors of a result sent over the WebSocket (graphql-ws's `onNext`) exactly as
 * Apollo masks them over HTTP: the same function, so the two transports cannot differ.
 */
export function maskResult(result: ExecutionResult, mask: Mask): FormattedExecutionResult {
  const { errors, ...rest } = result;
  return errors?.length ? { ...rest, errors: errors.map((error) => mask(error.toJSON(), error)) } : rest;
}

/**
 * Errors graphql-ws reports before executing (its `onError`): the document did not parse or
 * validate. They carry no code of their own, so they get the codes Apollo gives them over HTTP
 * (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED) before the same masking; errors that wrap
 * an original error (a resolver's, the database's) are left to the masking as they are.
 */
export function maskOperationErrors(errors: readonly GraphQLError[], mask: Mask): GraphQLFormattedError[] {
  return errors.map((error) => {
    if (error.originalError || error.extensions.code) return mask(error.toJSON(), error);
    const code = error.message.startsWith("Syntax Error") ? "GRAPHQL_PARSE_FAILED" : "GRAPHQL_VALIDATION_FAILED";
    const coded = new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      extensions: { code },
    });
    return mask(coded.toJSON(), coded);
  });
}
