import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvNumber, toCsvCell, toCsvLine } from "../src/csv-export";

describe("toCsvCell", () => {
  it("writes plain text as is and null or empty as an empty cell", () => {
    expect(toCsvCell("Acme Imports (Pty) Ltd")).toBe("Acme Imports (Pty) Ltd");
    expect(toCsvCell(null)).toBe("");
    expect(toCsvCell("")).toBe("");
  });

  it("quotes per RFC 4180 when a value has a comma, a quote or a line break", () => {
    expect(toCsvCell("Cape Fruit Co, Ltd")).toBe('"Cape Fruit Co, Ltd"');
    expect(toCsvCell('Bob "the" Builder')).toBe('"Bob ""the"" Builder"');
    expect(toCsvCell("line one\nline two")).toBe('"line one\nline two"');
    expect(toCsvCell("a\r\nb")).toBe('"a\r\nb"');
  });

  it.each([
    ["=1+1", "'=1+1"],
    ["+27 82 555 0100", "'+27 82 555 0100"],
    ["-5", "'-5"],
    ["@SUM(A1:A9)", "'@SUM(A1:A9)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", '"\'\rcmd"'],
    ['=HYPERLINK("http://evil","click")', '"\'=HYPERLINK(""http://evil"",""click"")"'],
    ["=A1,B1", '"\'=A1,B1"'],
  ])("neutralises the formula-like text %j", (value, expected) => {
    expect(toCsvCell(value)).toBe(expected);
  });

  it("leaves text that merely contains those characters alone", () => {
    expect(toCsvCell("INV-2026-0001")).toBe("INV-2026-0001");
    expect(toCsvCell("a=b")).toBe("a=b");
    expect(toCsvCell("mail@example.com")).toBe("mail@example.com");
    expect(toCsvCell(" =1")).toBe(" =1");
  });
});

describe("toCsvLine", () => {
  it("joins text and numeric cells; numeric cells are never escaped", () => {
    expect(toCsvLine(["C-1", null, "=1+1", csvNumber("25000.00"), csvNumber("-5"), 12, -3])).toBe("C-1,,'=1+1,25000.00,-5,12,-3");
    expect(toCsvLine([])).toBe("");
  });

  it("only lets plain decimals through as numbers", () => {
    expect(() => csvNumber("=1+1")).toThrow(TypeError);
    expect(() => csvNumber("1e5")).toThrow(TypeError);
    expect(() => csvNumber("")).toThrow(TypeError);
    expect(() => toCsvLine([Number.NaN])).toThrow(TypeError);
    expect(() => toCsvLine([1e21])).toThrow(TypeError);
  });

  it("round-trips through an RFC 4180 parser", () => {
    const values = ["Cape Fruit Co, Ltd", 'say "hi"', "two\r\nlines", "plain", "=cmd", ""];
    const text = `${toCsvLine(values)}\r\n`;
    expect(parse(text)).toEqual([["Cape Fruit Co, Ltd", 'say "hi"', "two\r\nlines", "plain", "'=cmd", ""]]);
  });
});
