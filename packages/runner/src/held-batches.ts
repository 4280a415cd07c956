/**
 * The batches of the trades a runner holds, and which of them have had their cancel requested.
 * A cancel request cancels a batch's claims with nothing sent to the bank; the runner still holds
 * those trades until their flows end, and a flow waiting for a call to the bank quotes none of a
 * batch known to be cancelled (each such quote would be one nobody can book).
 */
export class HeldBatches {
  private readonly held = new Map<string, number>();
  private readonly cancelledIds = new Set<string>();

  /** The batches with cancel requested: read by the trade flow (TradeFlowDeps.cancelled). */
  get cancelled(): ReadonlySet<string> {
    return this.cancelledIds;
  }

  /** The batches of which at least one trade is held. */
  ids(): string[] {
    return [...this.held.keys()];
  }

  /** A trade of `batchId` is now held. */
  take(batchId: string): void {
    this.held.set(batchId, (this.held.get(batchId) ?? 0) + 1);
  }

  /** A trade of `batchId` is no longer held; a batch with none left is forgotten. */
  release(batchId: string): void {
    const left = (this.held.get(batchId) ?? 1) - 1;
    if (left > 0) {
      this.held.set(batchId, left);
      return;
    }
    this.held.delete(batchId);
    this.cancelledIds.delete(batchId);
  }

  /** Marks these batches as cancelled, those still held (a cancel is never withdrawn). */
  noteCancelled(ids: Iterable<string>): void {
    for (const id of ids) if (this.held.has(id)) this.cancelledIds.add(id);
  }
}
