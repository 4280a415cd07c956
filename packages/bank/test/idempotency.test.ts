import { describe, expect, it } from "vitest";
import { createBankSimulator } from "../src/index";
import { countBookings, quoteRequest, useDatabase } from "./support";

const database = useDatabase();

describe("exactly-once booking per idempotency key", () => {
  it.each(["pool", "prisma"] as const)("books one deal for 50 concurrent calls with the same key (%s driver)", async (sqlDriver) => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 5, sqlDriver });
    const key = `k-50-${sqlDriver}`;
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

  it("gives distinct keys distinct deals within one batch", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quotes = await Promise.all(Array.from({ length: 200 }, () => bank.createQuote(quoteRequest())));
      const deals = await Promise.all(
        quotes.map((q, i) => bank.bookDeal({ quoteId: q.quoteId, idempotencyKey: `k-batch-${i}`, accountNumber: "ACC-000001" })),
      );
      expect(new Set(deals.map((d) => d.transactionId)).size).toBe(200);
      deals.forEach((d, i) => expect(d.quoteId).toBe(quotes[i]!.quoteId));
    } finally {
      await bank.close();
    }
  });
});
