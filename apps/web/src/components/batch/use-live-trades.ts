"use client";

import { useSubscription } from "@apollo/client/react";
import { useEffect, useRef } from "react";
import { writeTradeIfCached } from "../../apollo/cache-writes";
import type { TradeRowFragment } from "../../gql/graphql";
import { TradeStatusChangedSubscription } from "../../graphql/batch";

/** How long trade events are gathered before they are written to the cache in one go. */
const FLUSH_INTERVAL_MS = 200;

/**
 * Follows every trade transition of a batch and writes it into the Trade entries the
 * page already holds. A large batch sends thousands of events a second: they are folded
 * (the last state of each trade wins) and written together, with one cache broadcast per
 * flush, so the page re-renders a few times a second instead of once per event. The stream
 * starts after `afterSequence` (the batch's event number when the page read it) and resumes after
 * its last event when the connection comes back, so no change is missed in between.
 */
export function useLiveTrades(batchId: string, afterSequence: number | null, skip: boolean): void {
  const pending = useRef(new Map<string, TradeRowFragment>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
      pending.current.clear();
    },
    [],
  );

  useSubscription(TradeStatusChangedSubscription, {
    variables: { batchId, afterSequence },
    skip,
    // Nothing of the event itself is cached or rendered: only the trades already shown change.
    fetchPolicy: "no-cache",
    ignoreResults: true,
    onData: ({ client, data }) => {
      const trade = data.data?.tradeStatusChanged.trade;
      if (!trade) return;
      pending.current.set(trade.id, trade);
      timer.current ??= setTimeout(() => {
        timer.current = null;
        const trades = [...pending.current.values()];
        pending.current.clear();
        client.cache.batch({
          update: (cache) => {
            for (const next of trades) writeTradeIfCached(cache, next);
          },
        });
      }, FLUSH_INTERVAL_MS);
    },
  });
}
