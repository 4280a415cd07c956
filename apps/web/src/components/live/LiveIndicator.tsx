"use client";

import { useConnectionState } from "../../apollo/Providers";

/** Says whether what is on screen is following the API right now. */
export function LiveIndicator({ paused = false }: { paused?: boolean }) {
  const { socket } = useConnectionState();
  const [text, tone, help] = paused
    ? ["Paused", "paused", "Live updates are paused for this table."]
    : socket === "connected"
      ? ["Live", "live", "Connected: changes appear as they happen."]
      : socket === "connecting"
        ? ["Connecting…", "connecting", "Opening the live connection to the API."]
        : ["Offline", "offline", "Not connected to the API; reconnecting automatically."];
  return (
    <span className={`live-indicator live-${tone}`} title={help}>
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
