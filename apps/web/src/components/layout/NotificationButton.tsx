"use client";

import { useEffect, useState } from "react";

type Permission = NotificationPermission | "unsupported";

/** Asks for browser notifications only when a person clicks (browsers ignore or punish asking on load). */
export function NotificationButton() {
  const [permission, setPermission] = useState<Permission | null>(null);

  useEffect(() => {
    setPermission(typeof Notification === "undefined" ? "unsupported" : Notification.permission);
  }, []);

  if (permission === null || permission === "unsupported") return null;
  if (permission === "granted") {
    return (
      <span className="header-note" title="A browser notification appears when a batch finishes, even when this tab is in the background.">
        Notifications on
      </span>
    );
  }
  if (permission === "denied") {
    return (
      <span
        className="header-note"
        title="Notifications are blocked for this site in the browser's settings; finished batches still show a message on the page."
      >
        Notifications blocked
      </span>
    );
  }
  return (
    <button
      type="button"
      className="button button-small"
      title="Get a browser notification when a batch finishes, even when this tab is in the background."
      onClick={async () => setPermission(await Notification.requestPermission())}
    >
      Enable notifications
    </button>
  );
}
