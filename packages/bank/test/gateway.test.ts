import { describe, expect, it } from "vitest";
import { BankError, isRetryableBankErrorCode } from "../src/index";

describe("BankError", () => {
  it("marks only BANK_TIMEOUT and BANK_UNAVAILABLE retryable", () => {
    expect(new BankError("BANK_TIMEOUT").retryable).toBe(true);
    expect(new BankError("BANK_UNAVAILABLE").retryable).toBe(true);
    for (const code of [
      "INVALID_ACCOUNT",
      "INSUFFICIENT_FUNDS",
      "QUOTE_REJECTED",
      "BOOKING_REJECTED",
      "QUOTE_EXPIRED",
      "QUOTE_NOT_FOUND",
    ] as const) {
      expect(isRetryableBankErrorCode(code)).toBe(false);
    }
    const error = new BankError("QUOTE_EXPIRED", "too late");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("BankError");
    expect(error.message).toBe("too late");
    expect(error.code).toBe("QUOTE_EXPIRED");
  });
});
