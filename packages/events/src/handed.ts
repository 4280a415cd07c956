import type { OnHanded } from "./bus";

/*
 * Over a broker this process's subscribers get its own messages when they come back, and that is
 * when a message's `onHanded` runs (EventPublisher times the delivery from it). These keep the
 * callbacks of the messages on their way, for the PostgreSQL and the Redis bus.
 */

/**
 * Kept in place of a message's `onHanded` when this process's subscribers were handed it at once (a
 * snapshot, PublishOptions): when it comes back it is not handed to them again.
 */
export const HANDED_HERE: OnHanded = () => {};

/**
 * The most messages' callbacks kept: while a bus hears nothing back (its listener is away) they are
 * lost, and the oldest go first. EventPublisher has one progress event per running batch on its way.
 */
const MOST_AWAITING = 10_000;

/**
 * The `onHanded` of this bus's own messages on their way through the broker, by their number
 * (numbered.ts) and, over PostgreSQL, their line in the notification of that number (a Redis
 * message is alone under its number). A number of this bus's comes back after every earlier one:
 * those still here when a later one is back were lost, and are forgotten.
 */
export class AwaitingHands {
  private readonly notifications = new Map<number, (OnHanded | undefined)[]>();

  add(sequence: number, hands: (OnHanded | undefined)[]): void {
    if (!hands.some((hand) => hand !== undefined)) return;
    this.notifications.set(sequence, hands);
    if (this.notifications.size > MOST_AWAITING) this.notifications.delete(this.notifications.keys().next().value!);
  }

  /** The hands of a notification that came back (none for a repeat), forgetting it and every earlier one. */
  take(sequence: number): (OnHanded | undefined)[] | undefined {
    // A Map iterates in insertion order, and sequences are added in increasing order.
    for (const earlier of this.notifications.keys()) {
      if (earlier >= sequence) break;
      this.notifications.delete(earlier);
    }
    const hands = this.notifications.get(sequence);
    this.notifications.delete(sequence);
    return hands;
  }

  /** A notification that was not sent never comes back. */
  forget(sequence: number): void {
    this.notifications.delete(sequence);
  }

  clear(): void {
    this.notifications.clear();
  }
}
