import { describe, expect, it } from "vitest";
import { BankError, type BankSimulator, createBankSimulator } from "../src/index";
import { countBookings, ledgerRows, quoteRequest, rejectionOf, useDatabase } from "./support";

const database = useDatabase();

/** The outcome of one call, comparable across calls: the deal's id, or the refusal's code and message. */
async function outcomeOf(call: Promise<{ transactionId: string }>): Promise<string> {
  try {
    return `BOOKED ${(await call).transactionId}`;
  } catch (error) {
    if (!(error instanceof BankError)) throw error;
    return `${error.code} ${error.message}`;
  }
}

/** Whether `bank` on its own would book `key` (a booking of a fresh quote, then forgotten). */
async function wouldBook(bank: BankSimulator, quoter: BankSimulator, key: string): Promise<boolean> {
  const quote = await quoter.createQuote(quoteRequest());
  const outcome = await outcomeOf(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: key, accountNumber: "ACC-000001" }));
  await database().pool.query("DELETE FROM bank_sim_booking WHERE idempotency_key = $1", [key]);
  if (!outcome.startsWith("BOOKED") && !outcome.startsWith("BOOKING_REJECTED")) throw new Error(`unexpected outcome ${outcome}`);
  return outcome.startsWith("BOOKED");
}

/** A key (of the form `${prefix}-N`) that `first` refuses and `second` books, or the reverse. */
async function keyDecidedApart(
  first: BankSimulator,
  second: BankSimulator,
  quoter: BankSimulator,
  prefix: string,
  firstBooks: boolean,
): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const key = `${prefix}-${i}`;
    if ((await wouldBook(first, quoter, key)) === firstBooks && (await wouldBook(second, quoter, key)) !== firstBooks) return key;
  }
  throw new Error("no key decided apart by the two seeds in 100 tries");
}

/** Two simulators with different seeds that each book about half of the keys, and one that always quotes. */
function twoSeeds(options: { latencyMs?: number } = {}) {
  const a = createBankSimulator({ database: database(), successRate: 0.5, latencyMs: 0, seed: "seed-a", ...options });
  const b = createBankSimulator({ database: database(), successRate: 0.5, latencyMs: 0, seed: "seed-b", ...options });
  const quoter = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
  return { a, b, quoter, close: () => Promise.all([a.close(), b.close(), quoter.close()]) };
}

