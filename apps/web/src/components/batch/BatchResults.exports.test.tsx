// @vitest-environment jsdom
import type { MockedResponse } from "@apollo/client/testing";
import { MockedProvider } from "@apollo/client/testing/react";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { BatchFieldsFragment } from "../../gql/graphql";
import { BatchResultsQuery } from "../../graphql/batch";
import { BatchFailuresExportQuery } from "../../graphql/fragments";
import { batchFields } from "../../test/batch-fields";
import { StaticSession, type Viewer } from "../session/SessionProvider";
import { BatchResults } from "./BatchResults";

afterEach(cleanup);

const ID = "6f1c0a4e-0000-4000-8000-000000000031";

function finished(failedTrades: number): BatchFieldsFragment {
  return batchFields({
    id: ID,
    batchUid: "B-20261127-0031",
    status: failedTrades > 0 ? "PARTIAL_SUCCESS" : "SUCCESS",
    totalTrades: 5,
    processedTrades: 5,
    succeededTrades: 5 - failedTrades,
    failedTrades,
    progress: 1,
    createdAt: "2026-11-27T09:00:00.000Z",
    updatedAt: "2026-11-27T09:05:00.000Z",
    startedAt: "2026-11-27T09:01:00.000Z",
    completedAt: "2026-11-27T09:05:00.000Z",
    eventSequence: 10,
  });
}

const viewer: Viewer = {
  __typename: "Viewer",
  kind: "USER",
  id: "6f1c0a4e-0000-4000-8000-0000000000bb",
  name: "viewer@example.test",
  role: "VIEWER",
  partner: null,
  mustChangePassword: false,
};

function resultsMock(failedTrades: number): MockedResponse {
  return {
    request: { query: BatchResultsQuery, variables: { id: ID } },
    result: {
      data: {
        batchResults: {
          __typename: "BatchResults",
          batch: { __typename: "Batch", id: ID },
          succeededTrades: 5 - failedTrades,
          failedTrades,
          cancelledTrades: 0,
          totalsByCurrency: [],
          errorsByCode: failedTrades > 0 ? [{ __typename: "ErrorCount", errorCode: "INVALID_ACCOUNT", count: failedTrades }] : [],
        },
      },
    },
  };
}

const failuresAnswer = { data: { batch: { __typename: "Batch", id: ID, failuresCsvPath: `/export/batches/${ID}/failures.csv` } } };
const failuresMock: MockedResponse = { request: { query: BatchFailuresExportQuery, variables: { id: ID } }, result: failuresAnswer };

function renderResults(failedTrades: number, mocks: MockedResponse[]) {
  render(
    <MockedProvider mocks={mocks}>
      <StaticSession viewer={viewer}>
        <BatchResults batch={finished(failedTrades)} />
      </StaticSession>
    </MockedProvider>,
  );
}

describe("the results panel's exports", () => {
  test("a batch with failures offers its failures export, at the path the API serves, beside the results export", async () => {
    renderResults(2, [resultsMock(2), failuresMock]);
    const link = await screen.findByRole("link", { name: "Export failures (CSV)" });
    expect(link.getAttribute("href")).toBe(`/export/batches/${ID}/failures.csv`);
    expect(link.getAttribute("download")).toBe("B-20261127-0031-failures.csv");
    expect(screen.getByRole("link", { name: "Export results (CSV)" }).getAttribute("href")).toBe(`/export/batches/${ID}/trades.csv`);
  });

  test("a batch without failures offers only the results export, and asks nothing for the other", async () => {
    const asked = vi.fn(() => failuresAnswer);
    renderResults(0, [resultsMock(0), { ...failuresMock, result: asked }]);
    await screen.findByText("No trade failed.");
    expect(screen.getByRole("link", { name: "Export results (CSV)" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Export failures (CSV)" })).toBeNull();
    expect(asked).not.toHaveBeenCalled();
  });
});
