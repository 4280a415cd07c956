"use client";

import { useApolloClient } from "@apollo/client/react";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import type { LiveSocket } from "../../apollo/live-socket";
import type { SessionSignals } from "../../apollo/session-signals";
import type { ViewerFieldsFragment } from "../../gql/graphql";
import { MeQuery, SignOutMutation } from "../../graphql/session";
import type { Operation } from "../../lib/access";
import { principalAllows } from "../../lib/access";
import type { LoginReason } from "../../lib/safe-next";
import type { SessionStatus } from "../../lib/session-gate";

export type Viewer = ViewerFieldsFragment;

interface SessionState {
  status: SessionStatus;
  viewer: Viewer | null;
  /** Why nobody is signed in any more, for the sign-in page to say; null when nobody ever was. */
  endReason: LoginReason | null;
}

export interface Session extends SessionState {
  /** The viewer signIn or changePassword answered with. */
  signedIn(viewer: Viewer): void;
  /** Ends the session on the API; throws when the API could not be told (the session then lives on). */
  signOut(): Promise<void>;
  /** Asks the API again who is signed in. */
  recheck(): Promise<void>;
}

const CHECKING: SessionState = { status: "checking", viewer: null, endReason: null };

const SessionContext = createContext<Session>({
  ...CHECKING,
  signedIn: () => undefined,
  signOut: async () => undefined,
  recheck: async () => undefined,
});

/** How long to wait before asking `me` again when the API did not answer at all. */
const UNREACHABLE_RETRY_MS = 3_000;

function statusOf(viewer: Viewer | null): SessionStatus {
  if (!viewer) return "signedOut";
  return viewer.mustChangePassword ? "mustChangePassword" : "signedIn";
}

/**
 * Who is signed in, asked of the API (`me`, over HTTP with the session cookie) when the tab
 * opens and again whenever a link reports that the API no longer knows the session. It opens
 * the live socket only for a signed-in person with their own password (the API refuses it
 * otherwise), and forgets everything cached when they leave.
 */
export function SessionProvider({
  socket,
  signals,
  children,
}: {
  socket: LiveSocket | null;
  signals: SessionSignals;
  children: ReactNode;
}) {
  const client = useApolloClient();
  const [state, setState] = useState<SessionState>(CHECKING);
  const statusRef = useRef(state.status);
  statusRef.current = state.status;

  const apply = useCallback(
    (viewer: Viewer | null, endReason: LoginReason | null) => {
      const status = statusOf(viewer);
      // Before the pages render: their subscriptions must find the socket open (or closed).
      if (status === "signedIn") socket?.start();
      else socket?.stop();
      setState({ status, viewer, endReason });
    },
    [socket],
  );

  const inFlight = useRef<Promise<void> | null>(null);
  const recheck = useCallback((): Promise<void> => {
    // Several queries answering UNAUTHENTICATED at once make one question, not one each.
    inFlight.current ??= (async () => {
      const wasSignedIn = statusRef.current === "signedIn" || statusRef.current === "mustChangePassword";
      try {
        const { data } = await client.query({ query: MeQuery, fetchPolicy: "no-cache" });
        const viewer = data?.me ?? null;
        apply(viewer, viewer ? null : wasSignedIn ? "ended" : null);
      } catch {
        // No answer: a signed-in page stays as it is (the connection banner tells); a tab that
        // does not know yet says the API is unreachable and asks again.
        setState((current) => (current.status === "checking" ? { ...current, status: "unreachable" } : current));
      } finally {
        inFlight.current = null;
      }
    })();
    return inFlight.current;
  }, [client, apply]);

  useEffect(() => {
    void recheck();
  }, [recheck]);

  useEffect(() => {
    if (state.status !== "unreachable") return;
    const timer = setTimeout(() => void recheck(), UNREACHABLE_RETRY_MS);
    return () => clearTimeout(timer);
  }, [state.status, recheck]);

  // An UNAUTHENTICATED answer or a 4401 close: ask the API who is there now (expired, ended
  // elsewhere, disabled → nobody; the gate then sends the page to /login with the notice).
  useEffect(
    () =>
      signals.onEnded(() => {
        if (statusRef.current === "signedIn" || statusRef.current === "mustChangePassword") void recheck();
      }),
    [signals, recheck],
  );

  // Once nobody is signed in, the pages are gone (the gate renders none): forget what they
  // read, so the next person to sign in on this tab never sees it.
  useEffect(() => {
    if (state.status === "signedOut") void client.clearStore().catch(() => undefined);
  }, [state.status, client]);

  const signedIn = useCallback((viewer: Viewer) => apply(viewer, null), [apply]);

  const signOut = useCallback(async () => {
    await client.mutate({ mutation: SignOutMutation });
    apply(null, "signedOut");
  }, [client, apply]);

  const session = useMemo<Session>(() => ({ ...state, signedIn, signOut, recheck }), [state, signedIn, signOut, recheck]);
  return <SessionContext value={session}>{children}</SessionContext>;
}

export function useSession(): Session {
  return useContext(SessionContext);
}

/** The signed-in person with their own password, or null. */
export function useViewer(): Viewer | null {
  const { status, viewer } = useSession();
  return status === "signedIn" ? viewer : null;
}

/** Whether the signed-in person's role allows an operation (the API checks again). */
export function useCan(operation: Operation): boolean {
  const viewer = useViewer();
  return viewer ? principalAllows(viewer, operation) : false;
}

/** For tests of components that read the session: a fixed one. */
export function StaticSession({
  viewer,
  status,
  endReason = null,
  children,
}: {
  viewer: Viewer | null;
  /** Unless told, what the viewer implies. */
  status?: SessionStatus;
  endReason?: LoginReason | null;
  children: ReactNode;
}) {
  const value = useMemo<Session>(
    () => ({
      status: status ?? statusOf(viewer),
      viewer,
      endReason,
      signedIn: () => undefined,
      signOut: async () => undefined,
      recheck: async () => undefined,
    }),
    [viewer, status, endReason],
  );
  return <SessionContext value={value}>{children}</SessionContext>;
}
