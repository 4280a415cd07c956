import { describe, expect, it, test } from "vitest";
import { batchFinishedMessage } from "./batch-status";
import { dateInputToIso, formatDateAndTime, formatDateTime, formatDecimal, formatDuration, toPercent } from "./format";

describe("format", () => {
  test("decimals keep every digit and group thousands", () => {
    expect(formatDecimal("1000000000000.00")).toBe("1,000,000,000,000.00");
    expect(formatDecimal("18000.5")).toBe("18,000.5");
    expect(formatDecimal("120000")).toBe("120,000");
    expect(formatDecimal("not a number")).toBe("not a number");
  });
  test("percent is whole and clamped", () => {
    expect(toPercent(0.456)).toBe(46);
    expect(toPercent(1.2)).toBe(100);
    expect(toPercent(Number.NaN)).toBe(0);
  });
  test("durations", () => {
    expect(formatDuration(5)).toBe("5 s");
    expect(formatDuration(75)).toBe("1 min 15 s");
    expect(formatDuration(3725)).toBe("1 h 2 min 5 s");
  });
  test("date inputs become UTC day edges", () => {
    expect(dateInputToIso("2026-11-21", "start")).toBe("2026-11-21T00:00:00.000Z");
    expect(dateInputToIso("2026-11-21", "end")).toBe("2026-11-21T23:59:59.999Z");
    expect(dateInputToIso("", "start")).toBeUndefined();
  });
  test("the finish message", () => {
    expect(batchFinishedMessage({ batchUid: "B-20261121-0003", status: "SUCCESS", succeededTrades: 6, totalTrades: 6 })).toBe(
      "B-20261121-0003 finished: Succeeded (6 of 6)",
    );
    expect(batchFinishedMessage({ batchUid: "B-1", status: "PARTIAL_SUCCESS", succeededTrades: 4, totalTrades: 6 })).toBe(
      "B-1 finished: Partially succeeded (4 of 6)",
    );
  });
});

describe("times", () => {
  it("are shown in UTC and say so, whatever the reader's time zone", () => {
    const late = "2026-11-21T23:30:05.000Z";
    expect(formatDateTime(late)).toMatch(/UTC$/);
    expect(formatDateTime(late)).toContain("21");
    expect(formatDateAndTime(late)).toMatchObject({ time: expect.stringMatching(/(11|23):30:05.*UTC$/) });
  });
});
