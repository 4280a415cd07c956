"use client";

import { useState } from "react";
import { useSession } from "../session/SessionProvider";
import { useToast } from "../toasts/ToastProvider";
import { describeError } from "../ui/QueryError";

/** Who is signed in (email, role, partner) and the way out; nothing while nobody is. */
export function SignedInAs() {
  const session = useSession();
  const showToast = useToast();
  const [leaving, setLeaving] = useState(false);
  const { viewer } = session;
  if (!viewer || (session.status !== "signedIn" && session.status !== "mustChangePassword")) return null;

  async function signOut() {
    setLeaving(true);
    try {
      await session.signOut();
    } catch (error) {
      // The API was not told: the session still lives there, so the page does not pretend otherwise.
      showToast(`Could not sign out: ${describeError(error as Error).message}`, "danger");
    } finally {
      setLeaving(false);
    }
  }

  return (
    <div className="signed-in-as">
      <span className="signed-in-who" title={`Signed in as ${viewer.name}`}>
        <span className="visually-hidden">Signed in as </span>
        <span className="signed-in-name">{viewer.name}</span>
        <span className="role-badge" title="Your role: what the API lets you do">
          {viewer.role}
        </span>
        {viewer.partner ? (
          <span className="header-note" title="You see this partner's batches only">
            partner {viewer.partner}
          </span>
        ) : null}
      </span>
      <button type="button" className="button button-small" onClick={() => void signOut()} disabled={leaving}>
        Sign out
      </button>
    </div>
  );
}
