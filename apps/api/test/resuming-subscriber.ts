import { createClient } from "graphql-ws";
import WebSocket from "ws";

/**
 * A partner app's subscriber to a batch's trades that loses its connection at random moments and
 * resumes each time after the last sequence it received, as the API guide tells it to. It keeps
 * every delivery, so a test can check that the deliveries, across all the connections, are in
 * strictly increasing sequence (no duplicate, none out of order) and hold every trade's final state.
 */

export interface TradeDelivery {
  sequence: number;
  id: string;
  status: string;
  previousStatus: string | null;
  /** Which connection (0, 1, …) delivered it. */
  connection: number;
}

export interface ResumingSubscriberOptions {
  url: string;
  key: string;
  batchId: string;
  /** Trades of the batch: the subscriber is done when each has been seen in a final status. */
  trades: number;
  /** Where to start: a Batch.eventSequence read before the run, or null for "from now on". */
  afterSequence: number | null;
  /** Longest time a connection lives before it is dropped; each lives a random part of it. */
  maxConnectionMs?: number;
  /** Give up (and fail) after this long. */
  timeoutMs?: number;
  /** Called when the API has acknowledged the first connection (the subscribe message follows it). */
  onConnected?: () => void;
}

const FINAL = new Set(["SUCCESS", "FAILED", "CANCELLED"]);
const SUBSCRIPTION = `subscription($id: ID!, $after: Int) {
  tradeStatusChanged(batchId: $id, afterSequence: $after) { sequence previousStatus trade { id status } }
}`;

type Event = { tradeStatusChanged: { sequence: number; previousStatus: string | null; trade: { id: string; status: string } } };

export async function resumingSubscriber(
  options: ResumingSubscriberOptions,
): Promise<{ deliveries: TradeDelivery[]; connections: number }> {
  const { url, key, batchId, trades, maxConnectionMs = 400, timeoutMs = 90_000 } = options;
  const deliveries: TradeDelivery[] = [];
  const finals = new Set<string>();
  let after = options.afterSequence;
  let connection = 0;
  const deadline = Date.now() + timeoutMs;
  while (finals.size < trades) {
    if (Date.now() > deadline) {
      throw new Error(`after ${connection} connections, ${finals.size} of ${trades} trades seen final; last sequence ${after}`);
    }
    const client = createClient({
      url: url.replace("http", "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${key}` },
      on: { connected: () => (current === 0 ? options.onConnected?.() : undefined) },
    });
    const current = connection;
    await new Promise<void>((resolve, reject) => {
      // A dropped connection delivers nothing more, as when the network goes: events the socket
      // still had in hand are not processed (so `after` is the last one processed).
      let dropped = false;
      const drop = () => {
        dropped = true;
        void Promise.resolve(client.dispose()).then(resolve);
      };
      const dropAfter = setTimeout(drop, Math.random() * maxConnectionMs);
      client.subscribe<Event>(
        { query: SUBSCRIPTION, variables: { id: batchId, after } },
        {
          next: ({ data, errors }) => {
            if (dropped) return;
            if (errors?.length) {
              clearTimeout(dropAfter);
              reject(new Error(JSON.stringify(errors)));
              return;
            }
            const { sequence, previousStatus, trade } = data!.tradeStatusChanged;
            deliveries.push({ sequence, id: trade.id, status: trade.status, previousStatus, connection: current });
            after = sequence;
            if (FINAL.has(trade.status)) finals.add(trade.id);
            if (finals.size === trades) {
              clearTimeout(dropAfter);
              drop();
            }
          },
          error: (error) => {
            clearTimeout(dropAfter);
            reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => {},
        },
      );
    });
    connection++;
  }
  return { deliveries, connections: connection };
}

/** Sequences strictly increasing across every connection: nothing twice, nothing out of order. */
export function outOfOrder(deliveries: readonly TradeDelivery[]): TradeDelivery[] {
  return deliveries.filter((delivery, i) => i > 0 && delivery.sequence <= deliveries[i - 1]!.sequence);
}

/** How many times each trade was delivered in a final status. */
export function finalDeliveriesPerTrade(deliveries: readonly TradeDelivery[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const delivery of deliveries) if (FINAL.has(delivery.status)) counts.set(delivery.id, (counts.get(delivery.id) ?? 0) + 1);
  return counts;
}
