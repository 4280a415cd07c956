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
 * The `onHanded` of this bus's own messages on their way through PostgreSQL, by the sequence number
 * of their notification and their line in it. A notification of this bus's comes back after every
 * earlier one: those still here when a later one is back were lost, and are forgotten.
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

/**
 * The `onHanded` of this process's own messages on their way through Redis, in the order they were
 * published. Redis delivers one connection's publishes in that order, interleaved with other
 * instances' messages, and a message carries nothing but its JSON: one of ours is known by its
 * channel and text. Those published before it that are still here when it is back were lost (the
 * subscriber connection was away), and are forgotten. A message from another instance with the
 * same channel and text would be taken for ours: then only the time it is taken to have been
 * handed is early, and a batch's snapshots differ in their counters and updatedAt anyway.
 */
export class AwaitingEchoes {
  private queue: { channel: string; text: string; onHanded: OnHanded }[] = [];

  add(channel: string, text: string, onHanded: OnHanded): void {
    this.queue.push({ channel, text, onHanded });
    if (this.queue.length > MOST_AWAITING) this.queue.shift();
  }

  /** The onHanded of the message if it is one of ours, forgetting it and every one published before it. */
  take(channel: string, text: string): OnHanded | undefined {
    const index = this.queue.findIndex((message) => message.channel === channel && message.text === text);
    if (index < 0) return undefined;
    const { onHanded } = this.queue[index]!;
    this.queue = this.queue.slice(index + 1);
    return onHanded;
  }

  /** A message that was not published never comes back. */
  forget(onHanded: OnHanded): void {
    this.queue = this.queue.filter((message) => message.onHanded !== onHanded);
  }

  clear(): void {
    this.queue = [];
  }
}
