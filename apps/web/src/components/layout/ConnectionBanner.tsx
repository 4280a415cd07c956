"use client";

import { useApolloClient } from "@apollo/client/react";
import { useState } from "react";
import { isConnectionLost } from "../../apollo/connection-store";
import { useConnectionState } from "../../apollo/Providers";

/** Shown while the API cannot be reached; the socket keeps retrying on its own and everything is refetched on return. */
export function ConnectionBanner() {
  const state = useConnectionState();
  const client = useApolloClient();
  const [retrying, setRetrying] = useState(false);
  if (!isConnectionLost(state)) return null;

  async function retryNow() {
    setRetrying(true);
    try {
      await client.refetchQueries({ include: "active" });
    } catch {
      // The banner stays up; the automatic reconnect carries on.
    } finally {
      setRetrying(false);
    }
  }

  return (
    <div className="connection-banner" role="alert">
      <span>Connection to the API lost. Live updates are paused and what is shown may be out of date; reconnecting automatically…</span>
      <button type="button" className="button button-small" onClick={retryNow} disabled={retrying}>
        Retry now
      </button>
    </div>
  );
}
