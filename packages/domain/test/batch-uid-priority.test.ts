import { describe, expect, it } from "vitest";
import { formatBatchUid, isBatchUid, PRIORITY_RANGE, priorityProblem } from "../src";

describe("batchUid", () => {
  it("formats the day's number with at least four digits, and recognises what it formats", () => {
    expect(formatBatchUid("20261127", 2)).toBe("B-20261127-0002");
    expect(formatBatchUid("20261127", 12345)).toBe("B-20261127-12345");
    expect(isBatchUid(formatBatchUid("20261127", 2))).toBe(true);
    expect(isBatchUid(formatBatchUid("20261127", 12345))).toBe(true);
  });

  it("refuses anything else, uuids included", () => {
    for (const text of [
      "",
      "B-2026112-0002",
      "B-20261127-002",
      "b-20261127-0002",
      " B-20261127-0002",
      "B-20261127-0002x",
      "0b7c2f0e-4b7e-4c57-9a43-1f1c5e0b2a11",
    ]) {
      expect(isBatchUid(text), text).toBe(false);
    }
  });
});

describe("priority", () => {
  it("takes whole numbers within the range, and the default", () => {
    for (const value of [PRIORITY_RANGE.min, -1, 0, 1, PRIORITY_RANGE.max, null, undefined]) {
      expect(priorityProblem(value), String(value)).toBeNull();
    }
  });

  it("names the field and the range for anything else", () => {
    expect(priorityProblem(1001)).toBe("priority must be a whole number from -1000 to 1000, got 1001");
    expect(priorityProblem(-1001)).toBe("priority must be a whole number from -1000 to 1000, got -1001");
    expect(priorityProblem(99999999999)).toBe("priority must be a whole number from -1000 to 1000, got 99999999999");
    expect(priorityProblem(1.5)).toBe("priority must be a whole number from -1000 to 1000, got 1.5");
    expect(priorityProblem("5")).toBe('priority must be a whole number from -1000 to 1000, got "5"');
    expect(priorityProblem(Number.NaN)).toBe("priority must be a whole number from -1000 to 1000, got NaN");
  });
});