describe("exactly-once booking per idempotency key", () => {
  it("books one deal for 50 concurrent calls with the same key", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 5 });
    const key = "k-50";
    try {
      const quote = await bank.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: key, accountNumber: "ACC-000001" };
      const deals = await Promise.all(Array.from({ length: 50 }, () => bank.bookDeal(request)));
      expect(new Set(deals.map((d) => d.transactionId)).size).toBe(1);
      expect(new Set(deals.map((d) => d.bookedAt.getTime())).size).toBe(1);
      expect(await countBookings(database(), key)).toBe(1);
    } finally {
      await bank.close();
    }
  });

  it("books one deal when two simulator instances on one database get the same key", async () => {
    const a = createBankSimulator({ database: database(), successRate: 1, latencyMs: 1, seed: "a" });
    const b = createBankSimulator({ database: database(), successRate: 1, latencyMs: 1, seed: "b" });
    try {
      const quote = await a.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: "k-two-instances", accountNumber: "ACC-000001" };
      // b knows the quote only from the database.
      const deals = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).bookDeal(request)));
      expect(new Set(deals.map((d) => d.transactionId)).size).toBe(1);
      expect(await countBookings(database(), "k-two-instances")).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("returns a booked deal to a resend even where another seed would have refused the key", async () => {
    const lenient = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    const strict = createBankSimulator({ database: database(), successRate: 0, latencyMs: 0 });
    try {
      const quote = await lenient.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: "k-restart", accountNumber: "ACC-000001" };
      const deal = await lenient.bookDeal(request);
      expect((await strict.bookDeal(request)).transactionId).toBe(deal.transactionId);
      expect(await countBookings(database(), "k-restart")).toBe(1);
    } finally {
      await Promise.all([lenient.close(), strict.close()]);
    }
  });

  it("keeps a refused key refused on resend from a simulator whose seed would book it", async () => {
    const { a, b, quoter, close } = twoSeeds();
    try {
      const key = await keyDecidedApart(a, b, quoter, "k-refused-first", false);
      const quote = await quoter.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: key, accountNumber: "ACC-000001" };
      const refused = await rejectionOf(a.bookDeal(request));
      expect(refused).toBeInstanceOf(BankError);
      expect(refused).toMatchObject({ code: "BOOKING_REJECTED", retryable: false });
      // b, left to itself, books this key; the key's first outcome wins.
      for (let i = 0; i < 3; i++) {
        const again = await rejectionOf(b.bookDeal(request));
        expect(again).toBeInstanceOf(BankError);
        expect(again).toMatchObject({ code: "BOOKING_REJECTED", message: (refused as Error).message, retryable: false });
      }
      expect(await ledgerRows(database(), key)).toEqual([
        {
          idempotency_key: key,
          transaction_id: null,
          quote_id: quote.quoteId,
          error_code: "BOOKING_REJECTED",
          error_message: (refused as Error).message,
        },
      ]);
    } finally {
      await close();
    }
  });

  it("keeps a booked key booked on resend from a simulator whose seed would refuse it", async () => {
    const { a, b, quoter, close } = twoSeeds();
    try {
      const key = await keyDecidedApart(a, b, quoter, "k-booked-first", true);
      const quote = await quoter.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: key, accountNumber: "ACC-000001" };
      const deal = await a.bookDeal(request);
      for (let i = 0; i < 3; i++) expect(await b.bookDeal(request)).toEqual(deal);
      expect(await ledgerRows(database(), key)).toEqual([
        { idempotency_key: key, transaction_id: deal.transactionId, quote_id: quote.quoteId, error_code: null, error_message: null },
      ]);
    } finally {
      await close();
    }
  });

  it("keeps a key refused at success rate 0 refused for a simulator at success rate 1", async () => {
    const strict = createBankSimulator({ database: database(), successRate: 0, latencyMs: 0 });
    const lenient = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await lenient.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: "k-strict-first", accountNumber: "ACC-000001" };
      expect(await rejectionOf(strict.bookDeal(request))).toMatchObject({ code: "BOOKING_REJECTED" });
      expect(await rejectionOf(lenient.bookDeal(request))).toMatchObject({ code: "BOOKING_REJECTED", retryable: false });
      expect(await ledgerRows(database(), "k-strict-first")).toMatchObject([{ transaction_id: null, error_code: "BOOKING_REJECTED" }]);
    } finally {
      await Promise.all([strict.close(), lenient.close()]);
    }
  });

  it("gives 50 concurrent sends of one key from two simulators with different seeds one outcome and one ledger row", async () => {
    const { a, b, quoter, close } = twoSeeds({ latencyMs: 3 });
    try {
      // Keys the two seeds decide differently, so that the race decides the outcome.
      for (const firstBooks of [true, false]) {
        const key = await keyDecidedApart(a, b, quoter, `k-race-${firstBooks}`, firstBooks);
        const quote = await quoter.createQuote(quoteRequest());
        const request = { quoteId: quote.quoteId, idempotencyKey: key, accountNumber: "ACC-000001" };
        const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => outcomeOf((i % 2 === 0 ? a : b).bookDeal(request))));
        expect(new Set(outcomes).size, outcomes.join("\n")).toBe(1);
        const rows = await ledgerRows(database(), key);
        expect(rows).toHaveLength(1);
        const [row] = rows;
        expect(outcomes[0]).toBe(
          row!.transaction_id !== null ? `BOOKED ${row!.transaction_id}` : `${row!.error_code} ${row!.error_message}`,
        );
      }
    } finally {
      await close();
    }
  });

  it("lets the ledger hold a row only as a deal or as a refusal", async () => {
    const insert = (transactionId: string | null, errorCode: string | null, errorMessage: string | null) =>
      database().pool.query(
        "INSERT INTO bank_sim_booking (idempotency_key, transaction_id, quote_id, error_code, error_message) VALUES ($1, $2, 'Q-X', $3, $4)",
        [`k-check-${transactionId}-${errorCode}-${errorMessage}`, transactionId, errorCode, errorMessage],
      );
    await expect(insert("T-BOTH", "BOOKING_REJECTED", null)).rejects.toMatchObject({ code: "23514" });
    await expect(insert("T-MESSAGE", null, "a message")).rejects.toMatchObject({ code: "23514" });
    await expect(insert(null, null, null)).rejects.toMatchObject({ code: "23514" });
    await insert("T-DEAL", null, null);
    await insert(null, "INSUFFICIENT_FUNDS", "no money");
  });

  it("gives distinct keys distinct deals within one batch", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quotes = await Promise.all(Array.from({ length: 200 }, () => bank.createQuote(quoteRequest())));
      const deals = await Promise.all(
        quotes.map((q, i) => bank.bookDeal({ quoteId: q.quoteId, idempotencyKey: `k-batch-${i}`, accountNumber: "ACC-000001" })),
      );
      expect(new Set(deals.map((d) => d.transactionId)).size).toBe(200);
      expect(deals.map((d) => d.quoteId)).toEqual(quotes.map((q) => q.quoteId));
    } finally {
      await bank.close();
    }
  });
});
