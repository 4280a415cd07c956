import { describe, expect, it } from "vitest";
import {
  bucketSecondsProblem,
  chooseBucketSeconds,
  isAnsweredOutcome,
  MAX_SERIES_BUCKETS,
  runSeconds,
  SERIES_BUCKET_STEPS,
  tradesPerSecond,
  volumeHoursProblem,
} from "../src/run-figures";
import { TRADE_MOVES } from "../src/status";

const at = (iso: string) => Date.parse(iso);

describe("runSeconds", () => {
  it("adds the current run to the finished ones, and counts nothing between runs", () => {
    // Ran 10 s, retried an hour later, running 2 s now.
    const running = { finishedRunSeconds: 10, runStartedAt: "2026-11-27T11:00:00.000Z" };
    expect(runSeconds(running, at("2026-11-27T11:00:02.000Z"))).toBe(12);
    expect(runSeconds({ finishedRunSeconds: 12, runStartedAt: null }, at("2026-11-28T00:00:00Z"))).toBe(12);
  });

  it("never goes back when the clock is behind the run's start", () => {
    expect(runSeconds({ finishedRunSeconds: 3, runStartedAt: new Date("2026-11-27T11:00:05Z") }, at("2026-11-27T11:00:00Z"))).toBe(3);
  });
});

describe("tradesPerSecond", () => {
  it("divides the bank's answers by run time, and gives no rate before a second has run", () => {
    expect(tradesPerSecond({ answeredTrades: 40, finishedRunSeconds: 10, runStartedAt: null })).toBe(4);
    expect(tradesPerSecond({ answeredTrades: 3, finishedRunSeconds: 0.5, runStartedAt: null })).toBeNull();
    expect(tradesPerSecond({ answeredTrades: 0, finishedRunSeconds: 0, runStartedAt: null })).toBeNull();
  });
});

describe("chooseBucketSeconds", () => {
  it("keeps a width asked for while the span fits in MAX_SERIES_BUCKETS of it", () => {
    expect(chooseBucketSeconds(60, 1)).toBe(1);
    expect(chooseBucketSeconds(MAX_SERIES_BUCKETS, 1)).toBe(1);
    expect(chooseBucketSeconds(60, 7)).toBe(7);
  });

  it("widens to the next round step when the span needs more buckets, and picks the narrowest without a wish", () => {
    expect(chooseBucketSeconds(MAX_SERIES_BUCKETS + 1, 1)).toBe(2);
    expect(chooseBucketSeconds(3_600)).toBe(15);
    expect(chooseBucketSeconds(100_000 / 400)).toBe(1);
    expect(chooseBucketSeconds(86_400)).toBe(300);
    expect(chooseBucketSeconds(1_000 * 86_400)).toBe(86_400);
    for (const span of [0, 1, 59, 3_601, 36_000, 604_800]) {
      const width = chooseBucketSeconds(span);
      expect(SERIES_BUCKET_STEPS).toContain(width);
      expect(Math.ceil(span / width)).toBeLessThanOrEqual(MAX_SERIES_BUCKETS);
    }
  });
});

describe("argument checks", () => {
  it("names the argument and the allowed range", () => {
    expect(bucketSecondsProblem(60)).toBeNull();
    expect(bucketSecondsProblem(0)).toBe("bucketSeconds must be a whole number of seconds from 1 to 86400, got 0");
    expect(bucketSecondsProblem(86_401)).toMatch(/^bucketSeconds must be/);
    expect(volumeHoursProblem(24)).toBeNull();
    expect(volumeHoursProblem(169)).toBe("hours must be a whole number from 1 to 168, got 169");
    expect(volumeHoursProblem(0)).toMatch(/^hours must be/);
  });
});

describe("isAnsweredOutcome", () => {
  it("is the bank's booking or refusal, never a cancel, an abandoned claim or an attempt still open", () => {
    expect(isAnsweredOutcome("BOOKED")).toBe(true);
    expect(isAnsweredOutcome("REFUSED")).toBe(true);
    for (const outcome of ["CANCELLED", "ABANDONED", null, undefined] as const) expect(isAnsweredOutcome(outcome)).toBe(false);
  });

  it("every move that ends a trade booked or failed ends its attempt with an answer, so answeredTrades counts it", () => {
    const final = Object.entries(TRADE_MOVES).filter(([, move]) => move.to === "SUCCESS" || move.to === "FAILED");
    expect(final.map(([name]) => name).sort()).toEqual(["book", "refuseBooking", "refuseQuote"]);
    for (const [, move] of final) expect(isAnsweredOutcome("endsAttempt" in move ? move.endsAttempt : undefined)).toBe(true);
  });
});
