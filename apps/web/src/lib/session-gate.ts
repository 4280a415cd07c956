import { HOME_PATH, LOGIN_PATH, type LoginReason, loginPath, readLoginParams } from "./safe-next";

/**
 * What the dashboard knows of the person at the keyboard:
 * - checking: `me` has not answered yet;
 * - unreachable: `me` got no answer (the API is down); nothing is assumed either way;
 * - signedOut: no session (never signed in, signed out, or the session ended);
 * - mustChangePassword: signed in with a one-time password, which must be replaced first;
 * - signedIn: may use the pages their role allows.
 */
export type SessionStatus = "checking" | "unreachable" | "signedOut" | "mustChangePassword" | "signedIn";

export type GateDecision =
  | { action: "render" }
  /** Nothing to show yet: the session is being checked. */
  | { action: "wait" }
  /** The API did not answer; the page cannot tell who is there. */
  | { action: "unreachable" }
  | { action: "redirect"; to: string };

export interface GateLocation {
  pathname: string;
  /** "?a=b" or "" */
  search: string;
}

export function isLoginPage(pathname: string): boolean {
  return pathname === LOGIN_PATH || pathname === `${LOGIN_PATH}/`;
}

/**
 * Every page but /login needs a signed-in person with their own password. The others are sent
 * to /login with the page to come back to; when the session ended on its own (expired, ended
 * elsewhere, account disabled) the sign-in page also says so; after "Sign out" it says that,
 * and there is no page to come back to. /login sends a signed-in person on to `next`.
 */
export function gateDecision(status: SessionStatus, location: GateLocation, endReason: LoginReason | null): GateDecision {
  if (isLoginPage(location.pathname)) {
    if (status === "signedIn") return { action: "redirect", to: readLoginParams(location.search).next };
    return status === "checking" ? { action: "wait" } : { action: "render" };
  }
  switch (status) {
    case "checking":
      return { action: "wait" };
    case "unreachable":
      return { action: "unreachable" };
    case "signedIn":
      return { action: "render" };
    case "mustChangePassword":
      return { action: "redirect", to: loginPath(currentPath(location)) };
    case "signedOut":
      return endReason === "signedOut"
        ? { action: "redirect", to: loginPath(HOME_PATH, "signedOut") }
        : { action: "redirect", to: loginPath(currentPath(location), endReason) };
  }
}

function currentPath({ pathname, search }: GateLocation): string {
  return `${pathname}${search}`;
}
