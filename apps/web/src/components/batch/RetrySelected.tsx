"use client";

import type { ErrorLike } from "@apollo/client";
import { useMutation } from "@apollo/client/react";
import { MAX_RETRY_SELECTION } from "@fxbt/domain/limits";
import { TRADE_MOVES, type TradeStatus } from "@fxbt/domain/status";
import { useState } from "react";
import { RetryFailedTradesMutation } from "../../graphql/batch";
import { formatInteger } from "../../lib/format";
import type { TradeSelection, TradeTableRow } from "../trades/TradeTable";
import { RetryDialog, RetryFailure, type SelectedFailure } from "./RetryDialog";

/** The statuses a trade may be retried from: the API's own rule, so no box offers what it would refuse. */
const RETRYABLE: readonly TradeStatus[] = TRADE_MOVES.retry.from;

export interface RetrySelection extends TradeSelection {
  /** The trades picked, in the order they were picked, on every page. */
  selected: SelectedFailure[];
  clear: () => void;
}

type Picked = ReadonlyMap<string, SelectedFailure>;
const NONE: Picked = new Map();

const pickedFrom = (trade: TradeTableRow): SelectedFailure => ({ id: trade.id, rowNumber: trade.rowNumber, errorCode: trade.errorCode });

/**
 * The failed trades a reader picks on a batch's trade table to retry them. The choice is kept
 * while they page, filter and come back, and belongs to one finish of the batch (`round`, its
 * completedAt): once it is retried and finishes again, what was picked before is forgotten.
 */
export function useRetrySelection(round: string | null): RetrySelection {
  const [state, setState] = useState<{ round: string | null; picked: Picked }>({ round, picked: NONE });
  const picked = state.round === round ? state.picked : NONE;
  const change = (edit: (next: Map<string, SelectedFailure>) => void) =>
    setState((current) => {
      const next = new Map(current.round === round ? current.picked : NONE);
      edit(next);
      return { round, picked: next };
    });
  return {
    selected: [...picked.values()],
    canSelect: (trade) => RETRYABLE.includes(trade.status),
    isSelected: (id) => picked.has(id),
    toggle: (trade) =>
      change((next) => {
        if (!next.delete(trade.id)) next.set(trade.id, pickedFrom(trade));
      }),
    setAll: (trades, selected) =>
      change((next) => {
        for (const trade of trades) {
          if (selected) next.set(trade.id, pickedFrom(trade));
          else next.delete(trade.id);
        }
      }),
    clear: () => setState({ round, picked: NONE }),
  };
}

/**
 * Above the trade table of a batch whose failures the reader may retry: how many failed trades are
 * picked, "Retry selected (n)", which asks first (RetryDialog) and retries exactly those, and a way
 * to drop the choice. A refused retry is shown here and keeps the choice; a retry that runs clears
 * it and calls `onRetried`: the batch is queued again, so this bar goes, and focus needs a place.
 */
export function RetrySelectedBar({
  batch,
  selection,
  onRetried,
}: {
  batch: { id: string; batchUid: string };
  selection: RetrySelection;
  onRetried: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<ErrorLike | null>(null);
  const [retryFailedTrades, retry] = useMutation(RetryFailedTradesMutation);
  const count = selection.selected.length;
  const tooMany = count > MAX_RETRY_SELECTION;

  return (
    <>
      <div className="toolbar selection-bar">
        <p className="selection-count" aria-live="polite">
          {count === 0
            ? "Tick failed trades to retry only those; the choice is kept from page to page."
            : `${formatInteger(count)} failed ${count === 1 ? "trade" : "trades"} selected.`}
        </p>
        <button
          type="button"
          className="button button-primary button-small"
          disabled={count === 0 || tooMany || retry.loading}
          onClick={() => {
            setFailure(null);
            setConfirming(true);
          }}
        >
          Retry selected ({formatInteger(count)})
        </button>
        {/* Always there, aria-disabled rather than disabled or gone when nothing is picked: it keeps the focus it had when used. */}
        <button type="button" className="button button-small" aria-disabled={count === 0} onClick={() => count > 0 && selection.clear()}>
          Clear selection
        </button>
      </div>
      {tooMany ? (
        <p className="hint action-refused">
          At most {formatInteger(MAX_RETRY_SELECTION)} trades can be retried at once: clear some, or retry by error code under Results.
        </p>
      ) : null}
      <RetryFailure error={failure} />
      {confirming ? (
        <RetryDialog
          batch={batch}
          selected={selection.selected}
          busy={retry.loading}
          onConfirm={(request) => {
            // The answer (the batch, queued again) lands in its cache entry: the table loses its boxes.
            retryFailedTrades({ variables: { id: batch.id, ...request } })
              .then(() => {
                selection.clear();
                onRetried();
              })
              .catch((error: ErrorLike) => setFailure(error))
              .finally(() => setConfirming(false));
          }}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
    </>
  );
}
