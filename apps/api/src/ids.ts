import { isBatchUid } from "@fxbt/domain";
import type { GraphQLError } from "graphql";
import { apiError, notFound } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Batches and trades are named by UUIDs; anything else names nothing. */
export const isUuid = (id: unknown): id is string => typeof id === "string" && UUID.test(id);

/**
 * The NOT_FOUND an id that cannot name anything answers, like a well-formed unknown one, never a
 * database error; null for a UUID.
 */
export function malformedIdError(what: string, id: string): GraphQLError | null {
  if (isUuid(id)) return null;
  // The batch may well exist: "does not exist" would mislead. Said of the shape alone, so it tells nothing of existence.
  if (what === "batch" && isBatchUid(id)) {
    return apiError("NOT_FOUND", `${id} is a batchUid: this takes the batch's id (a UUID), which batch(id: "${id}") { id } reads`, { id });
  }
  return notFound(what, id);
}

/** The id, when it is one; otherwise throws malformedIdError's answer. */
export function checkId(what: string, id: string): string {
  const error = malformedIdError(what, id);
  if (error) throw error;
  return id;
}
