import { describe, expect, test } from "vitest";
import { loginPath, readLoginParams, safeNextPath } from "./safe-next";

describe("safeNextPath", () => {
  test("paths of this site are kept with their query and fragment", () => {
    expect(safeNextPath("/batches/6f1c0a4e-0000-4000-8000-000000000001")).toBe("/batches/6f1c0a4e-0000-4000-8000-000000000001");
    expect(safeNextPath("/trades?status=FAILED#row-3")).toBe("/trades?status=FAILED#row-3");
    expect(safeNextPath("/admin/audit")).toBe("/admin/audit");
  });

  test("nothing, or anything that is not a path, goes home", () => {
    for (const raw of [null, undefined, "", "batches", "https://evil.example/", "javascript:alert(1)", "data:text/html,x", "?next=/"]) {
      expect(safeNextPath(raw), String(raw)).toBe("/");
    }
  });

  test("other hosts in disguise go home (no open redirect)", () => {
    for (const raw of [
      "//evil.example",
      "//evil.example/batches",
      "/\\evil.example",
      "/\\/evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "/.//evil.example",
      "/batches/..//evil.example",
    ]) {
      expect(safeNextPath(raw), JSON.stringify(raw)).toBe("/");
    }
  });

  test("percent-encoded slashes stay a path of this site", () => {
    expect(safeNextPath("/%2F%2Fevil.example")).toBe("/%2F%2Fevil.example");
  });

  test("the sign-in page itself is never the next page (no loop)", () => {
    expect(safeNextPath("/login")).toBe("/");
    expect(safeNextPath("/login?next=/trades")).toBe("/");
  });
});

describe("loginPath and readLoginParams", () => {
  test("the way back and the reason round-trip through the query string", () => {
    const path = loginPath("/batches/abc?x=1", "ended");
    expect(path).toBe("/login?next=%2Fbatches%2Fabc%3Fx%3D1&reason=ended");
    expect(readLoginParams(path.slice(path.indexOf("?")))).toEqual({ next: "/batches/abc?x=1", reason: "ended" });
  });

  test("home and unsafe targets are left out; unknown reasons are ignored", () => {
    expect(loginPath("/")).toBe("/login");
    expect(loginPath("//evil.example", "signedOut")).toBe("/login?reason=signedOut");
    expect(readLoginParams("?next=https%3A%2F%2Fevil.example&reason=hacked")).toEqual({ next: "/", reason: null });
  });
});
