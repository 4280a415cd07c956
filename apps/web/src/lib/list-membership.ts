import type { BatchFeedEventKind, BatchOrderField, BatchStatus } from "../gql/graphql";

/** What happened to a batch, as the batch feed says after its first event (LISTENING, which carries no batch). */
export type BatchChangeKind = Exclude<BatchFeedEventKind, "LISTENING">;

export interface BatchListChange {
  kind: BatchChangeKind;
  batchId: string;
  status: BatchStatus;
  /** The status this client last knew, or null when it had not seen the batch before. */
  previousStatus: BatchStatus | null;
}

export interface ShownPage {
  batchIds: ReadonlySet<string>;
  statusFilter: readonly BatchStatus[];
  orderField: BatchOrderField;
}

/**
 * Whether a batch event can change WHICH batches belong on the page shown (then it is
 * refetched), as opposed to only the fields of a batch already shown (the normalized
 * cache updates those in place). Of the filters and sort keys only the status and
 * updatedAt change after a batch is created; ids, names, creation time, size and
 * priority never do.
 */
export function canChangePageMembership(change: BatchListChange, page: ShownPage): boolean {
  if (change.kind === "DELETED") return true;
  const shown = page.batchIds.has(change.batchId);
  // Not seen before and not shown: a new batch, or one from another page; either may belong here now.
  if (change.previousStatus === null && !shown) return true;
  // Every change moves updatedAt, so the order of an "Updated" sort changes with it.
  if (page.orderField === "UPDATED_AT") return true;
  if (change.previousStatus === change.status) return false;
  return page.statusFilter.length > 0 || page.orderField === "STATUS";
}
