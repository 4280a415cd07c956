import { describe, expect, it } from "vitest";
import {
  namePatternProblem,
  parseTradeCsv,
  patternNamesLengthProblem,
  renderNamePattern,
  rollValueDate,
  rollValueDates,
  rollWithCalendar,
  type TemplateRow,
  templateNameProblem,
  templateRowsCsv,
} from "../src";

const row = (fields: Partial<TemplateRow> = {}): TemplateRow => ({
  clientId: "C-1",
  clientName: "Acme",
  accountNumber: "1234567890",
  sellCurrency: "ZAR",
  buyCurrency: "USD",
  direction: "BUY",
  amount: "1000.50",
  valueDate: null,
  reference: "REF-1",
  ...fields,
});

describe("template names", () => {
  it("are required, storable and at most 100 characters", () => {
    expect(templateNameProblem("Month end")).toBeNull();
    expect(templateNameProblem("  ")).toBe("name is required");
    expect(templateNameProblem("x".repeat(101))).toBe("name must be at most 100 characters, got 101");
    expect(templateNameProblem(`  ${"x".repeat(100)}  `)).toBeNull();
    expect(templateNameProblem("a\u0000b")).toMatch(/^name contains a NUL character/);
    // characters, as a CSV cell's length: an emoji is one (two UTF-16 units)
    expect(templateNameProblem("😀".repeat(100))).toBeNull();
    expect(templateNameProblem("😀".repeat(101))).toBe("name must be at most 100 characters, got 101");
  });
});

describe("name patterns", () => {
  const now = new Date("2026-11-28T09:05:59.000Z");

  it("render each placeholder, literal braces and plain text", () => {
    expect(renderNamePattern("EUR payroll {date} {time} #{n} ({template}) {{x}}", { now, n: 3, template: "Payroll" })).toBe(
      "EUR payroll 2026-11-28 09:05 #3 (Payroll) {x}",
    );
    expect(renderNamePattern("{n}{n}", { now, n: 12, template: "T" })).toBe("1212");
  });

  it("without a pattern, name the batch after the template", () => {
    expect(renderNamePattern(null, { now, n: 1, template: "Month end" })).toBe("Month end");
  });

  it("refuse unknown placeholders, stray braces, blank and over-long patterns, naming where", () => {
    expect(namePatternProblem("Run {date} #{n}")).toBeNull();
    expect(namePatternProblem("Run {Date}")).toBe(
      "namePattern has an unknown placeholder {Date} at character 5; placeholders are {date}, {time}, {n}, {template}; write {{ and }} for a literal brace",
    );
    expect(namePatternProblem("{}")).toMatch(/^namePattern has an unknown placeholder \{\} at character 1/);
    expect(namePatternProblem("ab {date")).toMatch(/^namePattern has a '\{' that is never closed at character 4/);
    expect(namePatternProblem("ab }")).toMatch(/^namePattern has a '\}' with no '\{' at character 4/);
    expect(namePatternProblem("")).toMatch(/^namePattern must not be blank/);
    expect(namePatternProblem("x".repeat(201))).toBe("namePattern must be at most 200 characters, got 201");
    expect(namePatternProblem("😀".repeat(200))).toBeNull();
    expect(namePatternProblem("😀".repeat(201))).toBe("namePattern must be at most 200 characters, got 201");
    expect(() => renderNamePattern("{nope}", { now, n: 1, template: "T" })).toThrow(RangeError);
  });
});

describe("the length of the names a pattern gives", () => {
  it("counts each placeholder at its longest and characters as people do, against a batch name's 200", () => {
    expect(patternNamesLengthProblem(null, "x".repeat(100))).toBeNull();
    // {date} 10 + " " + {time} 5 + " #" + {n} 9 + " " + the name 100 = 128.
    expect(patternNamesLengthProblem("{date} {time} #{n} {template}", "x".repeat(100))).toBeNull();
    // 95 emoji are 95 characters (190 UTF-16 units): 95 + 95 + 9 + 1 = 200.
    expect(patternNamesLengthProblem("{template}{template}{n} ", "😀".repeat(95))).toBeNull();
    expect(patternNamesLengthProblem("{template}{template}{n}  ", "😀".repeat(95))).toMatch(
      /^namePattern gives names of up to 201 characters/,
    );
    // A pattern it cannot read is namePatternProblem's to report.
    expect(patternNamesLengthProblem("{nope}", "x")).toBeNull();
  });
});

