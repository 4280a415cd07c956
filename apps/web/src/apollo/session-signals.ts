/**
 * How the Apollo links tell the session gate that the API no longer knows this browser's
 * session: an UNAUTHENTICATED answer over HTTP, or the socket closed with 4401 (or 4403, a
 * one-time password to change). The links live outside React; the gate listens here.
 */
export type SessionEndSource = "http" | "socket";

type Listener = (source: SessionEndSource) => void;

export class SessionSignals {
  private readonly listeners = new Set<Listener>();

  onEnded = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  ended(source: SessionEndSource): void {
    for (const listener of this.listeners) listener(source);
  }
}

/** Operations whose UNAUTHENTICATED answer is about the password typed, not about a session that ended. */
export const SIGN_IN_OPERATIONS: ReadonlySet<string> = new Set(["SignIn", "SignOut"]);

interface MaybeGraphQLErrors {
  errors?: ReadonlyArray<{ extensions?: Record<string, unknown> | null }> | null;
}

/** Whether an answer (a result, or the errors of a failed one) says the caller has no valid credentials. */
export function saysUnauthenticated(answer: MaybeGraphQLErrors | null | undefined): boolean {
  return answer?.errors?.some((error) => error.extensions?.code === "UNAUTHENTICATED") ?? false;
}
