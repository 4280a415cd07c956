"use client";

import { useSearchParams } from "next/navigation";
import { useMemo, useSyncExternalStore } from "react";

/**
 * A list's state (filters, search, sort, page) lives in the address's query, so a reload or a
 * shared link shows the same list and back/forward step between the states a reader chose.
 *
 * It is written with the History API: Next.js keeps its router in step with
 * `window.history.pushState`/`replaceState`, and no server round trip is made. It is read
 * from `window.location` through a store of its own so a controlled input (the search box) is
 * updated in the same render as the keystroke that changed it; Next's transitions would lag.
 */
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** "push" makes a step back/forward returns to; "replace" edits the current one (typing). */
export type HistoryMode = "push" | "replace";

/**
 * Writes `params` as the address's query (the path and hash are kept). Nothing is written when
 * the query is already this one, so a repeated write adds no history step.
 */
export function writeUrlParams(params: URLSearchParams, mode: HistoryMode): void {
  const query = params.toString();
  if (query === window.location.search.replace(/^\?/, "")) return;
  const url = `${window.location.pathname}${query ? `?${query}` : ""}${window.location.hash}`;
  if (mode === "push") window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
  for (const listener of listeners) listener();
}

/**
 * The address's query, and how to change it: `update` receives a copy of the current
 * parameters to edit. The server knows no query of a client-only list, so it renders the defaults.
 */
export function useUrlParams(): [URLSearchParams, (edit: (params: URLSearchParams) => void, mode: HistoryMode) => void] {
  // Read only to re-render when Next.js itself navigates (a link to this page with another query).
  useSearchParams();
  const search = useSyncExternalStore(
    subscribe,
    () => window.location.search,
    () => "",
  );
  return useMemo(() => {
    const params = new URLSearchParams(search);
    const update = (edit: (params: URLSearchParams) => void, mode: HistoryMode) => {
      const next = new URLSearchParams(window.location.search);
      edit(next);
      writeUrlParams(next, mode);
    };
    return [params, update];
  }, [search]);
}
