import { describe, expect, test } from "vitest";
import { type BatchListChange, canChangePageMembership, type ShownPage } from "./list-membership";

const page = (overrides: Partial<ShownPage> = {}): ShownPage => ({
  batchIds: new Set(["shown"]),
  statusFilter: [],
  orderField: "CREATED_AT",
  ...overrides,
});
const change = (overrides: Partial<BatchListChange> = {}): BatchListChange => ({
  kind: "CHANGED",
  batchId: "shown",
  status: "RUNNING",
  previousStatus: "RUNNING",
  ...overrides,
});

describe("canChangePageMembership", () => {
  test("progress of a batch on the page only updates it in place", () => {
    expect(canChangePageMembership(change(), page())).toBe(false);
  });
  test("a batch never seen and not shown may be new: refetch", () => {
    expect(canChangePageMembership(change({ batchId: "new", previousStatus: null, status: "PENDING" }), page())).toBe(true);
  });
  test("a deletion always refetches", () => {
    expect(canChangePageMembership(change({ kind: "DELETED" }), page())).toBe(true);
  });
  test("a status change matters under a status filter or a status sort", () => {
    const finished = change({ previousStatus: "RUNNING", status: "SUCCESS" });
    expect(canChangePageMembership(finished, page())).toBe(false);
    expect(canChangePageMembership(finished, page({ statusFilter: ["RUNNING"] }))).toBe(true);
    expect(canChangePageMembership(finished, page({ orderField: "STATUS" }))).toBe(true);
  });
  test("a status change of a batch elsewhere can bring it into a filtered page", () => {
    expect(
      canChangePageMembership(
        change({ batchId: "other", previousStatus: "PENDING", status: "RUNNING" }),
        page({ statusFilter: ["RUNNING"] }),
      ),
    ).toBe(true);
  });
  test("sorting by last update reorders on every change", () => {
    expect(canChangePageMembership(change(), page({ orderField: "UPDATED_AT" }))).toBe(true);
  });
});
