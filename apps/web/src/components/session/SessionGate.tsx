"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type ReactNode, useEffect } from "react";
import { gateDecision } from "../../lib/session-gate";
import { BatchFeedProvider } from "../live/BatchFeed";
import { useSession } from "./SessionProvider";

/**
 * Every page but /login is shown only to a signed-in person with their own password; the
 * others go to /login (see gateDecision). The live batch feed runs only behind the gate,
 * where the socket is open.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const session = useSession();
  const router = useRouter();
  const pathname = usePathname() ?? "/";
  const query = useSearchParams()?.toString() ?? "";
  const search = query ? `?${query}` : "";
  const decision = gateDecision(session.status, { pathname, search }, session.endReason);
  const redirectTo = decision.action === "redirect" ? decision.to : null;

  useEffect(() => {
    if (redirectTo) router.replace(redirectTo);
  }, [redirectTo, router]);

  switch (decision.action) {
    case "render":
      return session.status === "signedIn" ? <BatchFeedProvider>{children}</BatchFeedProvider> : children;
    case "wait":
      return <p className="loading">Checking your session…</p>;
    case "redirect":
      return <p className="loading">{session.status === "signedIn" ? "Opening the dashboard…" : "Taking you to sign in…"}</p>;
    case "unreachable":
      return (
        <div className="alert alert-warning" role="alert">
          <strong>Cannot check who is signed in:</strong> the API did not answer. Asking again every few seconds…
          <div className="form-actions">
            <button type="button" className="button button-small" onClick={() => void session.recheck()}>
              Try now
            </button>
          </div>
        </div>
      );
  }
}
