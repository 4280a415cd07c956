import { describe, expect, it } from "vitest";
import { parseTradeCsv, type RowError } from "../src/csv";
import { csvNumber, fromCsvCell, toCsvCell, toCsvLine } from "../src/csv-export";
import { IGNORED_TRADE_CSV_COLUMNS, TRADE_CSV_COLUMNS } from "../src/csv-schema";

const TODAY = "2026-03-02";

function parse(lines: string[]) {
  return parseTradeCsv(`${lines.join("\r\n")}\r\n`, { today: TODAY });
}

function errorsOf(result: ReturnType<typeof parse>): RowError[] {
  if (result.ok) throw new Error("expected the file to be refused");
  return result.errors;
}

describe("the exports' own columns on staging", () => {
  it("stages the failures export as it is: upload columns, then error_code and error_message, which are not read", () => {
    const result = parse([
      [...TRADE_CSV_COLUMNS, "error_code", "error_message"].join(","),
      `C-1,Acme,1234567890,ZAR,USD,BUY,100.00,,R-1,INVALID_ACCOUNT,"Account 1234567890 is closed, use another"`,
    ]);
    expect(result).toEqual({
      ok: true,
      rows: [
        {
          rowNumber: 1,
          clientId: "C-1",
          clientName: "Acme",
          accountNumber: "1234567890",
          sellCurrency: "ZAR",
          buyCurrency: "USD",
          direction: "BUY",
          amount: "100.00",
          valueDate: null,
          reference: "R-1",
        },
      ],
    });
  });

  it("stages the full results export, whose extra columns come first and last, in any case", () => {
    const header = ["Row", ...TRADE_CSV_COLUMNS, ...IGNORED_TRADE_CSV_COLUMNS.slice(1).map((column) => column.toUpperCase())];
    const result = parse([
      header.join(","),
      `7,C-2,,2345678901,USD,ZAR,SELL,300,,R-2,FAILED,q-1,18.25,,BOOKING_REJECTED,refused,2,2026-03-01T10:00:00.000Z`,
    ]);
    expect(result.ok).toBe(true);
    // The row number is the new file's own, not the exported "row" cell.
    expect(result.ok && result.rows).toMatchObject([{ rowNumber: 1, clientId: "C-2", clientName: null, amount: "300.00" }]);
  });

  it("still checks the row's cell count against the whole header, ignored columns included", () => {
    expect(errorsOf(parse([[...TRADE_CSV_COLUMNS, "error_code"].join(","), "C-1,Acme,1234567890,ZAR,USD,BUY,100.00,,R-1"]))).toEqual([
      expect.objectContaining({
        row: 1,
        field: null,
        message: expect.stringMatching(/^The row has 9 cells but the header has 10 columns/),
      }),
    ]);
  });

  it("keeps a truly unknown column an error, naming the accepted ones and suggesting the closest", () => {
    const errors = errorsOf(
      parse([[...TRADE_CSV_COLUMNS, "error_cod", "notes"].join(","), "C-1,Acme,1234567890,ZAR,USD,BUY,100.00,,R-1,X,Y"]),
    );
    expect(errors.map((error) => [error.row, error.field])).toEqual([
      [0, "error_cod"],
      [0, "notes"],
    ]);
    expect(errors[0]!.message).toMatch(
      /^Unknown column "error_cod" \(column 10\); the columns are client_id, .*reference, and the exports' own columns \(row, status, .*updated_at\), which staging ignores \(did you mean "error_code"\?\)$/,
    );
    expect(errors[1]!.message).not.toContain("did you mean");
  });

  it("does not let ignored columns stand in for the upload's: a required column missing is still named", () => {
    expect(errorsOf(parse(["error_code,error_message,client_id", "X,Y,C-1"])).map((error) => error.field)).toEqual([
      "account_number",
      "sell_currency",
      "buy_currency",
      "direction",
      "amount",
    ]);
  });

  it("has no name in both lists", () => {
    const upload: readonly string[] = TRADE_CSV_COLUMNS;
    expect(IGNORED_TRADE_CSV_COLUMNS.filter((column) => upload.includes(column))).toEqual([]);
  });
});

describe("a formula-escaped cell staged again", () => {
  it("is read as it was before the export escaped it, so the round trip changes no client id, name or reference", () => {
    const exported = [
      TRADE_CSV_COLUMNS.map((column) => toCsvCell(column)).join(","),
      toCsvLine(["-C1", '=HYPERLINK("x")', "1234567890", "ZAR", "USD", "BUY", csvNumber("100.00"), null, "+R1"]),
      toCsvLine(["@C2", "\tTabbed", "1234567890", "ZAR", "USD", "BUY", csvNumber("200"), null, "'quoted"]),
    ];
    // The export escaped them: the file holds the quote.
    expect(exported[1]).toBe(`'-C1,"'=HYPERLINK(""x"")",1234567890,ZAR,USD,BUY,100.00,,'+R1`);
    const result = parse(exported);
    expect(result.ok && result.rows.map(({ clientId, clientName, reference }) => [clientId, clientName, reference])).toEqual([
      ["-C1", '=HYPERLINK("x")', "+R1"],
      // A quote before anything else is the value's own, and stays.
      ["@C2", "\tTabbed", "'quoted"],
    ]);
  });

  it("fromCsvCell undoes exactly toCsvCell's escape", () => {
    // Values that begin with quotes before a formula start too: "'=x" came back as "=x" before.
    for (const value of ["=1+1", "+44", "-5", "@x", "\tt", "\rr", "'=already quoted", "''+x", "'plain", "''", "plain", "", "'"]) {
      expect(
        fromCsvCell(
          toCsvCell(value)
            .replace(/^"(.*)"$/s, "$1")
            .replace(/""/g, '"'),
        ),
      ).toBe(value);
    }
    // A file written by hand keeps its meaning: one quote before a formula start says "text".
    expect(fromCsvCell("'=SUM(A1)")).toBe("=SUM(A1)");
    expect(fromCsvCell("'plain")).toBe("'plain");
  });
});
