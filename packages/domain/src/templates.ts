import { csvNumber, toCsvLine } from "./csv-export";
import { TRADE_CSV_COLUMNS } from "./csv-schema";
import { isGoodValueDate, nextGoodValueDate } from "./value-date-calendar";
import type { TradeInstruction } from "./views";

export * from "./template-names";

/**
 * Batch templates: a batch's settings (a name pattern, a priority) and optionally its trades'
 * instructions, saved under a name to stage new batches from. Pure: the caller passes today's date
 * and the value-date calendar.
 */

/** What a stored template row is: one trade's instruction as staging validated it (amounts exact decimal strings). */
export type TemplateRow = TradeInstruction;

/** The good value date a template's value date becomes for a trade in these currencies, staged `today`. */
export type NextGoodValueDate = (date: string, currencies: readonly string[], today: string) => string;

/** The value-date calendar's two questions (packages/domain/src/value-date-calendar.ts answers them). */
export interface ValueDateCalendar {
  isGoodValueDate: (date: string, currencies: readonly string[]) => boolean;
  nextGoodValueDate: (date: string, currencies: readonly string[], after?: string) => string;
}

/**
 * The roll of a template's value date with this calendar: a date that has passed counts from today
 * (staging accepts today); a good date stays, any other moves to the next good one.
 */
export function rollWithCalendar(calendar: ValueDateCalendar): NextGoodValueDate {
  return (date, currencies, today) => {
    // YYYY-MM-DD strings order as the dates they name: a date that has passed counts from today.
    const from = [date, today].sort()[1]!;
    return calendar.isGoodValueDate(from, currencies) ? from : calendar.nextGoodValueDate(from, currencies, today);
  };
}

/** The roll staging from a template uses: the product's value-date calendar (date-holidays, TARGET2 for EUR). */
export const rollValueDate: NextGoodValueDate = rollWithCalendar({ isGoodValueDate, nextGoodValueDate });

/** A template's rows as they will be staged today, and how many value dates moved. */
export interface RolledRows {
  rows: TemplateRow[];
  rolled: number;
}

/**
 * Moves each value date that has passed, or that is not a good value date for its pair, forward to
 * the next good one (`nextGood` decides); a spot trade (no value date) stays spot, a good future
 * date stays as it is.
 */
export function rollValueDates(rows: readonly TemplateRow[], today: string, nextGood: NextGoodValueDate = rollValueDate): RolledRows {
  let rolled = 0;
  const out = rows.map((row) => {
    if (row.valueDate === null) return row;
    const valueDate = nextGood(row.valueDate, [row.sellCurrency, row.buyCurrency], today);
    if (valueDate === row.valueDate) return row;
    rolled++;
    return { ...row, valueDate };
  });
  return { rows: out, rolled };
}

const FIELD_OF_COLUMN: Record<(typeof TRADE_CSV_COLUMNS)[number], keyof TemplateRow> = {
  client_id: "clientId",
  client_name: "clientName",
  account_number: "accountNumber",
  sell_currency: "sellCurrency",
  buy_currency: "buyCurrency",
  direction: "direction",
  amount: "amount",
  value_date: "valueDate",
  reference: "reference",
};

/**
 * A template's rows as an upload file (the documented columns in their order), so staging from a
 * template goes through exactly the validation and staging of an uploaded CSV. Text cells are written
 * as the exports write them (formula-escaped), which staging reads back unchanged; amounts exactly.
 */
export function templateRowsCsv(rows: readonly TemplateRow[]): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (const row of rows) {
    lines.push(
      toCsvLine(
        TRADE_CSV_COLUMNS.map((column) => {
          const value = row[FIELD_OF_COLUMN[column]];
          return column === "amount" ? csvNumber(value as string) : (value as string | null);
        }),
      ),
    );
  }
  return lines.join("\r\n");
}
