import { describe, expect, it } from "vitest";
import { pagerStatus } from "./Pager";

describe("the pager's status", () => {
  it("counts pages and rows of an exact count", () => {
    expect(pagerStatus(2, 50, 321)).toBe("Page 2 of 7 · 321 in all");
    expect(pagerStatus(1, 50, 0)).toBe("Page 1 of 1 · 0 in all");
    expect(pagerStatus(1, 50, 12_345)).toBe("Page 1 of 247 · 12,345 in all");
  });

  it("says 'more than' past a list's counting limit, and no page count it cannot know", () => {
    expect(pagerStatus(3, 50, 10_001, 10_000)).toBe("Page 3 · more than 10,000");
    expect(pagerStatus(3, 50, 10_000, 10_000)).toBe("Page 3 of 200 · 10,000 in all");
  });
});
