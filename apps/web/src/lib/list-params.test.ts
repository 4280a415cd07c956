import { describe, expect, it } from "vitest";
import { readAuditFilters, writeAuditFilters } from "../components/admin/AuditFilters";
import { DEFAULT_BATCH_FILTERS, readBatchFilters, writeBatchFilters } from "../components/batches/BatchFilters";
import { readTradeHistoryFilters, writeTradeHistoryFilters } from "../components/trades/TradeHistoryView";
import { isCursor, readCursors, readDay, textEditMode } from "./list-params";

/** A cursor as the API makes one: base64url of a JSON array (apps/api/src/services/pagination.ts). */
const cursor = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString("base64url");

describe("the batches list in the address", () => {
  it("writes only what differs from the defaults, and reads back the same filters", () => {
    const params = new URLSearchParams();
    const chosen = {
      statuses: ["RUNNING" as const, "FAILED" as const],
      createdFrom: "2026-11-01",
      createdTo: "2026-11-27",
      search: "acme & co",
      orderField: "TOTAL_TRADES" as const,
      direction: "ASC" as const,
      archived: true,
    };
    writeBatchFilters(params, chosen);
    expect(params.toString()).toBe(
      "status=RUNNING&status=FAILED&from=2026-11-01&to=2026-11-27&q=acme+%26+co&sort=TOTAL_TRADES&dir=ASC&archived=1",
    );
    expect(readBatchFilters(new URLSearchParams(params.toString()))).toEqual(chosen);

    const defaults = new URLSearchParams("sort=CREATED_AT&dir=DESC");
    writeBatchFilters(defaults, DEFAULT_BATCH_FILTERS);
    expect(defaults.toString()).toBe("");
  });

  it("falls back to the defaults for values it does not know, without throwing", () => {
    const read = readBatchFilters(
      new URLSearchParams("status=NOPE&status=PENDING&from=2026-02-30&to=yesterday&sort=DROP+TABLE&dir=UP&archived=yes"),
    );
    expect(read).toEqual({ ...DEFAULT_BATCH_FILTERS, statuses: ["PENDING"] });
  });

  it("a change of filter goes back to the first page", () => {
    const params = new URLSearchParams(`q=a&after=${cursor(["2026-11-27T10:00:00.000Z", "x"])}`);
    writeBatchFilters(params, { ...DEFAULT_BATCH_FILTERS, search: "ab" });
    expect(params.has("after")).toBe(false);
    expect(params.get("q")).toBe("ab");
  });
});

describe("the trade history and the audit log in the address", () => {
  it("round-trips the trade history's status and search; an unknown status is none", () => {
    const params = new URLSearchParams();
    writeTradeHistoryFilters(params, { status: "FAILED", search: "C-1", archived: false });
    expect(params.toString()).toBe("status=FAILED&q=C-1");
    expect(readTradeHistoryFilters(params)).toEqual({ status: "FAILED", search: "C-1", archived: false });
    expect(readTradeHistoryFilters(new URLSearchParams("status=LOST&status=FAILED&archived=0"))).toEqual({
      status: null,
      search: "",
      archived: false,
    });
    writeTradeHistoryFilters(params, { status: null, search: "", archived: true });
    expect(params.toString()).toBe("archived=1");
    expect(readTradeHistoryFilters(params)).toEqual({ status: null, search: "", archived: true });
  });

  it("round-trips the audit log's filters and drops unknown actions and outcomes", () => {
    const chosen = {
      action: "CANCEL_BATCH" as const,
      actor: "ops@",
      outcome: "REFUSED" as const,
      batchId: "b-1",
      from: "2026-01-31",
      to: "",
    };
    const params = new URLSearchParams();
    writeAuditFilters(params, chosen);
    expect(readAuditFilters(params)).toEqual(chosen);
    expect(readAuditFilters(new URLSearchParams("action=HACK&outcome=MAYBE&from=2026-13-01"))).toEqual({
      action: "",
      actor: "",
      outcome: "",
      batchId: "",
      from: "",
      to: "",
    });
  });
});

describe("the page in the address", () => {
  it("keeps the cursors that led to the page, in order", () => {
    const first = cursor(["2026-11-27T10:00:00.000Z", "a"]);
    const second = cursor(["2026-11-26T10:00:00.000Z", "b"]);
    expect(readCursors(new URLSearchParams(`after=${first}&after=${second}`))).toEqual([first, second]);
  });

  it("starts at the first page when any cursor is not one the API could have made", () => {
    const good = cursor([1, "a"]);
    expect(readCursors(new URLSearchParams(`after=${good}&after=abc!`))).toEqual([]);
    expect(isCursor(Buffer.from('{"a":1}').toString("base64url"))).toBe(false);
    expect(isCursor(Buffer.from("not json").toString("base64url"))).toBe(false);
    expect(isCursor("")).toBe(false);
    expect(isCursor(good)).toBe(true);
  });
});

describe("small readers", () => {
  it("accepts only real calendar days", () => {
    expect(readDay(new URLSearchParams("d=2024-02-29"), "d")).toBe("2024-02-29");
    expect(readDay(new URLSearchParams("d=2026-02-29"), "d")).toBe("");
    expect(readDay(new URLSearchParams("d=2026-1-1"), "d")).toBe("");
  });

  it("keeps one history step per search typed, and a step for every other change", () => {
    expect(textEditMode("", "a")).toBe("push");
    expect(textEditMode("a", "ab")).toBe("replace");
    expect(textEditMode("ab", "")).toBe("push");
    expect(textEditMode("ab", "ab")).toBe("push");
  });
});
