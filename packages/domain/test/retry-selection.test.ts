import { describe, expect, it } from "vitest";
import { MAX_RETRY_SELECTION } from "../src/limits";
import { countByCode, planSelectedRetry, retrySelectionProblem, type SelectedTrade, selectedRetryDetail } from "../src/retry-selection";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isTradeId = (id: string) => UUID.test(id);
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function failed(n: number, errorCode: string | null): SelectedTrade {
  return { id: id(n), rowNumber: n, status: "FAILED", errorCode };
}

describe("the list of a retry of selected trades", () => {
  it("accepts distinct well-formed ids up to the limit", () => {
    expect(retrySelectionProblem([id(1), id(2)], { isTradeId })).toBeNull();
    const most = Array.from({ length: MAX_RETRY_SELECTION }, (_, n) => id(n));
    expect(retrySelectionProblem(most, { isTradeId })).toBeNull();
  });

  it("refuses errorCodes alongside, naming both arguments", () => {
    expect(retrySelectionProblem([id(1)], { errorCodes: ["INVALID_ACCOUNT"], isTradeId })?.problem).toBe(
      "errorCodes and tradeIds cannot be given together: retry by error code or by selected trades",
    );
    expect(retrySelectionProblem([id(1)], { errorCodes: [], isTradeId })).not.toBeNull();
  });

  it("refuses an empty list and one over the limit", () => {
    expect(retrySelectionProblem([], { isTradeId })?.problem).toMatch(/^tradeIds is empty/);
    const tooMany = Array.from({ length: MAX_RETRY_SELECTION + 1 }, (_, n) => id(n));
    expect(retrySelectionProblem(tooMany, { isTradeId })).toEqual({
      problem: "tradeIds names 5,001 trades; at most 5,000 can be retried in one call (retry by error code for more)",
      tradeIds: [],
    });
  });

  it("names the first five malformed ids, a long one cut short, and how many more", () => {
    const bad = ["nope", "x".repeat(100), "1", "2", "3", "4", "5"];
    const problem = retrySelectionProblem([id(1), ...bad], { isTradeId });
    expect(problem?.problem).toBe(
      `tradeIds: "nope", "${"x".repeat(40)}…", "1", "2", "3" and 2 more are not trade ids; nothing was retried`,
    );
    expect(problem?.tradeIds).toEqual(["nope", `${"x".repeat(40)}…`, "1", "2", "3"]);
    expect(retrySelectionProblem(["nope"], { isTradeId })?.problem).toBe('tradeIds: "nope" is not a trade id; nothing was retried');
  });

  it("names an id given twice, in either case", () => {
    expect(retrySelectionProblem([id(1), id(2), id(1).toUpperCase()], { isTradeId })).toEqual({
      problem: `tradeIds names ${id(1)} more than once; name each trade once (nothing was retried)`,
      tradeIds: [id(1)],
    });
  });
});

describe("which selected trades a retry takes", () => {
  const found = [
    failed(3, "INVALID_ACCOUNT"),
    failed(7, "QUOTE_REJECTED"),
    failed(9, null),
    { ...failed(1, null), status: "SUCCESS" as const },
  ];

  it("takes exactly the trades named, permanent refusals too, in the order named, counted by code", () => {
    const planned = planSelectedRetry([id(9), id(3), id(7).toUpperCase()], found);
    expect(planned).toEqual({
      ok: true,
      plan: {
        trades: [failed(9, null), failed(3, "INVALID_ACCOUNT"), failed(7, "QUOTE_REJECTED")],
        byCode: [
          { errorCode: "UNKNOWN", count: 1 },
          { errorCode: "INVALID_ACCOUNT", count: 1 },
          { errorCode: "QUOTE_REJECTED", count: 1 },
        ],
      },
    });
  });

  it("refuses the whole selection when one is not a trade of the batch or not FAILED, saying which and why", () => {
    expect(planSelectedRetry([id(3), id(1), id(42)], found)).toEqual({
      ok: false,
      problem: {
        problem: `tradeIds: 2 of the 3 trades cannot be retried, so none was: ${id(1)} (row 1) is SUCCESS, not FAILED; ${id(42)} is not a trade of this batch`,
        tradeIds: [id(1), id(42)],
      },
    });
  });

  it("names the first five refused and how many more", () => {
    const named = Array.from({ length: 8 }, (_, n) => id(100 + n));
    const planned = planSelectedRetry(named, found);
    expect(planned.ok).toBe(false);
    if (planned.ok) return;
    expect(planned.problem.tradeIds).toEqual(named.slice(0, 5));
    expect(planned.problem.problem).toMatch(/^tradeIds: 8 of the 8 trades cannot be retried, so none was: .* and 3 more$/);
  });
});

describe("what the audit record and the confirmation say", () => {
  it("counts codes in the order they first appear, UNKNOWN for none", () => {
    expect(countByCode([{ errorCode: "QUOTE_REJECTED" }, { errorCode: null }, { errorCode: "QUOTE_REJECTED" }])).toEqual([
      { errorCode: "QUOTE_REJECTED", count: 2 },
      { errorCode: "UNKNOWN", count: 1 },
    ]);
  });

  it("names how many, the rows in order (the first ten), and the codes", () => {
    const three = [failed(12, "QUOTE_REJECTED"), failed(4, "INVALID_ACCOUNT"), failed(7, "QUOTE_REJECTED")];
    expect(selectedRetryDetail({ trades: three, byCode: countByCode(three) })).toBe(
      "3 selected trades (rows 4, 7, 12): 2 QUOTE_REJECTED, 1 INVALID_ACCOUNT",
    );
    const one = [{ ...failed(1, "INSUFFICIENT_FUNDS"), rowNumber: null }];
    expect(selectedRetryDetail({ trades: one, byCode: countByCode(one) })).toBe(`1 selected trade (trade ${id(1)}): 1 INSUFFICIENT_FUNDS`);
    const many = Array.from({ length: 12 }, (_, n) => failed(n + 1, "BOOKING_REJECTED"));
    expect(selectedRetryDetail({ trades: many, byCode: countByCode(many) })).toBe(
      "12 selected trades (rows 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 2 more): 12 BOOKING_REJECTED",
    );
  });
});
