import * as domain from "@fxbt/domain";
import { describe, expect, test } from "vitest";
import * as page from "./priority-rule";

describe("the New batch page's priority rule is the domain's", () => {
  test("same range and wording", () => {
    expect(page.PRIORITY_RANGE).toEqual(domain.PRIORITY_RANGE);
    expect(page.PRIORITY_RULE).toBe(domain.PRIORITY_RULE);
  });

  test("same verdict on every kind of value", () => {
    const values = [null, undefined, 0, 1, -1, 999, 1000, 1001, -1000, -1001, 1.5, 99999999999, Number.NaN, Infinity, "5", "", true, [1]];
    for (const value of values) expect(page.priorityProblem(value), String(value)).toBe(domain.priorityProblem(value));
  });
});
