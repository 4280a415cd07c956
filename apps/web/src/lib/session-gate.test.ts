import { describe, expect, test } from "vitest";
import { gateDecision, type SessionStatus } from "./session-gate";

const at = (path: string) => {
  const [pathname = "/", query] = path.split("?");
  return { pathname, search: query ? `?${query}` : "" };
};

describe("gateDecision on the dashboard's pages", () => {
  test("a signed-in person sees the page", () => {
    expect(gateDecision("signedIn", at("/batches/abc"), null)).toEqual({ action: "render" });
  });

  test("nothing is shown while the session is checked, and nothing is assumed when the API does not answer", () => {
    expect(gateDecision("checking", at("/trades"), null)).toEqual({ action: "wait" });
    expect(gateDecision("unreachable", at("/trades"), null)).toEqual({ action: "unreachable" });
  });

  test("without a session: to /login, with the page to come back to", () => {
    expect(gateDecision("signedOut", at("/batches/abc?tab=trades"), null)).toEqual({
      action: "redirect",
      to: "/login?next=%2Fbatches%2Fabc%3Ftab%3Dtrades",
    });
    expect(gateDecision("signedOut", at("/"), null)).toEqual({ action: "redirect", to: "/login" });
  });

  test("a session that ended on its own: to /login with the notice and the way back", () => {
    expect(gateDecision("signedOut", at("/admin/users"), "ended")).toEqual({
      action: "redirect",
      to: "/login?next=%2Fadmin%2Fusers&reason=ended",
    });
  });

  test("after Sign out: to /login saying so, with no page to come back to", () => {
    expect(gateDecision("signedOut", at("/admin/users"), "signedOut")).toEqual({ action: "redirect", to: "/login?reason=signedOut" });
  });

  test("a one-time password must be replaced on /login before any page", () => {
    expect(gateDecision("mustChangePassword", at("/trades"), null)).toEqual({ action: "redirect", to: "/login?next=%2Ftrades" });
  });
});

describe("gateDecision on /login", () => {
  test("the form is shown to anyone not fully signed in", () => {
    for (const status of ["signedOut", "mustChangePassword", "unreachable"] as SessionStatus[]) {
      expect(gateDecision(status, at("/login?next=%2Ftrades"), null), status).toEqual({ action: "render" });
    }
    expect(gateDecision("checking", at("/login"), null)).toEqual({ action: "wait" });
  });

  test("a signed-in person goes on to `next`, when it is a path of this site", () => {
    expect(gateDecision("signedIn", at("/login?next=%2Fbatches%2Fabc"), null)).toEqual({ action: "redirect", to: "/batches/abc" });
    expect(gateDecision("signedIn", at("/login?next=%2F%2Fevil.example"), null)).toEqual({ action: "redirect", to: "/" });
    expect(gateDecision("signedIn", at("/login?next=https%3A%2F%2Fevil.example"), null)).toEqual({ action: "redirect", to: "/" });
    expect(gateDecision("signedIn", at("/login"), null)).toEqual({ action: "redirect", to: "/" });
  });
});
