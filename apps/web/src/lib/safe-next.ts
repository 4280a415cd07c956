/**
 * Where the sign-in page sends a person afterwards. `next` comes from the address bar, so
 * anyone can write it into a link: only a path of this site is followed, never another
 * origin (no open redirect), and never /login itself (no loop).
 */

export const LOGIN_PATH = "/login";
export const HOME_PATH = "/";

/** Why the sign-in page is shown, said on it: the session ended by itself, or the person signed out. */
export type LoginReason = "ended" | "signedOut";

const LOGIN_REASONS: readonly LoginReason[] = ["ended", "signedOut"];

// Any origin works as the base: a path keeps it, anything that reaches elsewhere changes it.
const BASE = "https://fxbt.invalid";

export function safeNextPath(raw: string | null | undefined): string {
  if (!raw) return HOME_PATH;
  // "//host" and "/\host" are other hosts to a browser; "https:…" and "javascript:…" are not paths.
  if (!raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return HOME_PATH;
  // The URL parser drops tabs and newlines ("/\t/host" would become "//host") and turns "\" into "/".
  if (raw.includes("\\") || [...raw].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return HOME_PATH;
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return HOME_PATH;
  }
  if (url.origin !== BASE) return HOME_PATH;
  // Dot segments can still collapse to "//host" ("/.//host"): the result is checked, not only the input.
  if (url.pathname.startsWith("//")) return HOME_PATH;
  if (url.pathname === LOGIN_PATH || url.pathname.startsWith(`${LOGIN_PATH}/`)) return HOME_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** /login, with where to return afterwards (when that is not the home page) and why it is shown. */
export function loginPath(next?: string | null, reason?: LoginReason | null): string {
  const params = new URLSearchParams();
  const target = safeNextPath(next);
  if (target !== HOME_PATH) params.set("next", target);
  if (reason) params.set("reason", reason);
  const query = params.toString();
  return query ? `${LOGIN_PATH}?${query}` : LOGIN_PATH;
}

/** The `next` and `reason` of a sign-in page's query string, checked. */
export function readLoginParams(search: string): { next: string; reason: LoginReason | null } {
  const params = new URLSearchParams(search);
  const reason = params.get("reason");
  return {
    next: safeNextPath(params.get("next")),
    reason: LOGIN_REASONS.includes(reason as LoginReason) ? (reason as LoginReason) : null,
  };
}
