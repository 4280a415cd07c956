// @vitest-environment jsdom
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, test } from "vitest";
import { batchFields } from "../../test/batch-fields";
import { BatchSummary } from "./BatchSummary";

afterEach(cleanup);

const fact = (name: string) => screen.getByText(name, { selector: "dt" }).nextElementSibling?.textContent;

test("a batch retried an hour after its first run shows the seconds it ran and the bank's answers per second of them", () => {
  const retried = batchFields({
    status: "PARTIAL_SUCCESS",
    totalTrades: 10,
    processedTrades: 10,
    succeededTrades: 8,
    failedTrades: 2,
    progress: 1,
    startedAt: "2026-11-27T09:00:00.000Z",
    completedAt: "2026-11-27T10:00:12.000Z",
    finishedRunSeconds: 12,
    answeredTrades: 12,
  });
  render(<BatchSummary batch={retried} />);
  expect(fact("Run time")).toBe("12 s");
  expect(fact("Trades per second")).toBe("1.0");
});

test("a cancelled batch's rate counts only the answered trades, and its bar shows booked against cancelled", () => {
  const cancelled = batchFields({
    status: "CANCELLED",
    totalTrades: 100,
    processedTrades: 100,
    succeededTrades: 40,
    cancelledTrades: 60,
    progress: 1,
    startedAt: "2026-11-27T09:00:00.000Z",
    completedAt: "2026-11-27T09:00:20.000Z",
    finishedRunSeconds: 20,
    answeredTrades: 40,
  });
  render(<BatchSummary batch={cancelled} />);
  expect(fact("Trades per second")).toBe("2.0");
  expect(screen.getByRole("progressbar", { name: "Batch progress" }).getAttribute("aria-valuetext")).toBe(
    "100% processed: 40 booked, 60 cancelled of 100",
  );
});

test("a running batch counts its current run from runStartedAt on top of the runs before", () => {
  const running = batchFields({
    status: "RUNNING",
    startedAt: "2026-11-27T09:00:00.000Z",
    runStartedAt: new Date(Date.now() - 5_000).toISOString(),
    finishedRunSeconds: 10,
    answeredTrades: 30,
  });
  render(<BatchSummary batch={running} />);
  expect(fact("Running for")).toMatch(/^1[56] s$/);
  expect(Number(fact("Trades per second"))).toBeCloseTo(2, 0);
});
