import { describe, expect, test } from "vitest";
import { newPasswordProblem, roleDescription, roleRefusal } from "./access";

describe("access in the dashboard", () => {
  test("role refusals use the API's own wording", () => {
    expect(roleRefusal({ role: "VIEWER", partner: null }, "stage")).toBe("stage needs the TRADER role or higher; you have VIEWER");
    expect(roleRefusal({ role: "TRADER", partner: null }, "delete")).toBe("delete needs the ADMIN role or higher; you have TRADER");
    expect(roleRefusal({ role: "ADMIN", partner: null }, "delete")).toBeNull();
    expect(roleRefusal(null, "read")).toBe("sign in first");
  });

  test("roles are described from the domain's table of operations", () => {
    expect(roleDescription("VIEWER")).toBe("May read and export batches.");
    expect(roleDescription("TRADER")).toBe(
      "Everything VIEWER may, and stage, start, approve, cancel, retry batches and manage batch templates.",
    );
    expect(roleDescription("ADMIN")).toBe(
      "Everything TRADER may, and delete batches, archive batches, manage users and API keys and read the audit log.",
    );
  });

  test("a new password is long enough, confirmed, and new", () => {
    expect(newPasswordProblem("one-time-pass", "short", "short")).toMatch(/at least 12/);
    expect(newPasswordProblem("one-time-pass", "a-long-new-password", "a-long-new-passw0rd")).toMatch(/not the same/);
    expect(newPasswordProblem("a-long-new-password", "a-long-new-password", "a-long-new-password")).toMatch(/differ/);
    expect(newPasswordProblem("one-time-pass", "a-long-new-password", "a-long-new-password")).toBeNull();
  });
});
