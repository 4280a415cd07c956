// @vitest-environment jsdom
import type { MockLink } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchDetailQuery, BatchProgressSubscription } from "../../graphql/batch";
import { batchFields } from "../../test/batch-fields";
import { BatchDetailView } from "./BatchDetailView";

const liveTrades = vi.fn();
const feedListeners: ((event: { kind: string; batch: { id: string } }) => void)[] = [];

vi.mock("next/navigation", () => ({ useRouter: () => ({ push: vi.fn() }) }));
vi.mock("./use-live-trades", () => ({ useLiveTrades: (...args: unknown[]) => liveTrades(...args) }));
vi.mock("../live/BatchFeed", () => ({ useBatchFeed: (listener: (typeof feedListeners)[number]) => feedListeners.push(listener) }));
vi.mock("../live/LiveIndicator", () => ({ LiveIndicator: () => null }));
// The parts of the page with reads and sessions of their own; this test is about the page's own streams.
vi.mock("./BatchActions", () => ({ BatchActions: () => null }));
vi.mock("./BatchResults", () => ({ BatchResults: () => null }));
vi.mock("./BatchSummary", () => ({ BatchSummary: () => null }));
vi.mock("./BatchTrades", () => ({ BatchTrades: ({ batch }: { batch: { id: string } }) => <p>trades of {batch.id}</p> }));

afterEach(() => {
  cleanup();
  liveTrades.mockReset();
  feedListeners.length = 0;
});

const ID = "6f1c0a4e-0000-4000-8000-000000000007";
const UID = "B-20261127-0002";

const BATCH: BatchFieldsFragment = batchFields({
  id: ID,
  batchUid: UID,
  name: "Friday",
  status: "RUNNING",
  processedTrades: 2,
  succeededTrades: 2,
  progress: 33,
  createdAt: "2026-11-27T09:00:00.000Z",
  updatedAt: "2026-11-27T09:01:00.000Z",
  startedAt: "2026-11-27T09:00:30.000Z",
  eventSequence: 41,
});

/** The page read by `address`, answered with `batch`; the progress stream is answered only when asked for with the batch's id. */
function renderPage(address: string, batch: BatchFieldsFragment | null) {
  const progressAsked = vi.fn();
  const mocks: MockLink.MockedResponse[] = [
    { request: { query: BatchDetailQuery, variables: { id: address } }, result: { data: { batch } } },
    {
      request: { query: BatchProgressSubscription, variables: { id: ID, afterSequence: 41 } },
      result: () => {
        progressAsked();
        return { data: { batchProgress: { __typename: "BatchProgressEvent", sequence: 42, batch: { ...BATCH, processedTrades: 3 } } } };
      },
    },
  ];
  render(
    <MockedProvider mocks={mocks}>
      <BatchDetailView id={address} />
    </MockedProvider>,
  );
  return { progressAsked };
}

describe("BatchDetailView opened by batchUid", () => {
  test("reads the batch by the address, then follows it by its id", async () => {
    const { progressAsked } = renderPage(UID, BATCH);
    await screen.findByRole("heading", { level: 1, name: UID });
    expect(screen.getByText(`trades of ${ID}`)).toBeTruthy();
    await waitFor(() => expect(progressAsked).toHaveBeenCalled());
    await waitFor(() => expect(liveTrades).toHaveBeenCalledWith(ID, 41, false));
    expect(liveTrades.mock.calls.every(([batchId]) => batchId === ID || batchId === "")).toBe(true);
  });

  test("a deletion of the batch, named by its id, ends the page", async () => {
    renderPage(UID, BATCH);
    await screen.findByRole("heading", { level: 1, name: UID });
    for (const listener of [...feedListeners]) listener({ kind: "DELETED", batch: { id: ID } });
    await screen.findByRole("heading", { level: 1, name: "Batch deleted" });
  });

  test("an unknown batchUid is not found, and nothing is followed", async () => {
    const { progressAsked } = renderPage("B-19700101-0001", null);
    await screen.findByRole("heading", { level: 1, name: "Batch not found" });
    expect(progressAsked).not.toHaveBeenCalled();
    expect(liveTrades.mock.calls.every(([, , skip]) => skip === true)).toBe(true);
  });
});
