"use client";

import { useCallback, useState } from "react";

/**
 * Cursor pagination state: the stack of `after` cursors that led to the current page,
 * so "Previous page" goes back exactly where the reader came from.
 */
export function useCursorPager() {
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.length > 0 ? cursors[cursors.length - 1] : undefined;
  const next = useCallback((endCursor: string) => setCursors((stack) => [...stack, endCursor]), []);
  const previous = useCallback(() => setCursors((stack) => stack.slice(0, -1)), []);
  const reset = useCallback(() => setCursors([]), []);
  return { after: after ?? null, pageNumber: cursors.length + 1, next, previous, reset };
}

type CursorPager = ReturnType<typeof useCursorPager>;

interface PagerProps {
  label: string;
  pageSize: number;
  /** The page shown: its count and where the next one starts. */
  connection: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor?: string | null } };
  pager: CursorPager;
  /** Where the list stops counting (its totalCount is then this + 1, "more than this"); none for exact counts. */
  countLimit?: number;
}

/** "Page 2 of 7 · 321 in all", or "Page 2 · more than 10,000" past a list's counting limit. */
export function pagerStatus(pageNumber: number, pageSize: number, totalCount: number, countLimit?: number): string {
  if (countLimit !== undefined && totalCount > countLimit) return `Page ${pageNumber} · more than ${countLimit.toLocaleString("en-US")}`;
  const pages = Math.max(1, Math.ceil(totalCount / pageSize));
  return `Page ${pageNumber} of ${pages} · ${totalCount.toLocaleString("en-US")} in all`;
}

export function Pager({ label, pageSize, connection, pager, countLimit }: PagerProps) {
  const { totalCount, pageInfo } = connection;
  const { pageNumber } = pager;
  const endCursor = pageInfo.endCursor;
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="button" onClick={pager.previous} disabled={pageNumber <= 1}>
        Previous page
      </button>
      <span className="pager-status" aria-live="polite">
        {pagerStatus(pageNumber, pageSize, totalCount, countLimit)}
      </span>
      <button
        type="button"
        className="button"
        onClick={() => endCursor && pager.next(endCursor)}
        disabled={!pageInfo.hasNextPage || !endCursor}
      >
        Next page
      </button>
    </nav>
  );
}
