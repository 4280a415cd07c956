import { describe, expect, it } from "vitest";
import type { ValidTradeRow } from "../src/csv";
import { CANONICAL_TEXT_PART_LENGTH, canonicalTradesTextParts } from "../src/repeats";

function trade(n: number, overrides: Partial<ValidTradeRow> = {}): ValidTradeRow {
  return {
    rowNumber: n,
    clientId: `C-${n}`,
    clientName: n % 2 === 0 ? null : `Client "${n}"`,
    accountNumber: `${1_000_000_000 + n}`,
    sellCurrency: "ZAR",
    buyCurrency: "USD",
    direction: n % 3 === 0 ? "SELL" : "BUY",
    amount: `${n}.25`,
    valueDate: n % 5 === 0 ? "2030-01-02" : null,
    reference: n % 7 === 0 ? null : `REF-${n}`,
    ...overrides,
  };
}

const joined = (rows: readonly ValidTradeRow[], partLength?: number) => [...canonicalTradesTextParts(rows, partLength)].join("");

describe("canonicalTradesTextParts", () => {
  it("writes one trade per line, keys sorted, without the row number: stored content hashes depend on this exact text", () => {
    expect(joined([trade(1), trade(2, { rowNumber: 9 })])).toBe(
      '{"accountNumber":"1000000001","amount":"1.25","buyCurrency":"USD","clientId":"C-1","clientName":"Client \\"1\\"","direction":"BUY","reference":"REF-1","sellCurrency":"ZAR","valueDate":null}\n' +
        '{"accountNumber":"1000000002","amount":"2.25","buyCurrency":"USD","clientId":"C-2","clientName":null,"direction":"BUY","reference":"REF-2","sellCurrency":"ZAR","valueDate":null}',
    );
  });

  it("splits the text into parts of about the length asked, whose concatenation is the whole text", () => {
    const rows = Array.from({ length: 1_000 }, (_, i) => trade(i + 1));
    // the text as one string, the way it was built before it came in parts
    const whole = rows.map(({ rowNumber: _, ...rest }) => JSON.stringify(rest, Object.keys(rest).sort())).join("\n");
    const parts = [...canonicalTradesTextParts(rows, 1_000)];
    expect(parts.length).toBeGreaterThan(100);
    expect(parts.join("")).toBe(whole);
    // each part but the last reaches the length asked by less than one line
    for (const part of parts.slice(0, -1)) {
      expect(part.length).toBeGreaterThanOrEqual(1_000);
      expect(part.length).toBeLessThan(1_000 + 250);
    }
    expect(joined(rows)).toBe(whole);
    expect([...canonicalTradesTextParts(rows)].length).toBe(Math.ceil(whole.length / CANONICAL_TEXT_PART_LENGTH));
  });

  it("gives no part for no trades, and one part for one trade", () => {
    expect([...canonicalTradesTextParts([])]).toEqual([]);
    expect([...canonicalTradesTextParts([trade(3)])]).toHaveLength(1);
  });
});
