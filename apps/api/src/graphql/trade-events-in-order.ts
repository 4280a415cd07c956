import type { TradeView } from "@fxbt/domain";
import type { MissedMessage, TradeChannelMessage, TradeStatusMessage } from "@fxbt/events";

/** Reads a batch's trades changed after a number (and at most `through`), as they stand now, in event order. */
export type ReadChangedTrades = (range: { after: number; through?: number | null; limit: number }) => Promise<TradeView[]>;

/** Options of {@link tradeEventsInOrder}. */
export interface TradeEventsInOrderOptions {
  /** The caller has every event of the batch up to this number: only later ones are delivered. */
  after: number;
  /** Deliver first what changed after `after` (read from the database), then live events; false: live only. */
  replay: boolean;
  readChanged: ReadChangedTrades;
  /**
   * How long a gap in the live numbers may stay open before the numbers missing from it are read
   * from the database (which has each trade's latest state, not the states in between). Events from
   * another API instance arrive out of order by about the time its event loop takes to publish
   * them: milliseconds, but hundreds of them on a loaded machine (the two-process test saw more
   * than 250 ms on 2 busy cores); a number can also be lost with a broker's connection.
   *
   * @default 1_000
   */
  gapWaitMs?: number;
  /**
   * Trades per database read, when replaying or filling a gap.
   *
   * @default 500
   */
  pageSize?: number;
}

const GAP_TIMEOUT = Symbol("gap timeout");

/**
 * A batch's trade events in the order of their numbers, each number once, from `after` on: the
 * replay of what the caller missed (each trade changed since, as it stands now, from durable data),
 * then live events. Every number of a batch is announced once on its channel, by a trade event or
 * as a number without one (SkippedSequencesMessage), so the live numbers have no gaps but late
 * ones. A live event numbered at or below the last delivered is a repeat of what was read and is
 * dropped; one above the next expected waits until the numbers before it arrive, or, after
 * `gapWaitMs`, until they are read from the database. So there is no gap and no duplicate at the
 * seam between the replay and live events, whichever instance published them. When the bus says
 * messages may have been lost (MissedMessage: its broker connection was), everything changed since
 * the last number delivered is read at once: the lost numbers may have been the batch's last, and
 * no later one would then show the gap.
 */
export async function* tradeEventsInOrder(
  live: AsyncIterator<TradeChannelMessage | MissedMessage>,
  { after, replay, readChanged, gapWaitMs = 1_000, pageSize = 500 }: TradeEventsInOrderOptions,
): AsyncGenerator<TradeStatusMessage> {
  let delivered = after;
  /** Numbers received above the next expected one: an event, or null for a number without one. */
  const early = new Map<number, TradeStatusMessage | null>();

  async function* readFromDatabase(through: number | null): AsyncGenerator<TradeStatusMessage> {
    for (;;) {
      const page = await readChanged({ after: delivered, through, limit: pageSize });
      for (const trade of page) {
        delivered = trade.sequence;
        yield { trade, previousStatus: null };
      }
      if (page.length < pageSize) break;
    }
    if (through !== null) delivered = Math.max(delivered, through);
  }

  if (replay) yield* readFromDatabase(null);
  let next = live.next();
  let gapDeadline: number | null = null;
  for (;;) {
    while (early.has(delivered + 1)) {
      const message = early.get(delivered + 1)!;
      early.delete(delivered + 1);
      delivered++;
      if (message) yield message;
    }
    if (early.size === 0) gapDeadline = null;
    else gapDeadline ??= Date.now() + gapWaitMs;

    const result = gapDeadline === null ? await next : await raceDeadline(next, gapDeadline);
    if (result === GAP_TIMEOUT) {
      let through = delivered;
      for (const n of early.keys()) through = Math.max(through, n);
      yield* readFromDatabase(through);
      for (const n of early.keys()) if (n <= delivered) early.delete(n);
      gapDeadline = null;
      continue;
    }
    if (result.done) return;
    next = live.next();
    const message = result.value;
    if ("ended" in message) return;
    if ("missed" in message) {
      yield* readFromDatabase(null);
      for (const n of early.keys()) if (n <= delivered) early.delete(n);
    } else if ("skippedSequences" in message) {
      for (const n of message.skippedSequences) if (n > delivered && !early.has(n)) early.set(n, null);
    } else if (message.trade.sequence > delivered) {
      early.set(message.trade.sequence, message);
    }
  }
}

/** The iterator's next result, or GAP_TIMEOUT if the deadline comes first (the result is then still awaited by the caller). */
async function raceDeadline<T>(next: Promise<T>, deadline: number): Promise<T | typeof GAP_TIMEOUT> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof GAP_TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(GAP_TIMEOUT), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([next, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
