import { GraphQLError } from "graphql";

/**
 * The API's one error format: a GraphQL error whose extensions.code says what kind of
 * problem it is. Row problems of a CSV are not errors: they are data in the payload.
 */
export type ErrorCode = "BAD_BATCH_STATE" | "NOT_FOUND" | "BAD_USER_INPUT";

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const notFound = (what: string, id: string) => apiError("NOT_FOUND", `${what} ${id} does not exist`, { id });
