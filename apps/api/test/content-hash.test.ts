import type { ValidTradeRow } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import { tradesContentHash } from "../src/services/content-hash";

// Duplicate-file detection compares this hash with the hashes stored for batches staged before
// any change to it: the digest below is the one the whole-text hash (before 6ad547b) gave.
const NAMES = ["Café Noir", "日本商事", "😀 Ltd", null];
const rows: ValidTradeRow[] = Array.from({ length: 800 }, (_, i) => ({
  rowNumber: i + 1,
  clientId: `C-${i + 1}`,
  clientName: NAMES[i % 4]!,
  accountNumber: String(1_000_000_000 + i),
  sellCurrency: "ZAR",
  buyCurrency: "USD",
  direction: i % 2 ? "SELL" : "BUY",
  amount: `${i + 1}.25`,
  valueDate: i % 5 === 0 ? "2030-01-02" : null,
  reference: `REF-${i + 1}`,
}));

describe("tradesContentHash", () => {
  it("gives the digest stored for the same trades before the text was hashed in parts (three parts, multi-byte names)", () => {
    expect(tradesContentHash(rows)).toBe("c6e60b8e88420db95ff37b2925b57dd881fa5fb0be6a4499df575976cf6ea16c");
  });

  it("gives the SHA-256 of the empty text for no trades, as before", () => {
    expect(tradesContentHash([])).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
});
