import { describe, expect, it } from "vitest";
import {
  approverProblem,
  canSeeBatch,
  checkBatchAction,
  forbiddenReason,
  NO_APPROVAL,
  needsApproval,
  OPERATIONS,
  type Operation,
  partnerProblem,
  partnerRoleProblem,
  principalAllows,
  ROLES,
  roleAllows,
} from "../src";

describe("roles", () => {
  it("allow each operation from its role upwards, and nothing below it", () => {
    const matrix = Object.fromEntries(
      ROLES.map((role) => [role, (Object.keys(OPERATIONS) as Operation[]).filter((operation) => roleAllows(role, operation))]),
    );
    expect(matrix).toEqual({
      VIEWER: ["read"],
      TRADER: ["read", "stage", "start", "approve", "cancel", "retry", "manageTemplates"],
      ADMIN: [
        "read",
        "stage",
        "start",
        "approve",
        "cancel",
        "retry",
        "manageTemplates",
        "delete",
        "archive",
        "manageAccess",
        "readAuditLog",
      ],
    });
  });

  it("say which role an operation needs", () => {
    expect(forbiddenReason({ role: "VIEWER", partner: null }, "stage")).toBe("stage needs the TRADER role or higher; you have VIEWER");
  });

  it("stop at TRADER for a partner's principals: administration is the staff's", () => {
    expect(partnerRoleProblem("ADMIN", "acme")).toMatch(/^a partner's users and keys are at most TRADER/);
    expect(partnerRoleProblem("TRADER", "acme")).toBeNull();
    expect(partnerRoleProblem("ADMIN", null)).toBeNull();
    const partnerAdmin = { role: "ADMIN" as const, partner: "acme" };
    expect((Object.keys(OPERATIONS) as Operation[]).filter((operation) => principalAllows(partnerAdmin, operation))).toEqual([
      "read",
      "stage",
      "start",
      "approve",
      "cancel",
      "retry",
      "manageTemplates",
    ]);
    expect(principalAllows({ role: "ADMIN", partner: null }, "manageAccess")).toBe(true);
    expect(forbiddenReason(partnerAdmin, "readAuditLog")).toBe(
      "readAuditLog is for the operations staff; a partner's principals are at most TRADER",
    );
  });
});

describe("partners", () => {
  it("see only their own batches; staff of no partner see all", () => {
    expect(canSeeBatch({ partner: "acme" }, { partner: "acme" })).toBe(true);
    expect(canSeeBatch({ partner: "acme" }, { partner: "globex" })).toBe(false);
    expect(canSeeBatch({ partner: "acme" }, { partner: null })).toBe(false);
    expect(canSeeBatch({ partner: null }, { partner: "globex" })).toBe(true);
  });

  it("are short names", () => {
    expect(partnerProblem("acme-fx_2")).toBeNull();
    expect(partnerProblem("")).toMatch(/1 to 64/);
    expect(partnerProblem("a b")).toMatch(/letters, digits/);
    expect(partnerProblem("-acme")).toMatch(/starting with/);
  });
});

describe("four eyes", () => {
  const trade = (amount: string, amountCurrency = "EUR") => ({ amount, amountCurrency });

  it("asks for approval from a trade count or an amount reached in one currency", () => {
    expect(needsApproval(NO_APPROVAL, [trade("1000000000")])).toBe(false);
    const byCount = { minTrades: 3, minAmountPerCurrency: null };
    expect(needsApproval(byCount, [trade("1"), trade("1")])).toBe(false);
    expect(needsApproval(byCount, [trade("1"), trade("1"), trade("1")])).toBe(true);
    const byAmount = { minTrades: null, minAmountPerCurrency: "1000000.00" };
    expect(needsApproval(byAmount, [trade("600000.00"), trade("399999.99")])).toBe(false);
    expect(needsApproval(byAmount, [trade("600000.00"), trade("400000.00")])).toBe(true);
    // Different currencies are never added together.
    expect(needsApproval(byAmount, [trade("600000.00", "EUR"), trade("600000.00", "USD")])).toBe(false);
  });

  const pending = {
    status: "PENDING" as const,
    totalTrades: 2,
    succeededTrades: 0,
    failedTrades: 0,
    cancelledTrades: 0,
    cancelledUnmovedTrades: 0,
    queuedAt: null,
    cancelRequestedAt: null,
    approvalRequired: true,
    approvedAt: null,
    stagedById: "u-1",
    stagedBy: "alice@example.com",
  };

  it("refuses a start until approved, naming who may approve", () => {
    expect(checkBatchAction(pending, "start")).toEqual({
      allowed: false,
      reason:
        "the batch is awaiting approval: approveBatch by a person with the TRADER or ADMIN role other than alice@example.com is needed before it can start",
    });
    expect(checkBatchAction({ ...pending, approvedAt: new Date() }, "start")).toEqual({ allowed: true });
    expect(checkBatchAction({ ...pending, approvalRequired: false }, "start")).toEqual({ allowed: true });
  });

  it("lets only another person approve, once, before the start", () => {
    expect(approverProblem(pending, { kind: "USER", id: "u-1" })).toMatch(
      /^four eyes: it needs approval by .* other than alice@example.com$/,
    );
    expect(approverProblem(pending, { kind: "API_KEY", id: "k-1" })).toBe("approval needs a signed-in person, not an API key");
    expect(approverProblem(pending, { kind: "USER", id: "u-2" })).toBeNull();
    expect(approverProblem({ ...pending, approvedAt: "2026-11-27T10:00:00Z" }, { kind: "USER", id: "u-2" })).toBe(
      "the batch is already approved",
    );
    expect(checkBatchAction({ ...pending, queuedAt: new Date() }, "approve")).toMatchObject({ allowed: false });
    expect(checkBatchAction({ ...pending, approvalRequired: false }, "approve")).toMatchObject({ allowed: false });
    expect(checkBatchAction(pending, "approve")).toEqual({ allowed: true });
    const cancelling = { ...pending, cancelRequestedAt: new Date() };
    expect(checkBatchAction(cancelling, "approve")).toEqual({ allowed: false, reason: "the batch is being cancelled" });
    expect(checkBatchAction({ ...cancelling, approvedAt: new Date() }, "start")).toEqual({
      allowed: false,
      reason: "the batch is being cancelled",
    });
  });
});
