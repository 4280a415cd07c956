import { describe, expect, it } from "vitest";
import { ACTIVE_CURRENCIES, activeCurrencyCodes, isActiveCurrency, minorUnits } from "../src/currencies";

describe("active currencies", () => {
  it("knows the usual FX currencies, in any letter case", () => {
    for (const code of ["USD", "EUR", "GBP", "ZAR", "JPY", "CNY", "CHF", "KWD", "XAF", "XOF", "XPF", "XCD"]) {
      expect(isActiveCurrency(code), code).toBe(true);
    }
    expect(isActiveCurrency("usd")).toBe(true);
    expect(isActiveCurrency("Zar")).toBe(true);
  });

  it("leaves out metals, accounting units, test codes and fund codes", () => {
    for (const code of [
      "XAU",
      "XAG",
      "XPT",
      "XPD",
      "XBA",
      "XDR",
      "XSU",
      "XUA",
      "XTS",
      "XXX",
      "CLF",
      "USN",
      "BOV",
      "CHE",
      "CHW",
      "COU",
      "MXV",
      "UYI",
      "UYW",
    ]) {
      expect(isActiveCurrency(code), code).toBe(false);
    }
  });

  it("refuses unknown, withdrawn or malformed codes", () => {
    for (const code of ["XXY", "HRK", "DEM", "", "US", "USDD", " USD"]) expect(isActiveCurrency(code), code).toBe(false);
    // letters other than A to Z that upper-case into them (long s, dotless i) make no code
    for (const code of ["uſd", "ıdr", "ınr"]) {
      expect(isActiveCurrency(code), code).toBe(false);
      expect(() => minorUnits(code), code).toThrow(RangeError);
    }
  });

  it("follows the ISO 4217 amendments made after the currency-codes package's list (2024-06-25)", () => {
    // the Caribbean guilder replaced the Netherlands Antillean guilder on 2025-03-31
    expect(isActiveCurrency("XCG")).toBe(true);
    expect(minorUnits("xcg")).toBe(2);
    expect(isActiveCurrency("ANG")).toBe(false);
    // Bulgaria has paid in euro since 2026-01-01
    expect(isActiveCurrency("BGN")).toBe(false);
    expect(activeCurrencyCodes()).toContain("XCG");
    expect(activeCurrencyCodes()).not.toContain("BGN");
  });

  it("gives the minor-unit digits", () => {
    expect(minorUnits("USD")).toBe(2);
    expect(minorUnits("jpy")).toBe(0);
    expect(minorUnits("KRW")).toBe(0);
    expect(minorUnits("KWD")).toBe(3);
    expect(minorUnits("BHD")).toBe(3);
    expect(minorUnits("ZAR")).toBe(2);
    expect(() => minorUnits("XAU")).toThrow(RangeError);
    expect(() => minorUnits("XXY")).toThrow(/not an active ISO 4217 currency code/);
  });

  it("lists the codes sorted, all three upper-case letters with 0 to 3 digits", () => {
    const codes = activeCurrencyCodes();
    expect(codes).toEqual([...codes].sort());
    expect(codes.length).toBe(ACTIVE_CURRENCIES.size);
    expect(codes.length).toBeGreaterThan(150);
    for (const [code, digits] of ACTIVE_CURRENCIES) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3]).toContain(digits);
    }
  });
});
