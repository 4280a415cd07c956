// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { batchFields } from "../../test/batch-fields";
import { BatchTable } from "./BatchTable";

afterEach(cleanup);

const cancelled: BatchFieldsFragment = batchFields({
  id: "6f1c0a4e-0000-4000-8000-000000000002",
  batchUid: "B-20261121-0002",
  name: "Friday",
  status: "CANCELLED",
  totalTrades: 10,
  processedTrades: 10,
  succeededTrades: 3,
  failedTrades: 1,
  cancelledTrades: 6,
  progress: 1,
  updatedAt: "2026-11-21T09:05:00.000Z",
  startedAt: "2026-11-21T09:01:00.000Z",
  completedAt: "2026-11-21T09:05:00.000Z",
  cancelRequestedAt: "2026-11-21T09:04:00.000Z",
  eventSequence: 30,
});

test("the list shows how many trades of each batch were cancelled, beside those booked and failed", () => {
  render(<BatchTable batches={[cancelled]} caption="Batches" />);
  const headers = screen.getAllByRole("columnheader").map((header) => header.textContent?.trim());
  const cells = within(screen.getAllByRole("row")[1]!)
    .getAllByRole("cell")
    .map((cell) => cell.textContent?.trim());
  const column = (name: string) => cells[headers.indexOf(name)];
  expect([column("Succeeded"), column("Failed"), column("Cancelled"), column("Total")]).toEqual(["3", "1", "6", "10"]);
});

test("a cancelled batch's bar shows what was booked, failed and cancelled, in words and in parts", () => {
  render(<BatchTable batches={[cancelled]} caption="Batches" />);
  const bar = screen.getByRole("progressbar", { name: "Progress of B-20261121-0002" });
  expect(bar.getAttribute("aria-valuetext")).toBe("100% processed: 3 booked, 1 failed, 6 cancelled of 10");
  const parts = [...bar.querySelectorAll<HTMLElement>("[data-part]")].map((part) => [part.dataset.part, part.style.width]);
  expect(parts).toEqual([
    ["booked", "30%"],
    ["failed", "10%"],
    ["cancelled", "60%"],
  ]);
});

test("a running batch's bar keeps its one fill and says its percent", () => {
  const running = batchFields({ status: "RUNNING", totalTrades: 10, processedTrades: 4, succeededTrades: 4, progress: 0.4 });
  render(<BatchTable batches={[running]} caption="Batches" />);
  const bar = screen.getByRole("progressbar");
  expect(bar.getAttribute("aria-valuetext")).toBe("40%");
  expect(bar.querySelectorAll("[data-part]")).toHaveLength(0);
});
