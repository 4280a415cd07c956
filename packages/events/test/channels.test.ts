import type { BatchView } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import { type BatchListMessage, type BatchProgressMessage, supersedesUnreadBatchMessage } from "../src/channels";

/** Only the event number takes part in the rule. */
const at = (eventSequence: number) => ({ id: "b1", eventSequence }) as BatchView;
const progress = (n: number, deleted?: true): BatchProgressMessage => ({ batch: at(n), ...(deleted ? { deleted } : {}) });
const listed = (n: number, kind: BatchListMessage["kind"] = "changed"): BatchListMessage => ({ kind, batch: at(n) });

describe("supersedesUnreadBatchMessage", () => {
  it("lets a newer or equal snapshot replace the unread one, and never an older one", () => {
    expect(supersedesUnreadBatchMessage(progress(8), progress(7))).toBe(true);
    expect(supersedesUnreadBatchMessage(progress(7), progress(7))).toBe(true);
    expect(supersedesUnreadBatchMessage(progress(6), progress(7))).toBe(false);
    expect(supersedesUnreadBatchMessage(listed(8), listed(7))).toBe(true);
    expect(supersedesUnreadBatchMessage(listed(6), listed(7))).toBe(false);
  });

  it("lets a deletion replace anything, and nothing replace a deletion", () => {
    expect(supersedesUnreadBatchMessage(progress(3, true), progress(7))).toBe(true);
    expect(supersedesUnreadBatchMessage(progress(9), progress(7, true))).toBe(false);
    expect(supersedesUnreadBatchMessage(listed(3, "deleted"), listed(7))).toBe(true);
    expect(supersedesUnreadBatchMessage(listed(9), listed(7, "deleted"))).toBe(false);
  });
});
