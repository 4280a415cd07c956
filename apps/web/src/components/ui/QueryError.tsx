import type { ErrorLike } from "@apollo/client";
import { CombinedGraphQLErrors, ServerError, ServerParseError } from "@apollo/client/errors";

/** The first GraphQL error code (BAD_BATCH_STATE, NOT_FOUND…) and message, or the network error's. */
export function describeError(error: ErrorLike): { code: string | null; message: string } {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const code = first?.extensions?.code;
    return { code: typeof code === "string" ? code : null, message: first?.message ?? error.message };
  }
  if (ServerError.is(error) || ServerParseError.is(error)) {
    return { code: `HTTP ${error.statusCode}`, message: error.message };
  }
  // fetch's own wording ("Failed to fetch", "NetworkError when…") means the API did not answer.
  return { code: null, message: "The API could not be reached. It is asked again as soon as the connection is back." };
}

export function QueryError({ error, what }: { error: ErrorLike | undefined; what: string }) {
  if (!error) return null;
  const { code, message } = describeError(error);
  return (
    <div className="alert alert-danger" role="alert">
      <strong>Could not load {what}.</strong> {code ? <code>{code}</code> : null} {message}
    </div>
  );
}
