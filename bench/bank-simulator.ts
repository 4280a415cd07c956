/**
 * Throughput check of the simulator (not a test): quote-and-book trades at latency 0.
 *
 *   npx tsx bench/bank-simulator.ts [trades=10000] [concurrency=500]
 *
 * Uses a fresh migrated database on the test server (dropped afterwards), or the database of
 * BANK_BENCH_DATABASE_URL. Prints quotes + bookings per second, for two rounds (the first warms up).
 * BANK_BENCH_WINDOW_MS overrides the ledger's batch window.
 */

import { createBankSimulator } from "@fxbt/bank";
import { connectDatabase } from "@fxbt/db";
import { createMigratedDatabase, type TestDatabase } from "@fxbt/db/testing";

const trades = Number(process.argv[2] ?? 10_000);
const concurrency = Number(process.argv[3] ?? 500);
const batchWindowMs = process.env.BANK_BENCH_WINDOW_MS === undefined ? undefined : Number(process.env.BANK_BENCH_WINDOW_MS);

async function measure(url: string, round: number): Promise<void> {
  const database = connectDatabase({ url, maxConnections: 10 });
  const bank = createBankSimulator({ database, latencyMs: 0, seed: "throughput", batchWindowMs });
  let next = 0;
  let calls = 0;
  let booked = 0;
  const started = performance.now();
  async function worker(): Promise<void> {
    while (next < trades) {
      const i = next++;
      try {
        calls++;
        const quote = await bank.createQuote({
          clientId: "C-1",
          accountNumber: `ACC-${i % 1000}`,
          sellCurrency: i % 2 ? "EUR" : "USD",
          buyCurrency: i % 2 ? "USD" : "JPY",
          direction: i % 3 ? "SELL" : "BUY",
          amount: "1000.00",
          valueDate: null,
          requestId: `${round}-${i}`,
        });
        calls++;
        await bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: `${round}-${i}`, accountNumber: `ACC-${i % 1000}` });
        booked++;
      } catch (error) {
        if ((error as { retryable?: boolean }).retryable) throw error;
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await bank.close();
  await database.close();
  console.log(
    `round ${round}: ${trades} trades in ${seconds.toFixed(2)} s — ` +
      `${Math.round(calls / seconds)} calls/s (quotes+bookings), ${Math.round(trades / seconds)} trades/s, ${booked} booked`,
  );
}

const givenUrl = process.env.BANK_BENCH_DATABASE_URL;
const temporary: TestDatabase | undefined = givenUrl === undefined ? await createMigratedDatabase("fxbt_bank_bench") : undefined;
const url = givenUrl ?? temporary!.url;
try {
  for (let round = 1; round <= 2; round++) await measure(url, round);
} finally {
  await temporary?.drop();
}
