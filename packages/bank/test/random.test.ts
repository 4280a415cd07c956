import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashUnit } from "../src/random";

describe("hashUnit", () => {
  it("is the first 48 bits of SHA-256 of seed, operation and identity joined by NULs: a seed decides the same outcomes in every release", () => {
    expect(hashUnit("seed", "quote", "abc:1")).toBe(167_956_838_681_230 / 2 ** 48);
    for (const [seed, operation, identity] of [
      ["é", "book", "ü\u0000x"],
      ["", "", ""],
      ["s".repeat(300), "quote", "1f0e-…"],
    ] as const) {
      const digest = createHash("sha256").update(`${seed}\u0000${operation}\u0000${identity}`).digest();
      expect(hashUnit(seed, operation, identity)).toBe(digest.readUIntBE(0, 6) / 2 ** 48);
    }
  });
});
