import { describe, expect, it } from "vitest";
import {
  BATCH_STATUSES,
  type BatchState,
  batchProgress,
  batchStatusesMovableTo,
  canBatchMove,
  canTradeMove,
  checkBatchAction,
  finalBatchStatus,
  isNewerBatchSnapshot,
  isNewerTradeSnapshot,
  isValueDatePassed,
  pastValueDatesReason,
  TRADE_MOVES,
  TRADE_STATUSES,
} from "../src/status";

const batch = (overrides: Partial<BatchState> = {}): BatchState => ({
  status: "PENDING",
  totalTrades: 10,
  succeededTrades: 0,
  failedTrades: 0,
  cancelledTrades: 0,
  cancelledUnmovedTrades: 0,
  queuedAt: null,
  cancelRequestedAt: null,
  approvalRequired: false,
  approvedAt: null,
  stagedBy: null,
  ...overrides,
});

describe("trade transitions", () => {
  it("allow exactly the product's path and its recoveries", () => {
    const allowed = TRADE_STATUSES.flatMap((from) => TRADE_STATUSES.filter((to) => canTradeMove(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      [
        "PENDING→EXECUTING",
        "PENDING→CANCELLED",
        "EXECUTING→QUOTED",
        "EXECUTING→FAILED",
        "EXECUTING→CANCELLED",
        "EXECUTING→PENDING",
        "QUOTED→SUCCESS",
        "QUOTED→FAILED",
        "QUOTED→EXECUTING",
        "FAILED→PENDING",
      ].sort(),
    );
  });

  it("never cancel a QUOTED trade, whose booking may be at the bank", () => {
    expect(canTradeMove("QUOTED", "CANCELLED")).toBe(false);
    expect(TRADE_MOVES.cancel.from).toEqual(["PENDING", "EXECUTING"]);
  });

  it("never leave SUCCESS or CANCELLED", () => {
    for (const to of TRADE_STATUSES) {
      expect(canTradeMove("SUCCESS", to)).toBe(false);
      expect(canTradeMove("CANCELLED", to)).toBe(false);
    }
  });
});

describe("batch transitions", () => {
  it("allow exactly the product's path", () => {
    const allowed = BATCH_STATUSES.flatMap((from) => BATCH_STATUSES.filter((to) => canBatchMove(from, to)).map((to) => `${from}→${to}`));
    expect(allowed.sort()).toEqual(
      [
        "PENDING→RUNNING",
        "PENDING→CANCELLED",
        "RUNNING→SUCCESS",
        "RUNNING→PARTIAL_SUCCESS",
        "RUNNING→FAILED",
        "RUNNING→CANCELLED",
        "PARTIAL_SUCCESS→PENDING",
        "FAILED→PENDING",
      ].sort(),
    );
    expect(batchStatusesMovableTo("CANCELLED")).toEqual(["PENDING", "RUNNING"]);
  });
});

describe("value dates", () => {
  it("have passed only when strictly before today; spot (null) never has", () => {
    expect(isValueDatePassed("2026-11-26", "2026-11-27")).toBe(true);
    expect(isValueDatePassed("2026-11-27", "2026-11-27")).toBe(false);
    expect(isValueDatePassed(null, "2026-11-27")).toBe(false);
  });

  it("stop a batch from starting, counting the trades and naming the first row", () => {
    const dates = [
      { valueDate: "2026-11-20", trades: 3, firstRow: 7 },
      { valueDate: "2026-11-26", trades: 2, firstRow: 4 },
      { valueDate: "2026-11-27", trades: 5, firstRow: 1 },
      { valueDate: null, trades: 9, firstRow: 2 },
    ];
    expect(pastValueDatesReason(dates, "2026-11-27")).toBe(
      "5 trades have value dates before today, 2026-11-27 (the first at row 4); correct them and stage the file again",
    );
    expect(pastValueDatesReason(dates.slice(2), "2026-11-27")).toBeNull();
  });
});

describe("batch actions", () => {
  it("never delete a batch with booked trades, nor a running one", () => {
    expect(checkBatchAction(batch({ status: "PARTIAL_SUCCESS", succeededTrades: 3, failedTrades: 7 }), "delete")).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/3 of its trades were booked/),
    });
    expect(checkBatchAction(batch({ status: "RUNNING" }), "delete").allowed).toBe(false);
    expect(checkBatchAction(batch({ status: "FAILED", failedTrades: 10 }), "delete").allowed).toBe(true);
    expect(checkBatchAction(batch({ status: "CANCELLED", cancelledTrades: 10 }), "delete").allowed).toBe(true);
  });

  it("start only a PENDING batch that is not queued yet", () => {
    expect(checkBatchAction(batch(), "start")).toEqual({ allowed: true });
    expect(checkBatchAction(batch({ queuedAt: new Date() }), "start")).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/already started/),
    });
    for (const status of BATCH_STATUSES.filter((s) => s !== "PENDING")) {
      expect(checkBatchAction(batch({ status }), "start")).toMatchObject({ allowed: false, reason: expect.stringContaining(status) });
    }
  });

  it("cancel PENDING or RUNNING batches once", () => {
    expect(checkBatchAction(batch({ status: "RUNNING" }), "cancel").allowed).toBe(true);
    expect(checkBatchAction(batch({ status: "RUNNING", cancelRequestedAt: new Date() }), "cancel").allowed).toBe(false);
    expect(checkBatchAction(batch({ status: "SUCCESS" }), "cancel").allowed).toBe(false);
  });

  it("retry only finished batches with failed trades", () => {
    expect(checkBatchAction(batch({ status: "PARTIAL_SUCCESS", failedTrades: 2 }), "retry").allowed).toBe(true);
    expect(checkBatchAction(batch({ status: "FAILED", failedTrades: 10 }), "retry").allowed).toBe(true);
    expect(checkBatchAction(batch({ status: "FAILED", failedTrades: 0 }), "retry").allowed).toBe(false);
    expect(checkBatchAction(batch({ status: "RUNNING", failedTrades: 2 }), "retry").allowed).toBe(false);
    expect(checkBatchAction(batch({ status: "CANCELLED", failedTrades: 2 }), "retry").allowed).toBe(false);
  });

  it("delete anything but a RUNNING batch", () => {
    for (const status of BATCH_STATUSES) expect(checkBatchAction(batch({ status }), "delete").allowed).toBe(status !== "RUNNING");
  });

  it("archive only a finished batch, booked trades or not", () => {
    for (const status of BATCH_STATUSES) {
      const verdict = checkBatchAction(batch({ status, succeededTrades: 4 }), "archive");
      expect(verdict.allowed).toBe(!["PENDING", "RUNNING"].includes(status));
      if (!verdict.allowed)
        expect(verdict.reason).toBe(
          `a ${status} batch cannot be archived; only a finished batch (SUCCESS, PARTIAL_SUCCESS, FAILED, CANCELLED) can`,
        );
    }
  });

  it("archive a cancelled batch only once its cancelled trades' rows are written (the archive copies rows as they are)", () => {
    const cancelling = batch({ status: "CANCELLED", cancelledTrades: 10, cancelRequestedAt: new Date(), cancelledUnmovedTrades: 7 });
    expect(checkBatchAction(cancelling, "archive")).toEqual({
      allowed: false,
      reason: "the batch's 7 cancelled trades are still being written; archive it once they are (seconds)",
    });
    expect(checkBatchAction({ ...cancelling, cancelledUnmovedTrades: 0 }, "archive")).toEqual({ allowed: true });
  });

  it("refuse every action on an archived batch, saying it is archived", () => {
    const archived = batch({ status: "PARTIAL_SUCCESS", succeededTrades: 5, failedTrades: 5, archivedAt: new Date() });
    for (const action of ["start", "approve", "cancel", "retry", "delete", "archive"] as const) {
      expect(checkBatchAction(archived, action)).toEqual({
        allowed: false,
        reason: "the batch is archived and can no longer be changed; it stays readable under the Archived filter",
      });
    }
  });
});

