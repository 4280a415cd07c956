import { Decimal } from "decimal.js";
import { describe, expect, it } from "vitest";
import { minorUnits } from "../src/currencies";
import {
  amountFormatError,
  divideToMinorUnits,
  ExactDecimal,
  multiplyToMinorUnits,
  normalizeAmount,
  parseAmount,
  quoteValue,
  roundToMinorUnits,
  sumAmounts,
  sumDecimals,
} from "../src/money";

describe("parseAmount", () => {
  it.each([
    ["25000.00", "USD", "25000.00"],
    ["120000", "USD", "120000.00"],
    ["18000.5", "EUR", "18000.50"],
    ["0007.5", "EUR", "7.50"],
    ["00.10", "USD", "0.10"],
    ["0.01", "USD", "0.01"],
    ["1500000", "JPY", "1500000"],
    ["0001500000", "JPY", "1500000"],
    ["1.234", "KWD", "1.234"],
    ["1.2", "kwd", "1.200"],
    ["1000000000000", "USD", "1000000000000.00"],
    ["1000000000000.00", "USD", "1000000000000.00"],
    ["999999999999.999", "KWD", "999999999999.999"],
  ])("accepts %s %s as %s", (text, currency, expected) => {
    expect(parseAmount(text, currency)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ["", "USD", "amount is required"],
    ["-5", "USD", 'amount must be a positive number written without a sign (+ or -), got "-5"'],
    ["+5", "USD", 'amount must be a positive number written without a sign (+ or -), got "+5"'],
    ["1e5", "USD", 'amount must be written in plain notation such as 1500000, not in exponent notation, got "1e5"'],
    ["1.5E+3", "USD", 'amount must be written in plain notation such as 1500000, not in exponent notation, got "1.5E+3"'],
    [
      "1,000.00",
      "USD",
      'amount must be written without thousands separators and with "." as the decimal point (e.g. 1234567.89), got "1,000.00"',
    ],
    [
      "1 000",
      "USD",
      'amount must be written without thousands separators and with "." as the decimal point (e.g. 1234567.89), got "1 000"',
    ],
    [
      "1.000,50",
      "EUR",
      'amount must be written without thousands separators and with "." as the decimal point (e.g. 1234567.89), got "1.000,50"',
    ],
    ["12,5", "EUR", 'amount must be written without thousands separators and with "." as the decimal point (e.g. 1234567.89), got "12,5"'],
    ["$100", "USD", 'amount must contain only digits and an optional decimal point, without a currency symbol or code, got "$100"'],
    ["100 USD", "USD", 'amount must contain only digits and an optional decimal point, without a currency symbol or code, got "100 USD"'],
    ["R100", "ZAR", 'amount must contain only digits and an optional decimal point, without a currency symbol or code, got "R100"'],
    ["€5", "EUR", 'amount must contain only digits and an optional decimal point, without a currency symbol or code, got "€5"'],
    [" 100", "USD", 'amount must not contain spaces, got " 100"'],
    ["   ", "USD", "amount is required (the cell contains only spaces)"],
    [".5", "USD", 'amount must have digits on both sides of the decimal point (e.g. 0.50 or 5), got ".5"'],
    ["5.", "USD", 'amount must have digits on both sides of the decimal point (e.g. 0.50 or 5), got "5."'],
    ["1..2", "USD", 'amount must be a plain decimal number such as 1234.56 (digits, optionally a "." and more digits), got "1..2"'],
    ["0", "USD", 'amount must be greater than 0, got "0"'],
    ["0.00", "USD", 'amount must be greater than 0, got "0.00"'],
    ["1000000000000.01", "USD", 'amount must be at most 1000000000000 (one trillion), got "1000000000000.01"'],
    ["1000000000001", "USD", 'amount must be at most 1000000000000 (one trillion), got "1000000000001"'],
    ["99999999999999", "JPY", 'amount must be at most 1000000000000 (one trillion), got "99999999999999"'],
    ["10.123", "USD", 'amount must have at most 2 decimal places for USD, got "10.123"'],
    ["10.5", "JPY", 'amount must have at most 0 decimal places for JPY, got "10.5"'],
    ["100.00", "JPY", 'amount must have at most 0 decimal places for JPY, got "100.00"'],
    ["1.2345", "KWD", 'amount must have at most 3 decimal places for KWD, got "1.2345"'],
  ])("refuses %j %s", (text, currency, message) => {
    expect(parseAmount(text, currency)).toEqual({ ok: false, message });
  });

  it("keeps leading zeros from fooling the size check", () => {
    expect(amountFormatError("0001000000000000")).toBeNull();
    expect(amountFormatError("0001000000000000.5")).toMatch(/at most 1000000000000/);
  });

  it("cuts very long values short in messages", () => {
    const result = parseAmount("x".repeat(5000), "USD");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(200);
  });

  it("never cuts a character in two when it cuts a value short", () => {
    // "1" and 19.5 emoji make 40 UTF-16 units: cut there, the 20th emoji lost its second half and showed as "\ud83d"
    const result = parseAmount(`1${"😀".repeat(30)}`, "USD");
    expect(result).toEqual({
      ok: false,
      message: `amount must be a plain decimal number such as 1234.56 (digits, optionally a "." and more digits), got "1${"😀".repeat(19)}…"`,
    });
    expect(quoteValue("😀".repeat(30), 5)).toBe(`"😀😀…"`);
  });

  it("normalizeAmount refuses what it would have to round or cannot read", () => {
    expect(() => normalizeAmount("1.005", "USD")).toThrow(RangeError);
    expect(() => normalizeAmount("1e3", "USD")).toThrow(TypeError);
    expect(() => normalizeAmount("12", "XAU")).toThrow(RangeError);
  });
});

describe("arithmetic", () => {
  it("sums exactly, where floats would not", () => {
    expect(sumDecimals(["0.1", "0.2"])).toBe("0.3");
    expect(sumDecimals([])).toBe("0");
    expect(sumDecimals(["1000000000000.00", "1000000000000.00", "0.01"])).toBe("2000000000000.01");
    expect(sumDecimals(Array.from({ length: 100_000 }, () => "999999999999.999"))).toBe("99999999999999900");
    expect(sumDecimals(["-5", "2.50"])).toBe("-2.5");
    expect(sumAmounts(["25000.00", "18000.5", "0.01"], "USD")).toBe("43000.51");
    expect(sumAmounts(["1500000", "1"], "JPY")).toBe("1500001");
    expect(sumAmounts([], "KWD")).toBe("0.000");
  });

  it("multiplies and rounds half-up to the result currency's minor units", () => {
    expect(multiplyToMinorUnits("1000.00", "18.12345", "ZAR")).toBe("18123.45");
    expect(multiplyToMinorUnits("1.15", "100", "USD")).toBe("115.00"); // 1.15 * 100 = 114.99999999999999 in floats
    expect(multiplyToMinorUnits("1", "0.125", "USD")).toBe("0.13"); // tie → up
    expect(multiplyToMinorUnits("1", "0.124999", "USD")).toBe("0.12");
    expect(multiplyToMinorUnits("100", "1.005", "JPY")).toBe("101"); // 100.5 → 101
    expect(multiplyToMinorUnits("1000000000000", "0.0000000001", "KWD")).toBe("100.000");
    expect(multiplyToMinorUnits("1000000000000.00", "99999.9999999999", "USD")).toBe("99999999999999900.00");
  });

  it("divides and rounds half-up", () => {
    expect(divideToMinorUnits("18123.45", "18.12345", "USD")).toBe("1000.00");
    expect(divideToMinorUnits("10", "3", "USD")).toBe("3.33");
    expect(divideToMinorUnits("20", "3", "USD")).toBe("6.67");
    expect(divideToMinorUnits("1", "8", "USD")).toBe("0.13"); // 0.125 exactly → up
    expect(divideToMinorUnits("1", "3", "JPY")).toBe("0");
  });

  it("rounds half-up (away from zero) to minor units", () => {
    expect(roundToMinorUnits("1.005", "USD")).toBe("1.01"); // (1.005).toFixed(2) === "1.00" in floats
    expect(roundToMinorUnits("2.345", "USD")).toBe("2.35");
    expect(roundToMinorUnits("-2.345", "USD")).toBe("-2.35");
    expect(roundToMinorUnits("2.3449", "USD")).toBe("2.34");
    expect(roundToMinorUnits("0.5", "JPY")).toBe("1");
    expect(roundToMinorUnits("7", "KWD")).toBe("7.000");
  });

  it("writes a value with nothing to round exactly as rounding through Decimal does", () => {
    const values = ["0", "-0", "7", "-7", "10", "0.5", "0.50", "-0.05", "100.1", "100.10", "123456789012345678901234.5"];
    const unusual = ["007.5", "00", "-00.10", "1.000", "1.005", "+1", "1.", ".5", "1e3", " 1", ""];
    for (const value of [...values, ...unusual]) {
      for (const currency of ["JPY", "USD", "KWD"]) {
        let expected: string;
        try {
          expected = new ExactDecimal(value).toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP).toFixed(minorUnits(currency));
        } catch {
          expected = "throws";
        }
        if (!/^-?\d+(\.\d+)?$/.test(value)) expected = "throws";
        let got: string;
        try {
          got = roundToMinorUnits(value, currency);
        } catch {
          got = "throws";
        }
        expect(`${value} ${currency}: ${got}`).toBe(`${value} ${currency}: ${expected}`);
      }
    }
  });

  it("refuses anything that is not a plain decimal string, and non-positive rates", () => {
    expect(() => sumDecimals(["1e5"])).toThrow(TypeError);
    expect(() => sumDecimals(["Infinity"])).toThrow(TypeError);
    expect(() => sumDecimals(["0x10"])).toThrow(TypeError);
    expect(() => multiplyToMinorUnits("1", "NaN", "USD")).toThrow(TypeError);
    expect(() => multiplyToMinorUnits("1", "0", "USD")).toThrow(RangeError);
    expect(() => divideToMinorUnits("1", "-2", "USD")).toThrow(RangeError);
    expect(() => multiplyToMinorUnits("1", "2", "XXX")).toThrow(RangeError);
  });
});

describe("ExactDecimal", () => {
  it("keeps 80 significant digits and truncates only what goes beyond them", () => {
    expect(new ExactDecimal(2).div(3).toFixed()).toBe(`0.${"6".repeat(80)}`);
    expect(new ExactDecimal(-2).div(3).toFixed()).toBe(`-0.${"6".repeat(80)}`);
    // Sums and products of amounts and rates are exact.
    expect(new ExactDecimal("1000000000000.999").times("12345678901234567890").toFixed()).toBe("12345678901246901223222333333322.11");
  });

  it("prints plain notation and leaves decimal.js's global configuration alone", () => {
    expect(new ExactDecimal("0.0000000000000000000001").toString()).toBe("0.0000000000000000000001");
    expect(new ExactDecimal("1e30").toString()).toBe(`1${"0".repeat(30)}`);
    expect(Decimal.precision).toBe(20);
    expect(Decimal.rounding).toBe(Decimal.ROUND_HALF_UP);
  });
});
