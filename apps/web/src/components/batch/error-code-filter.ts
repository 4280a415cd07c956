"use client";

import { useCallback } from "react";
import { setParam, toFirstPage } from "../../lib/list-params";
import { useUrlParams, writeUrlParams } from "../../lib/url-state";

/** The batch page's query parameter holding the error code its trade table is narrowed to. */
export const ERROR_CODE_PARAM = "error";

/** Error codes are the bank's or the product's constants (INSUFFICIENT_FUNDS); anything else in a link is ignored. */
export function readErrorCode(params: URLSearchParams): string | null {
  const value = params.get(ERROR_CODE_PARAM);
  return value !== null && /^[A-Z][A-Z0-9_]{0,63}$/.test(value) ? value : null;
}

/**
 * Narrows the batch's trade table to the failed trades with `errorCode`; null shows every trade
 * again. The results' breakdown rows set it and the trade table reads it; they are siblings on
 * the page and share it through the address (`?error=`), so a reload or a shared link keeps it.
 * The address is the batch's own page, so the filter is forgotten when another batch is shown;
 * `_batchId` stays for callers that name the batch they narrow.
 */
export function setErrorCodeFilter(_batchId: string, errorCode: string | null): void {
  const params = new URLSearchParams(window.location.search);
  setParam(params, ERROR_CODE_PARAM, errorCode);
  // Another code is another list: it starts at its first page (no cursor of the old list is sent).
  toFirstPage(params);
  writeUrlParams(params, "push");
}

/** The error code the batch's trade table is narrowed to (null: none), and how to change it. */
export function useErrorCodeFilter(batchId: string): [string | null, (errorCode: string | null) => void] {
  const [params] = useUrlParams();
  const set = useCallback((next: string | null) => setErrorCodeFilter(batchId, next), [batchId]);
  return [readErrorCode(params), set];
}
