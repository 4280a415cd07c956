import { describe, expect, it } from "vitest";
import { BankError, bankSimulatorOptionsFromEnv, isRetryableBankErrorCode } from "../src/index";

describe("bankSimulatorOptionsFromEnv", () => {
  it("reads the variables", () => {
    expect(
      bankSimulatorOptionsFromEnv({
        BANK_SIM_SUCCESS_RATE: "0.75",
        BANK_SIM_LATENCY_MS: "0",
        BANK_SIM_SEED: "abc",
        BANK_SIM_QUOTE_TTL_MS: "5000",
      }),
    ).toEqual({ successRate: 0.75, latencyMs: 0, seed: "abc", quoteTtlMs: 5000 });
    expect(bankSimulatorOptionsFromEnv({ BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_LATENCY_MS: " 12.5 " })).toEqual({
      successRate: 1,
      latencyMs: 12.5,
    });
  });

  it("leaves unset and empty variables to the defaults", () => {
    expect(bankSimulatorOptionsFromEnv({})).toEqual({});
    expect(bankSimulatorOptionsFromEnv({ BANK_SIM_SUCCESS_RATE: "", BANK_SIM_LATENCY_MS: "  ", BANK_SIM_SEED: "" })).toEqual({});
  });

  it.each([
    ["BANK_SIM_SUCCESS_RATE", "1.5", /BANK_SIM_SUCCESS_RATE must be a number between 0 and 1.*"1\.5"/],
    ["BANK_SIM_SUCCESS_RATE", "-0.1", /BANK_SIM_SUCCESS_RATE/],
    ["BANK_SIM_SUCCESS_RATE", "ninety", /BANK_SIM_SUCCESS_RATE/],
    ["BANK_SIM_SUCCESS_RATE", "90%", /BANK_SIM_SUCCESS_RATE/],
    ["BANK_SIM_LATENCY_MS", "-1", /BANK_SIM_LATENCY_MS must be a number of milliseconds ≥ 0.*"-1"/],
    ["BANK_SIM_LATENCY_MS", "fast", /BANK_SIM_LATENCY_MS/],
    ["BANK_SIM_LATENCY_MS", "Infinity", /BANK_SIM_LATENCY_MS/],
    ["BANK_SIM_QUOTE_TTL_MS", "0", /BANK_SIM_QUOTE_TTL_MS/],
    ["BANK_SIM_QUOTE_TTL_MS", "1.5", /BANK_SIM_QUOTE_TTL_MS/],
  ])("rejects %s=%s", (name, value, message) => {
    expect(() => bankSimulatorOptionsFromEnv({ [name]: value })).toThrow(message);
  });
});

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
