import { isBatchUid } from "@fxbt/domain";
import { apiError, notFound } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Batches and trades are named by UUIDs; anything else names nothing. */
export const isUuid = (id: unknown): id is string => typeof id === "string" && UUID.test(id);

/** An id that cannot name anything answers NOT_FOUND, like a well-formed unknown one, never a database error. */
export function checkId(what: string, id: string): string {
  if (isUuid(id)) return id;
  // The batch may well exist: "does not exist" would mislead. Said of the shape alone, so it tells nothing of existence.
  if (what === "batch" && isBatchUid(id)) {
    throw apiError("NOT_FOUND", `${id} is a batchUid: this takes the batch's id (a UUID), which batch(id: "${id}") { id } reads`, { id });
  }
  throw notFound(what, id);
}
