"use client";

import { useId, useState } from "react";

interface SecretOnceProps {
  /** "One-time password for ann@example.com", "API key "nightly import"" */
  title: string;
  secret: string;
  /** What to do with it, and why it is the only chance. */
  warning: string;
  onDone: () => void;
}

/**
 * A secret the API returns once and keeps only a hash of: shown here until dismissed, with a
 * copy button. Nothing keeps it; leaving or reloading the page loses it for good.
 */
export function SecretOnce({ title, secret, warning, onDone }: SecretOnceProps) {
  const titleId = useId();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      // No clipboard (an insecure origin, or refused): the value is selectable by hand.
      setCopied("failed");
    }
  }

  return (
    <section className="secret-once" role="alert" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p>
        <strong>Shown once.</strong> {warning}
      </p>
      <div className="secret-value">
        <code data-testid="secret-value">{secret}</code>
        <button type="button" className="button button-small" onClick={() => void copy()}>
          {copied === "yes" ? "Copied" : "Copy"}
        </button>
        {copied === "failed" ? <span className="hint">Copying was refused by the browser: select the text and copy it.</span> : null}
      </div>
      <button type="button" className="button" onClick={onDone}>
        I have stored it safely
      </button>
    </section>
  );
}
