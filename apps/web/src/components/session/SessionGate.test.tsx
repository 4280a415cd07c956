// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { LoginReason } from "../../lib/safe-next";
import type { SessionStatus } from "../../lib/session-gate";
import { SessionGate } from "./SessionGate";
import { StaticSession, type Viewer } from "./SessionProvider";

const replace = vi.fn();
const location = { pathname: "/", search: "" };
vi.mock("next/navigation", () => ({
  useRouter: () => ({ replace }),
  usePathname: () => location.pathname,
  useSearchParams: () => new URLSearchParams(location.search),
}));
// The live feed needs Apollo; what the gate renders behind it is what matters here.
vi.mock("../live/BatchFeed", () => ({ BatchFeedProvider: ({ children }: { children: ReactNode }) => children }));

const TRADER: Viewer = {
  __typename: "Viewer",
  kind: "USER",
  id: "6f1c0a4e-0000-4000-8000-0000000000bb",
  name: "trader@example.test",
  role: "TRADER",
  partner: null,
  mustChangePassword: false,
};

function gate(path: string, session: { viewer: Viewer | null; status?: SessionStatus; endReason?: LoginReason }) {
  const [pathname = "/", search = ""] = path.split("?");
  location.pathname = pathname;
  location.search = search;
  render(
    <StaticSession viewer={session.viewer} status={session.status} endReason={session.endReason}>
      <SessionGate>
        <p>the page</p>
      </SessionGate>
    </StaticSession>,
  );
}

beforeEach(() => replace.mockReset());
afterEach(cleanup);

describe("SessionGate", () => {
  test("shows the page to a signed-in person, and goes nowhere", () => {
    gate("/trades", { viewer: TRADER });
    expect(screen.getByText("the page")).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
  });

  test("sends nobody to /login with the page to come back to, showing none of it", () => {
    gate("/batches/abc", { viewer: null });
    expect(screen.queryByText("the page")).toBeNull();
    expect(replace).toHaveBeenCalledWith("/login?next=%2Fbatches%2Fabc");
  });

  test("a session that ended goes to /login with the notice", () => {
    gate("/admin/audit", { viewer: null, endReason: "ended" });
    expect(replace).toHaveBeenCalledWith("/login?next=%2Fadmin%2Faudit&reason=ended");
  });

  test("waits, without redirecting, while the session is checked", () => {
    gate("/trades", { viewer: null, status: "checking" });
    expect(screen.getByText("Checking your session…")).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
  });

  test("shows /login to nobody, and sends a signed-in person on to a safe `next`", () => {
    gate("/login?next=%2Ftrades", { viewer: null });
    expect(screen.getByText("the page")).toBeTruthy();
    expect(replace).not.toHaveBeenCalled();
    cleanup();
    gate("/login?next=%2Ftrades", { viewer: TRADER });
    expect(replace).toHaveBeenCalledWith("/trades");
    replace.mockReset();
    cleanup();
    gate("/login?next=%2F%2Fevil.example", { viewer: TRADER });
    expect(replace).toHaveBeenCalledWith("/");
  });

  test("a one-time password sends every page to /login, where it is replaced", () => {
    gate("/trades", { viewer: { ...TRADER, mustChangePassword: true } });
    expect(replace).toHaveBeenCalledWith("/login?next=%2Ftrades");
  });
});
