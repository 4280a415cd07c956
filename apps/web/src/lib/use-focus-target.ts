import { type RefObject, useCallback, useEffect, useRef, useState } from "react";

export interface FocusTarget<T extends HTMLElement> {
  /** Put on the element that takes the focus (a heading needs `tabIndex={-1}`). */
  ref: RefObject<T | null>;
  /** Focuses the element after the next render, once a closing dialog has given the focus back. */
  focusSoon: () => void;
}

/**
 * Somewhere for the keyboard focus to go after an action whose own control goes away: a retry or
 * a start queues the batch again, so the button that was pressed is disabled or gone, and a
 * closing dialog's return of the focus to it would leave the reader on the page's body. The focus
 * is moved in an effect, after the dialog's own clean-up has run.
 */
export function useFocusTarget<T extends HTMLElement>(): FocusTarget<T> {
  const ref = useRef<T>(null);
  const [requested, setRequested] = useState(false);
  useEffect(() => {
    if (!requested) return;
    ref.current?.focus();
    setRequested(false);
  }, [requested]);
  const focusSoon = useCallback(() => setRequested(true), []);
  return { ref, focusSoon };
}
