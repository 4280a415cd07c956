import { mkdirSync, writeFileSync } from "node:fs";
import { TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { RESULTS_DIR } from "./servers";
/** CSV text for staging, and a reader for exported CSV. */

export const CSV_HEADER = TRADE_CSV_COLUMNS.join(",");

/** CSV text of `count` valid trades; the account number can be chosen per 1-based row. */
export function tradesCsv(count: number, account: (row: number) => string = () => "1234567890"): string {
  const lines = [CSV_HEADER];
  for (let row = 1; row <= count; row++) {
    lines.push(`C-${row % 97},Client ${row % 97},${account(row)},ZAR,USD,BUY,${100 + (row % 1000)}.25,,REF-${row}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A CSV file of `count` trades no other test stages (its account numbers are this run's own): its path. */
export function uniqueTradesCsvFile(name: string, count: number): string {
  const run = String(Date.now()).slice(-9);
  const path = `${RESULTS_DIR}${name}-${run}.csv`;
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    path,
    tradesCsv(count, (row) => `${run}${row}0`),
  );
  return path;
}

/** RFC 4180 CSV text into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      row.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += char;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
