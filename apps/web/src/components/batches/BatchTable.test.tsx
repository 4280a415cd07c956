// @vitest-environment jsdom
import { cleanup, render, screen, within } from "@testing-library/react";
import { afterEach, expect, test } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchTable } from "./BatchTable";

afterEach(cleanup);

const cancelled: BatchFieldsFragment = {
  __typename: "Batch",
  id: "6f1c0a4e-0000-4000-8000-000000000002",
  batchUid: "B-20261121-0002",
  name: "Friday",
  status: "CANCELLED",
  priority: 0,
  totalTrades: 10,
  processedTrades: 10,
  succeededTrades: 3,
  failedTrades: 1,
  cancelledTrades: 6,
  progress: 1,
  createdAt: "2026-11-21T09:00:00.000Z",
  updatedAt: "2026-11-21T09:05:00.000Z",
  startedAt: "2026-11-21T09:01:00.000Z",
  completedAt: "2026-11-21T09:05:00.000Z",
  queuedAt: null,
  cancelRequestedAt: "2026-11-21T09:04:00.000Z",
  resultsCsvPath: "/export/batches/6f1c0a4e-0000-4000-8000-000000000002/trades.csv",
  bankUnavailableSince: null,
  partner: null,
  stagedBy: "ops@example.test",
  stagedById: "6f1c0a4e-0000-4000-8000-0000000000aa",
  approvalRequired: false,
  approvedBy: null,
  approvedAt: null,
  eventSequence: 30,
};

test("the list shows how many trades of each batch were cancelled, beside those booked and failed", () => {
  render(<BatchTable batches={[cancelled]} caption="Batches" />);
  const headers = screen.getAllByRole("columnheader").map((header) => header.textContent?.trim());
  const cells = within(screen.getAllByRole("row")[1]!)
    .getAllByRole("cell")
    .map((cell) => cell.textContent?.trim());
  const column = (name: string) => cells[headers.indexOf(name)];
  expect([column("Succeeded"), column("Failed"), column("Cancelled"), column("Total")]).toEqual(["3", "1", "6", "10"]);
});
