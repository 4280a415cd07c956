"use client";

import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { useCallback, useEffect, useMemo } from "react";
import { PAGE_PARAM, readCursors } from "../../lib/list-params";
import { useUrlParams } from "../../lib/url-state";

/**
 * Cursor pagination kept in the address (`?after=…&after=…`): the stack of `after` cursors that
 * led to the current page, so "Previous page" goes back exactly where the reader came from,
 * and a reload, a shared link or the browser's back button shows the same page.
 */
export function useCursorPager() {
  const [params, update] = useUrlParams();
  const cursors = useMemo(() => readCursors(params), [params]);
  const after = cursors.at(-1) ?? null;
  const next = useCallback(
    (endCursor: string) =>
      update((draft) => {
        draft.delete(PAGE_PARAM);
        for (const cursor of [...cursors, endCursor]) draft.append(PAGE_PARAM, cursor);
      }, "push"),
    [cursors, update],
  );
  const previous = useCallback(
    () =>
      update((draft) => {
        draft.delete(PAGE_PARAM);
        for (const cursor of cursors.slice(0, -1)) draft.append(PAGE_PARAM, cursor);
      }, "push"),
    [cursors, update],
  );
  // Replaces rather than pushes: it is used to drop a page the list cannot show, not as a step.
  const reset = useCallback(() => update((draft) => draft.delete(PAGE_PARAM), "replace"), [update]);
  return { after, pageNumber: cursors.length + 1, next, previous, reset };
}

/** Whether the API refused the `after` cursor (a link made under another sort, or edited by hand). */
export function isBadCursorError(error: unknown): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((one) => one.extensions?.argument === "after");
}

/** A page the API cannot find from its cursor is dropped: the list opens at its first page, not at an error. */
export function useForgetBadCursor(error: unknown, pager: Pick<CursorPager, "reset" | "after">): void {
  const bad = pager.after !== null && isBadCursorError(error);
  const { reset } = pager;
  useEffect(() => {
    if (bad) reset();
  }, [bad, reset]);
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
