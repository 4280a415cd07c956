import { duplicateFileMessage } from "@fxbt/domain";
import { describe, expect, test } from "vitest";
import { findDuplicateFile } from "./duplicate-file";

describe("findDuplicateFile", () => {
  test("reads the earlier batch and its time from the API's own message", () => {
    const message = duplicateFileMessage({ batchUid: "B-20261121-0003", createdAt: new Date("2026-11-21T09:00:00.000Z") });
    expect(findDuplicateFile([{ row: null, field: null, message }])).toEqual({
      batchUid: "B-20261121-0003",
      stagedAt: "2026-11-21T09:00:00.000Z",
      message,
    });
  });
  test("still finds the refusal when the message names no batch", () => {
    expect(findDuplicateFile([{ row: null, field: null, message: "DUPLICATE_FILE: seen before" }])).toMatchObject({
      batchUid: null,
      stagedAt: null,
    });
  });
  test("ordinary row errors are not a duplicate", () => {
    expect(findDuplicateFile([{ row: 2, field: "amount", message: "amount must be a positive number" }])).toBeNull();
    expect(findDuplicateFile([])).toBeNull();
  });
});
