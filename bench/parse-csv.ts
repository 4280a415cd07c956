/**
 * Speed check of parseTradeCsv on a generated 100,000-row file (a script, not a test):
 *   npx tsx bench/parse-csv.ts [rows]
 * Prints the file size and the best and median of several runs after a warm-up, and for comparison the
 * time csv-parse alone takes to split the same text into cells.
 */

import { parseTradeCsv, TRADE_CSV_COLUMNS } from "@fxbt/domain";
import { parse } from "csv-parse/sync";

const rows = Number(process.argv[2] ?? 100_000);
const pairs = [
  ["ZAR", "USD"],
  ["ZAR", "EUR"],
  ["USD", "ZAR"],
  ["GBP", "ZAR"],
  ["ZAR", "JPY"],
  ["KWD", "ZAR"],
] as const;

const lines = [TRADE_CSV_COLUMNS.join(",")];
for (let i = 0; i < rows; i++) {
  const [sell, buy] = pairs[i % pairs.length]!;
  const direction = i % 2 === 0 ? "BUY" : "SELL";
  const amountCurrency = direction === "BUY" ? buy : sell;
  const amount = amountCurrency === "JPY" ? String(1000 + i) : `${1000 + i}.${String(i % 100).padStart(2, "0")}`;
  const name = i % 10 === 0 ? `"Client ${i}, Ltd"` : `Client ${i}`;
  const valueDate = i % 3 === 0 ? "2026-12-31" : "";
  lines.push(`C-${i % 5000},${name},${String(1000000000 + i)},${sell},${buy},${direction},${amount},${valueDate},REF-${i}`);
}
const text = `${lines.join("\r\n")}\r\n`;

const times: number[] = [];
for (let run = 0; run < 8; run++) {
  const start = performance.now();
  const result = parseTradeCsv(text, { today: "2026-01-15" });
  const elapsed = performance.now() - start;
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors.slice(0, 3))}`);
  if (result.rows.length !== rows) throw new Error(`expected ${rows} rows, got ${result.rows.length}`);
  if (run > 0) times.push(elapsed); // run 0 is the warm-up (JIT)
}
times.sort((a, b) => a - b);

const splitTimes: number[] = [];
for (let run = 0; run < 5; run++) {
  const start = performance.now();
  parse(text, {
    bom: true,
    record_delimiter: ["\r\n", "\n"],
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    relax_column_count: true,
  });
  if (run > 0) splitTimes.push(performance.now() - start);
}
splitTimes.sort((a, b) => a - b);
const mb = (Buffer.byteLength(text) / 1024 / 1024).toFixed(1);
console.log(
  `parseTradeCsv: ${rows} rows, ${mb} MB — best ${times[0]!.toFixed(0)} ms, median ${times[Math.floor(times.length / 2)]!.toFixed(0)} ms, ` +
    `first (cold) run excluded; csv-parse alone: best ${splitTimes[0]!.toFixed(0)} ms`,
);
