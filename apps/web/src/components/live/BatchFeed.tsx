"use client";

import { useApolloClient, useSubscription } from "@apollo/client/react";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { evictBatch, readBatch, writeBatchSnapshot } from "../../apollo/cache-writes";
import { readShownAgain } from "../../apollo/make-client";
import type { BatchFieldsFragment as BatchFields, BatchStatus } from "../../gql/graphql";
import { BatchFeedSubscription } from "../../graphql/batches";
import { batchFinishedMessage, isFinalBatchStatus } from "../../lib/batch-status";
import type { BatchChangeKind } from "../../lib/list-membership";
import { type ToastTone, useToast } from "../toasts/ToastProvider";

export interface BatchFeedEvent {
  kind: BatchChangeKind;
  batch: BatchFields;
  /** The status this tab last knew for the batch; null when it had never seen it. */
  previousStatus: BatchStatus | null;
}

type FeedListener = (event: BatchFeedEvent) => void;

const FeedContext = createContext<(listener: FeedListener) => () => void>(() => () => undefined);

const RESUBSCRIBE_DELAY_MS = 3_000;

const FINISH_TONES: Record<BatchStatus, ToastTone> = {
  PENDING: "info",
  RUNNING: "info",
  SUCCESS: "success",
  PARTIAL_SUCCESS: "warning",
  FAILED: "danger",
  CANCELLED: "info",
};

/**
 * The one app-wide subscription to batchFeed. It writes each batch into the normalized cache (so
 * every page showing that batch updates in place), announces batches that finish, and hands each
 * event to the pages that listen (for refetches). On its first event, LISTENING, the pages read
 * again what they show (readShownAgain): a change committed before the API had the subscription in
 * place reached no page, and one committed after reaches the feed. That is each time it starts:
 * at sign-in, after a dropped socket (graphql-ws subscribes again), after an error ended it.
 */
export function BatchFeedProvider({ children }: { children: ReactNode }) {
  const client = useApolloClient();
  const showToast = useToast();
  const listeners = useRef(new Set<FeedListener>());
  const lastStatus = useRef(new Map<string, BatchStatus>());
  const announced = useRef(new Set<string>());

  const announceFinished = useCallback(
    (batch: BatchFields) => {
      const key = `${batch.id}|${batch.completedAt ?? batch.updatedAt}`;
      if (announced.current.has(key)) return;
      announced.current.add(key);
      const message = batchFinishedMessage(batch);
      showToast(message, FINISH_TONES[batch.status]);
      if (typeof Notification !== "undefined" && Notification.permission === "granted") {
        try {
          new Notification("FX Batch Trader", { body: message, tag: key });
        } catch {
          // Some browsers only allow notifications from a service worker; the toast already told.
        }
      }
    },
    [showToast],
  );

  const handleEvent = useCallback(
    (kind: BatchChangeKind, batch: BatchFields) => {
      const { cache } = client;
      const cached = kind === "DELETED" ? readBatch(cache, batch.id) : writeBatchSnapshot(cache, batch);
      const previousStatus = lastStatus.current.get(batch.id) ?? cached?.status ?? null;
      if (kind === "DELETED") {
        lastStatus.current.delete(batch.id);
        evictBatch(cache, batch.id);
      } else {
        lastStatus.current.set(batch.id, batch.status);
        if (isFinalBatchStatus(batch.status) && previousStatus !== batch.status) announceFinished(batch);
      }
      for (const listener of listeners.current) listener({ kind, batch, previousStatus });
    },
    [client, announceFinished],
  );

  // Counts the times the feed ended (an error, or the server completing it); each one schedules a restart.
  const [endings, setEndings] = useState(0);
  const { restart } = useSubscription(BatchFeedSubscription, {
    // Written by hand above (older snapshots are skipped); ignoreResults: events must not re-render the whole app.
    fetchPolicy: "no-cache",
    ignoreResults: true,
    onData: ({ data }) => {
      const event = data.data?.batchFeed;
      if (!event) return;
      if (event.kind === "LISTENING") readShownAgain(client);
      else if (event.batch) handleEvent(event.kind, event.batch);
    },
    onError: () => setEndings((count) => count + 1),
    onComplete: () => setEndings((count) => count + 1),
  });

  useEffect(() => {
    // graphql-ws retries the socket forever; should the subscription still end in an error, start it again.
    if (endings === 0) return;
    // What changed while there was none is read again on the new subscription's LISTENING.
    const timer = setTimeout(restart, RESUBSCRIBE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [endings, restart]);

  const subscribe = useCallback((listener: FeedListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  return <FeedContext value={subscribe}>{children}</FeedContext>;
}

/** Calls `listener` with every batch change while the calling component is mounted. */
export function useBatchFeed(listener: FeedListener): void {
  const subscribe = useContext(FeedContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => subscribe((event) => latest.current(event)), [subscribe]);
}