describe("final batch status", () => {
  it("waits until every trade is final", () => {
    expect(finalBatchStatus(batch({ succeededTrades: 9 }))).toBeNull();
  });

  it("is SUCCESS, FAILED or PARTIAL_SUCCESS from the outcomes", () => {
    expect(finalBatchStatus(batch({ succeededTrades: 10 }))).toBe("SUCCESS");
    expect(finalBatchStatus(batch({ failedTrades: 10 }))).toBe("FAILED");
    expect(finalBatchStatus(batch({ succeededTrades: 4, failedTrades: 6 }))).toBe("PARTIAL_SUCCESS");
  });

  it("is CANCELLED after a cancel request, whatever was booked before it", () => {
    expect(finalBatchStatus(batch({ succeededTrades: 4, cancelledTrades: 6, cancelRequestedAt: new Date() }))).toBe("CANCELLED");
  });

  it("gives progress as processed / total", () => {
    expect(batchProgress(batch({ succeededTrades: 2, failedTrades: 1, cancelledTrades: 2 }))).toBe(0.5);
  });
});

describe("late snapshots", () => {
  it("are told by the batch's event sequence: a higher number is newer, the same number is no newer", () => {
    expect(isNewerBatchSnapshot({ eventSequence: 5 }, { eventSequence: 4 })).toBe(true);
    expect(isNewerBatchSnapshot({ eventSequence: 4 }, { eventSequence: 4 })).toBe(false);
    expect(isNewerBatchSnapshot({ eventSequence: 3 }, { eventSequence: 4 })).toBe(false);
  });

  it("of a trade, by the number of its latest change among its batch's events, the same way", () => {
    expect(isNewerTradeSnapshot({ sequence: 5 }, { sequence: 4 })).toBe(true);
    expect(isNewerTradeSnapshot({ sequence: 4 }, { sequence: 4 })).toBe(false);
    expect(isNewerTradeSnapshot({ sequence: 3 }, { sequence: 4 })).toBe(false);
  });
});