describe("rolling a template's value dates", () => {
  // A made-up calendar: the 10th of any month is a holiday for ZAR; weekends are never good.
  const weekend = (date: string) => [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
  const isGoodValueDate = (date: string, currencies: readonly string[]) =>
    !weekend(date) && !(currencies.includes("ZAR") && date.endsWith("-10"));
  const nextGoodValueDate = (date: string, currencies: readonly string[]) => {
    let next = date;
    do next = new Date(Date.parse(`${next}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    while (!isGoodValueDate(next, currencies));
    return next;
  };
  const roll = rollWithCalendar({ isGoodValueDate, nextGoodValueDate });
  const today = "2026-11-27"; // a Friday

  it("keeps a good future date and today, moves a weekend or holiday to the next good one, a past date to today or after", () => {
    expect(roll("2026-12-01", ["ZAR", "USD"], today)).toBe("2026-12-01");
    expect(roll(today, ["ZAR", "USD"], today)).toBe(today);
    expect(roll("2026-11-28", ["ZAR", "USD"], today)).toBe("2026-11-30");
    expect(roll("2026-12-10", ["ZAR", "USD"], today)).toBe("2026-12-11");
    expect(roll("2026-12-10", ["EUR", "USD"], today)).toBe("2026-12-10");
    expect(roll("2026-10-01", ["EUR", "USD"], today)).toBe(today);
    expect(roll("2026-10-01", ["EUR", "USD"], "2026-11-28")).toBe("2026-11-30");
  });

  it("rolls each row with its pair, leaves spot rows spot, and counts the dates moved", () => {
    const rows = [
      row({ valueDate: "2026-11-28" }),
      row({ valueDate: null }),
      row({ valueDate: "2026-12-02" }),
      row({ valueDate: "2026-01-05" }),
    ];
    const rolled = rollValueDates(rows, today, roll);
    expect(rolled.rows.map((r) => r.valueDate)).toEqual(["2026-11-30", null, "2026-12-02", today]);
    expect(rolled.rolled).toBe(2);
    expect(rows[0]!.valueDate).toBe("2026-11-28");
  });
});

describe("rolling with the product's calendar", () => {
  it("moves Christmas past the English Boxing Day substitute for GBP, keeps today and a good date", () => {
    expect(rollValueDate("2026-12-25", ["GBP", "USD"], "2026-12-01")).toBe("2026-12-29");
    expect(rollValueDate("2026-11-02", ["EUR", "USD"], "2026-12-24")).toBe("2026-12-24");
    expect(rollValueDate("2026-12-24", ["EUR", "USD"], "2026-12-24")).toBe("2026-12-24");
    expect(rollValueDate("2026-12-25", ["EUR", "USD"], "2026-12-24")).toBe("2026-12-28");
  });
});

describe("a template's rows as an upload file", () => {
  it("parse back to the same instructions exactly, formula-like text and large amounts included", () => {
    const rows = [
      row({ clientName: '=SUM(A1), "quoted"', amount: "98765432109.99", valueDate: "2026-12-01" }),
      row({ clientId: "C-2", clientName: null, sellCurrency: "USD", buyCurrency: "JPY", amount: "123456789", reference: null }),
      row({ clientId: "C-3", direction: "SELL", sellCurrency: "EUR", buyCurrency: "GBP", amount: "0.01", reference: "-minus" }),
    ];
    const csv = templateRowsCsv(rows);
    expect(csv.split("\r\n")[0]).toBe(
      "client_id,client_name,account_number,sell_currency,buy_currency,direction,amount,value_date,reference",
    );
    const parsed = parseTradeCsv(csv, { today: "2026-11-27" });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.rows.map(({ rowNumber: _, ...instruction }) => instruction)).toEqual(rows);
  });
});
