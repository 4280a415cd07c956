"use client";

import { useCallback, useSyncExternalStore } from "react";

/**
 * The error code the batch page's trade table is narrowed to. The results' breakdown rows set it
 * and the trade table reads it; they are siblings on the page, so they share it here rather than
 * through their parent. One page shows one batch: the filter belongs to a batch id and is
 * forgotten when another batch is shown.
 */
let current: { batchId: string; errorCode: string } | null = null;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Narrows the batch's trade table to the failed trades with `errorCode`; null shows every trade again. */
export function setErrorCodeFilter(batchId: string, errorCode: string | null): void {
  current = errorCode === null ? null : { batchId, errorCode };
  for (const listener of listeners) listener();
}

/** The error code the batch's trade table is narrowed to (null: none), and how to change it. */
export function useErrorCodeFilter(batchId: string): [string | null, (errorCode: string | null) => void] {
  const errorCode = useSyncExternalStore(
    subscribe,
    () => (current?.batchId === batchId ? current.errorCode : null),
    () => null,
  );
  const set = useCallback((next: string | null) => setErrorCodeFilter(batchId, next), [batchId]);
  return [errorCode, set];
}
