import { describe, expect, it } from "vitest";
import { BankError, createBankSimulator } from "../src/index";
import { quoteRequest, useDatabase } from "./support";

const database = useDatabase();

describe("lookupBooking", () => {
  it("answers BOOKED with the deal a key booked, even when the booking's answer was lost", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-7777" }));
      const booking = { quoteId: quote.quoteId, idempotencyKey: "lookup-lost", accountNumber: "ACC-7777" };
      await expect(bank.bookDeal(booking)).rejects.toMatchObject({ code: "BANK_TIMEOUT" });
      const found = await bank.lookupBooking("lookup-lost");
      expect(found.status).toBe("BOOKED");
      const deal = await bank.bookDeal(booking);
      expect(found).toEqual({ status: "BOOKED", deal });
    } finally {
      await bank.close();
    }
  });

  it("answers REFUSED with the code of a refused key", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-8888" }));
      await expect(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "lookup-refused", accountNumber: "ACC-8888" })).rejects.toThrow(
        BankError,
      );
      expect(await bank.lookupBooking("lookup-refused")).toEqual({
        status: "REFUSED",
        code: "INSUFFICIENT_FUNDS",
        message: "account ACC-8888 cannot cover the deal",
      });
    } finally {
      await bank.close();
    }
  });

  it("answers UNKNOWN for a key the bank never recorded, and books nothing by asking", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      expect(await bank.lookupBooking("lookup-never-sent")).toEqual({ status: "UNKNOWN" });
      const { rows } = await database().pool.query("SELECT 1 FROM bank_sim_booking WHERE idempotency_key = 'lookup-never-sent'");
      expect(rows).toHaveLength(0);
    } finally {
      await bank.close();
    }
  });

  it("answers BANK_UNAVAILABLE once closed", async () => {
    const bank = createBankSimulator({ database: database(), latencyMs: 0 });
    await bank.close();
    await expect(bank.lookupBooking("any")).rejects.toMatchObject({ code: "BANK_UNAVAILABLE" });
  });
});
