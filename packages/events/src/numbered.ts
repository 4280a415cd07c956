/*
 * How a bus over a broker (PostgreSQL or Redis) finds the messages the broker lost. Each bus numbers
 * what it sends, 0 as it starts and then 1, 2, … (a notification of several messages over
 * PostgreSQL, each message over Redis), and every receiver keeps the last number it heard from each
 * bus: a number at or below it is a repeat and is dropped, a number further on shows a loss. A loss
 * a receiver cannot see is the last message a bus sent before it went quiet, so a bus that gave up
 * on sending something says its next number as soon as it can (LossAnnouncer).
 */

/**
 * The first wait before trying again, in ms, doubling after each failure: before announcing a loss
 * (LossAnnouncer), and before the PostgreSQL bus listens again after losing its connection.
 */
export const FIRST_RECONNECT_DELAY_MS = 100;
/** The longest of those waits, in ms. */
export const MAX_RECONNECT_DELAY_MS = 5_000;

/** Messages of one publishing instance that never arrived (the listener was away, or a publish failed). */
export class MissedEventsError extends Error {
  constructor(
    readonly sender: string,
    readonly missed: number,
  ) {
    super(`${missed} event notification(s) from bus ${sender} were missed: their subscribers skipped some messages`);
    this.name = "MissedEventsError";
  }
}

/**
 * The bus and number of a message's first line, "<bus id> <number>" (a number in decimal digits,
 * as the buses write it), or undefined for anything else: a message of a version that did not
 * number its messages (plain JSON) is not taken for a number 0 of a "bus" named by its text.
 */
export function readNumber(header: string): { sender: string; sequence: number } | undefined {
  const match = /^(\S+) (0|[1-9]\d*)$/.exec(header);
  const sequence = Number(match?.[2]);
  return match && Number.isSafeInteger(sequence) ? { sender: match[1]!, sequence } : undefined;
}

/**
 * The last number heard from each bus, kept for the life of the receiver (one entry per bus heard
 * from: each says number 0 as it starts, publishing or not).
 */
export class HeardNumbers {
  private readonly lastSeen = new Map<string, number>();

  /** @param onMissed Called with how many numbers of `sender` never arrived, before the message after them is taken. */
  constructor(private readonly onMissed: (error: MissedEventsError) => void) {}

  /**
   * Whether the message numbered `sequence` from `sender` is to be taken: false for a repeat (a
   * retried send that had gone through after all). A first number from a bus never heard of is
   * taken as it is: what that bus sent before is not known here; except a number `alone` (with no
   * message) above 0, which a bus sends only after it gave up on sending something
   * (LossAnnouncer): this receiver, started after that bus's number 0 and having heard none of its
   * numbers since, may have been waiting for what was lost, and is told of (at least) one loss.
   */
  take(sender: string, sequence: number, alone = false): boolean {
    const previous = this.lastSeen.get(sender);
    if (previous !== undefined && sequence <= previous) return false;
    if (previous === undefined && alone && sequence > 0) this.onMissed(new MissedEventsError(sender, 1));
    if (previous !== undefined && sequence > previous + 1) this.onMissed(new MissedEventsError(sender, sequence - previous - 1));
    this.lastSeen.set(sender, sequence);
    return true;
  }
}

/** Options of {@link LossAnnouncer}. */
export interface LossAnnouncerOptions {
  /** Sends the bus's next number with no message, resolving once the broker has it. */
  sendNumber: () => Promise<number>;
  /** Whether a send is due or under way, which will carry a later number anyway (or fail and call lost again). Default: never. */
  busy?: () => boolean;
  onError: (error: unknown) => void;
}

/**
 * The sending side: after the messages up to a number were given up on, receivers find the loss
 * only from a later number of this bus, so one is sent (no message) as soon as it goes through,
 * unless a send of a later number goes through first. Otherwise an instance whose last event was
 * lost (a batch's final snapshot, say) left every subscriber waiting until it published again.
 */
export class LossAnnouncer {
  /** The highest number given up on and not yet followed by a number that went through; 0 for none. */
  private untold = 0;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly busy: () => boolean;

  constructor(private readonly options: LossAnnouncerOptions) {
    this.busy = options.busy ?? (() => false);
  }

  /** The messages numbered up to `sequence` may not have reached the broker. */
  lost(sequence: number): void {
    this.untold = Math.max(this.untold, sequence);
    this.announceIn(FIRST_RECONNECT_DELAY_MS);
  }

  /** The number `sequence` reached the broker: receivers see any gap before it. */
  sent(sequence: number): void {
    if (sequence > this.untold) this.untold = 0;
  }

  private announceIn(delayMs: number): void {
    if (this.closed || this.timer !== null) return;
    this.timer = setTimeout(async () => {
      this.timer = null;
      if (this.closed || this.untold === 0 || this.busy()) return;
      try {
        this.sent(await this.options.sendNumber());
      } catch (error) {
        this.options.onError(error);
        this.announceIn(Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS));
      }
    }, delayMs);
  }

  /**
   * Stops announcing (the bus is closing, everything published sent or given up on), after one
   * last try to announce a loss still untold: the lost messages may be its last (the final
   * snapshots at shutdown), and it will send no other number.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.untold === 0) return;
    try {
      this.sent(await this.options.sendNumber());
    } catch (error) {
      this.options.onError(error);
    }
  }
}
