import { describe, expect, it } from "vitest";
import { isPermanentFailure, nothingToRetryReason, PERMANENT_FAILURE_CODES, planRetry } from "../src/failure-codes";

const failures = [
  { errorCode: "INVALID_ACCOUNT", count: 12 },
  { errorCode: "QUOTE_REJECTED", count: 3 },
  { errorCode: "INSUFFICIENT_FUNDS", count: 2 },
];

describe("which failures a retry takes", () => {
  it("treats a wrong account and a passed value date as permanent, and the bank's other refusals as retryable", () => {
    expect(PERMANENT_FAILURE_CODES).toEqual(["INVALID_ACCOUNT", "VALUE_DATE_PASSED"]);
    expect(isPermanentFailure("INVALID_ACCOUNT")).toBe(true);
    expect(isPermanentFailure("VALUE_DATE_PASSED")).toBe(true);
    for (const code of ["QUOTE_REJECTED", "INSUFFICIENT_FUNDS", "BOOKING_REJECTED", "QUOTE_EXPIRED", "QUOTE_NOT_FOUND", "UNKNOWN"]) {
      expect(isPermanentFailure(code), code).toBe(false);
    }
    expect(isPermanentFailure(null)).toBe(false);
  });

  it("by default retries every retryable code and leaves the permanent ones out", () => {
    expect(planRetry(failures)).toEqual({
      ok: true,
      plan: {
        retried: [
          { errorCode: "QUOTE_REJECTED", count: 3 },
          { errorCode: "INSUFFICIENT_FUNDS", count: 2 },
        ],
        leftPermanent: [{ errorCode: "INVALID_ACCOUNT", count: 12 }],
      },
    });
  });

  it("with chosen codes retries exactly those, a permanent one too", () => {
    expect(planRetry(failures, ["INVALID_ACCOUNT", "INSUFFICIENT_FUNDS", "INVALID_ACCOUNT"])).toEqual({
      ok: true,
      plan: {
        retried: [
          { errorCode: "INVALID_ACCOUNT", count: 12 },
          { errorCode: "INSUFFICIENT_FUNDS", count: 2 },
        ],
        leftPermanent: [],
      },
    });
  });

  it("refuses an empty choice and names every code no failed trade has", () => {
    expect(planRetry(failures, [])).toMatchObject({ ok: false, problem: expect.stringContaining("errorCodes is empty") });
    expect(planRetry(failures, ["QUOTE_REJECTED", "NOPE", "BOOKING_REJECTED"])).toEqual({
      ok: false,
      problem: 'no failed trade has error code "NOPE", "BOOKING_REJECTED"',
    });
  });

  it("names the first five codes no failed trade has, each shortened, and how many more: the answer does not repeat whatever was sent", () => {
    const long = "X".repeat(10_000);
    const result = planRetry(failures, [long, ...Array.from({ length: 999 }, (_, i) => `CODE_${i}`)]);
    expect(result).toEqual({
      ok: false,
      problem: `no failed trade has error code "${"X".repeat(40)}…", "CODE_0", "CODE_1", "CODE_2", "CODE_3" and 995 more`,
    });
  });

  it("says why nothing would be retried", () => {
    const onlyPermanent = planRetry([{ errorCode: "INVALID_ACCOUNT", count: 12 }]);
    expect(onlyPermanent.ok && nothingToRetryReason(onlyPermanent.plan)).toBe("no retryable failures: 12 INVALID_ACCOUNT are permanent");
    const one = planRetry([
      { errorCode: "INVALID_ACCOUNT", count: 1 },
      { errorCode: "VALUE_DATE_PASSED", count: 4 },
    ]);
    expect(one.ok && nothingToRetryReason(one.plan)).toBe("no retryable failures: 1 INVALID_ACCOUNT, 4 VALUE_DATE_PASSED are permanent");
    const lone = planRetry([{ errorCode: "INVALID_ACCOUNT", count: 1 }]);
    expect(lone.ok && nothingToRetryReason(lone.plan)).toBe("no retryable failures: 1 INVALID_ACCOUNT is permanent");
    const none = planRetry([]);
    expect(none.ok && nothingToRetryReason(none.plan)).toBe("no failed trades to retry");
  });
});
