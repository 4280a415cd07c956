import { notFound } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Batches and trades are named by UUIDs; anything else names nothing. */
export const isUuid = (id: unknown): id is string => typeof id === "string" && UUID.test(id);

/** An id that cannot name anything answers NOT_FOUND, like a well-formed unknown one, never a database error. */
export function checkId(what: string, id: string): string {
  if (!isUuid(id)) throw notFound(what, id);
  return id;
}
