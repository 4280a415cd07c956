"use client";

import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";

export type ToastTone = "info" | "success" | "warning" | "danger";

interface Toast {
  id: number;
  message: string;
  tone: ToastTone;
}

type ShowToast = (message: string, tone?: ToastTone) => void;

const ToastContext = createContext<ShowToast>(() => undefined);

/** How long a toast stays; long enough to read a batch id and its counts. */
export const TOAST_DURATION_MS = 8_000;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((toast) => toast.id !== id)), []);
  const show = useCallback<ShowToast>((message, tone = "info") => {
    const id = nextId.current++;
    // The newest five are enough; an older pile-up only hides the page.
    setToasts((all) => [...all.slice(-4), { id, message, tone }]);
  }, []);

  return (
    <ToastContext value={show}>
      {children}
      <section className="toast-viewport" aria-label="Notifications">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
        ))}
      </section>
    </ToastContext>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const [hovered, setHovered] = useState(false);
  useEffect(() => {
    // Pointer over the toast holds it, so it does not vanish while being read.
    if (hovered) return;
    const timer = setTimeout(() => onDismiss(toast.id), TOAST_DURATION_MS);
    return () => clearTimeout(timer);
  }, [hovered, onDismiss, toast.id]);
  return (
    <div className={`toast toast-${toast.tone}`} role="status" onMouseEnter={() => setHovered(true)} onMouseLeave={() => setHovered(false)}>
      <span className="toast-message">{toast.message}</span>
      <button type="button" className="toast-close" aria-label="Dismiss notification" onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}

export function useToast(): ShowToast {
  return useContext(ToastContext);
}
