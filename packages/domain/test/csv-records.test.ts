import { describe, expect, it } from "vitest";
import { type ParseTradeCsvResult, parseTradeCsv } from "../src/csv";
import { TRADE_CSV_COLUMNS } from "../src/csv-schema";

// parseTradeCsv checks each record as the parser reads it, 64 KiB of the file at a time, and keeps none:
// these cases pin what that must not change — row numbers, order, limits and precedence.

const TODAY = "2026-03-02";
const HEADER = TRADE_CSV_COLUMNS.join(",");

/** Data line n (from 1) in HEADER's order, its reference unique; `cells` replaces some cells. */
function row(n: number, cells: Partial<Record<(typeof TRADE_CSV_COLUMNS)[number], string>> = {}): string {
  const all = {
    client_id: `C-${n}`,
    client_name: `Client ${n}`,
    account_number: String(1_000_000_000 + n),
    sell_currency: "ZAR",
    buy_currency: "USD",
    direction: n % 2 === 0 ? "SELL" : "BUY",
    amount: `${n}.25`,
    value_date: "",
    reference: `REF-${n}`,
    ...cells,
  };
  return TRADE_CSV_COLUMNS.map((column) => all[column]).join(",");
}

function file(count: number, change: (n: number) => string = (n) => row(n)): string {
  return [HEADER, ...Array.from({ length: count }, (_, i) => change(i + 1))].join("\n");
}

const parse = (text: string, maxRows?: number): ParseTradeCsvResult => parseTradeCsv(text, { today: TODAY, maxRows });

describe("a file checked record by record", () => {
  const COUNT = 20_000;
  // seconds on a loaded 2-core machine: more than the default 5 s
  const LARGE = 60_000;

  it(
    "keeps every row of a large valid file, in order, numbered from 1",
    () => {
      const result = parse(file(COUNT));
      if (!result.ok) throw new Error(JSON.stringify(result.errors.slice(0, 3)));
      expect(result.rows).toHaveLength(COUNT);
      expect(result.rows.map((trade) => trade.rowNumber)).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
      expect(result.rows[0]).toMatchObject({ clientId: "C-1", direction: "BUY", amount: "1.25", reference: "REF-1" });
      expect(result.rows[COUNT - 1]).toMatchObject({ clientId: `C-${COUNT}`, direction: "SELL", reference: `REF-${COUNT}` });
    },
    LARGE,
  );

  it(
    "finds a problem on the first and on the last row of a large file",
    () => {
      const text = file(COUNT, (n) => (n === 1 || n === COUNT ? row(n, { amount: "1.234" }) : row(n)));
      const result = parse(text);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.errors.map(({ row: at, field }) => [at, field])).toEqual([
        [1, "amount"],
        [COUNT, "amount"],
      ]);
    },
    LARGE,
  );

  it(
    "reads a quoted line break and a two-byte character wherever the parser's 64 KiB pieces cut them",
    () => {
      const name = 'Caf\u00e9 "Nord"\r\nSecond line';
      const quoted = `"${name.replaceAll('"', '""')}"`;
      // rows 1 to `count` before a row whose client name pads the file so that the quoted cell, in
      // the row after it, opens 8 bytes before the first piece's end; then one byte further each time
      const firstOpensAt = 64 * 1024 - 8;
      const lineBytes = [HEADER, ...Array.from({ length: 2_000 }, (_, i) => row(i + 1))].map((line) => Buffer.byteLength(`${line}\n`));
      let count = 0;
      let bytes = lineBytes[0]!;
      const paddingAfter = (rows: number, before: number) =>
        firstOpensAt - before - Buffer.byteLength(`${row(rows + 1, { client_name: "" })}\nC-${rows + 2},`);
      while (paddingAfter(count + 1, bytes + lineBytes[count + 1]!) >= 1) bytes += lineBytes[++count]!;
      const padding = paddingAfter(count, bytes);
      for (let shift = 0; shift < 16; shift++) {
        const text =
          `${file(count)}\n${row(count + 1, { client_name: "y".repeat(padding + shift) })}\n` +
          `${row(count + 2, { client_name: quoted })}\n${row(count + 3)}`;
        expect(Buffer.byteLength(text.slice(0, text.indexOf('"Caf')))).toBe(firstOpensAt + shift);
        const result = parse(text);
        if (!result.ok) throw new Error(`shift ${shift}: ${JSON.stringify(result.errors)}`);
        expect(result.rows).toHaveLength(count + 3);
        expect(result.rows[count + 1]).toMatchObject({ rowNumber: count + 2, clientName: name });
        expect(result.rows[count + 2]).toMatchObject({ rowNumber: count + 3, clientId: `C-${count + 3}` });
      }
    },
    LARGE,
  );

  it("puts each unpaired surrogate back into its own row and column, in file order", () => {
    const text = file(6, (n) => (n === 2 ? row(n, { client_name: "A\uD800" }) : n === 5 ? row(n, { reference: "B\uDC01" }) : row(n)));
    const result = parse(text);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.map(({ row: at, field, message }) => [at, field, /U\+([0-9A-F]{4})/.exec(message)?.[1]])).toEqual([
      [2, "client_name", "D800"],
      [5, "reference", "DC01"],
    ]);
  });

  it("answers a file over the row limit with that alone, whatever its header and rows", () => {
    const tooLong = "The file has more than 3 data rows, the limit per file; split it into several files";
    expect(
      parse(
        file(4, (n) => row(n, { amount: "x" })),
        3,
      ),
    ).toEqual({ ok: false, errors: [{ row: null, field: null, message: tooLong }] });
    const badHeader = file(4).replace("client_id", "client");
    expect(parse(badHeader, 3)).toEqual({ ok: false, errors: [{ row: null, field: null, message: tooLong }] });
  });

  it("answers a bad header with the header's problems only, not its rows'", () => {
    const result = parse(file(3, (n) => row(n, { amount: "x" })).replace("client_id", "client"));
    if (result.ok) throw new Error("expected errors");
    expect(result.errors.every(({ row: at }) => at === 0)).toBe(true);
  });

  it("answers broken quoting with that alone, even after rows with problems", () => {
    const text = `${file(3, (n) => row(n, { amount: "x" }))}\n${row(4, { client_name: '"never closed' })}`;
    const result = parse(text);
    if (result.ok) throw new Error("expected errors");
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ row: 4, field: null });
    expect(result.errors[0]!.message).toMatch(/never closed/);
  });

  it("refuses a file ending inside quotes however many rows come before, never dropping the last row", () => {
    // csv-parse holds back its write callback while 16 or more records wait to be read, so the
    // end-of-file check (an open quote) runs while they are read: in one-piece files, and in the
    // last piece of larger ones, holding 16 rows or more
    for (const count of [3, 16, 200, 1_500]) {
      const text = `${file(count)}\n${row(count + 1, { client_name: '"never closed' })}`;
      const result = parse(text);
      if (result.ok) throw new Error(`${count} rows before: the file was accepted with ${result.rows.length} rows`);
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ row: count + 1, field: null });
      expect(result.errors[0]!.message).toMatch(/never closed/);
    }
    expect(Buffer.byteLength(file(1_500)) > 64 * 1024).toBe(true);
  });
});
