import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BankError, type BankSimulator, type BookingRequest, createBankSimulator } from "../src/index";
import { countBookings, ledgerRows, quoteRequest, rejectionOf, useDatabase } from "./support";

const database = useDatabase();

describe("deterministic test accounts (whatever the success rate)", () => {
  let bank: BankSimulator;
  beforeAll(() => {
    // successRate 0: every ordinary trade would fail, the test accounts must not care.
    bank = createBankSimulator({ database: database(), successRate: 0, latencyMs: 0 });
  });
  afterAll(() => bank.close());

  it("refuses an account ending 9999 at quote with INVALID_ACCOUNT", async () => {
    const error = await rejectionOf(bank.createQuote(quoteRequest({ accountNumber: "ACC-9999" })));
    expect(error).toBeInstanceOf(BankError);
    expect(error).toMatchObject({ code: "INVALID_ACCOUNT", retryable: false });
  });

  it("quotes an account ending 8888 and refuses its booking with INSUFFICIENT_FUNDS, recorded in the ledger", async () => {
    const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-8888" }));
    const request = { quoteId: quote.quoteId, idempotencyKey: "k-8888", accountNumber: "ACC-8888" };
    const error = await rejectionOf(bank.bookDeal(request));
    expect(error).toBeInstanceOf(BankError);
    expect(error).toMatchObject({ code: "INSUFFICIENT_FUNDS", retryable: false });
    expect(await ledgerRows(database(), "k-8888")).toEqual([
      {
        idempotency_key: "k-8888",
        transaction_id: null,
        quote_id: quote.quoteId,
        error_code: "INSUFFICIENT_FUNDS",
        error_message: (error as Error).message,
      },
    ]);
    // The resend gets the recorded refusal; nothing more is written.
    expect(await rejectionOf(bank.bookDeal(request))).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      message: (error as Error).message,
      retryable: false,
    });
    expect(await countBookings(database(), "k-8888")).toBe(1);
  });

  it("books an account ending 7777 but loses the first response; the resend returns the same deal", async () => {
    const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-7777" }));
    const request = { quoteId: quote.quoteId, idempotencyKey: "k-7777", accountNumber: "ACC-7777" };
    const error = await rejectionOf(bank.bookDeal(request));
    expect(error).toMatchObject({ code: "BANK_TIMEOUT", retryable: true });
    expect(await countBookings(database(), "k-7777")).toBe(1);
    const { rows } = await database().pool.query("SELECT transaction_id FROM bank_sim_booking WHERE idempotency_key = 'k-7777'");

    const first = await bank.bookDeal(request);
    const second = await bank.bookDeal(request);
    expect(first.transactionId).toBe(rows[0].transaction_id);
    expect(second.transactionId).toBe(first.transactionId);
    expect(first.quoteId).toBe(quote.quoteId);
    expect(await countBookings(database(), "k-7777")).toBe(1);
  });

  it("lets concurrent first bookings of a 7777 key produce one lost response and one deal", async () => {
    const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-7777" }));
    const request = { quoteId: quote.quoteId, idempotencyKey: "k-7777-concurrent", accountNumber: "ACC-7777" };
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => bank.bookDeal(request)));
    const timeouts = results.filter((r) => r.status === "rejected");
    expect(timeouts).toHaveLength(1);
    expect((timeouts[0] as PromiseRejectedResult).reason).toMatchObject({ code: "BANK_TIMEOUT" });
    const ids = new Set(results.flatMap((r) => (r.status === "fulfilled" ? [r.value.transactionId] : [])));
    expect(ids.size).toBe(1);
    expect(await countBookings(database(), "k-7777-concurrent")).toBe(1);
  });
});

describe("quotes at booking", () => {
  it("refuses an expired quote with QUOTE_EXPIRED and an unknown one with QUOTE_NOT_FOUND", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0, quoteTtlMs: 50 });
    try {
      const quote = await bank.createQuote(quoteRequest());
      expect(quote.expiresAt.getTime()).toBeGreaterThan(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 80));
      const expired = await rejectionOf(
        bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-expired", accountNumber: "ACC-000001" }),
      );
      expect(expired).toMatchObject({ code: "QUOTE_EXPIRED", retryable: false });
      const unknown = await rejectionOf(
        bank.bookDeal({ quoteId: "Q-NOSUCHQUOTE", idempotencyKey: "k-unknown", accountNumber: "ACC-000001" }),
      );
      expect(unknown).toMatchObject({ code: "QUOTE_NOT_FOUND", retryable: false });
      // Both refusals are recorded: they are the outcome of their keys.
      expect(await ledgerRows(database(), "k-expired")).toMatchObject([
        { transaction_id: null, quote_id: quote.quoteId, error_code: "QUOTE_EXPIRED" },
      ]);
      expect(await ledgerRows(database(), "k-unknown")).toMatchObject([
        { transaction_id: null, quote_id: "Q-NOSUCHQUOTE", error_code: "QUOTE_NOT_FOUND" },
      ]);
      // A resend of the key with a fresh quote is refused as the first send was.
      const fresh = await bank.createQuote(quoteRequest());
      const again = await rejectionOf(bank.bookDeal({ quoteId: fresh.quoteId, idempotencyKey: "k-expired", accountNumber: "ACC-000001" }));
      expect(again).toMatchObject({ code: "QUOTE_EXPIRED", message: (expired as Error).message, retryable: false });
      expect(await countBookings(database(), "k-expired")).toBe(1);
    } finally {
      await bank.close();
    }
  });

  it("still returns a booked deal when the key is resent after its quote expired", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0, quoteTtlMs: 50 });
    try {
      const quote = await bank.createQuote(quoteRequest());
      const request = { quoteId: quote.quoteId, idempotencyKey: "k-late-resend", accountNumber: "ACC-000001" };
      const deal = await bank.bookDeal(request);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await bank.bookDeal(request)).transactionId).toBe(deal.transactionId);
    } finally {
      await bank.close();
    }
  });

  it("refuses with QUOTE_EXPIRED the bookings expiredAtBooking chooses, though their quote is valid; the others book", async () => {
    // Ten minutes: no quote of this test can expire by the clock, so only the option can refuse one.
    const chosen = (request: BookingRequest) => request.idempotencyKey.endsWith(":expire");
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0, quoteTtlMs: 600_000, expiredAtBooking: chosen });
    try {
      const quote = await bank.createQuote(quoteRequest());
      const expired = await rejectionOf(
        bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-chosen:expire", accountNumber: "ACC-000001" }),
      );
      expect(expired).toMatchObject({ code: "QUOTE_EXPIRED", retryable: false });
      expect((expired as Error).message).toBe(`quote ${quote.quoteId} expired before this booking arrived (simulated)`);
      expect(await ledgerRows(database(), "k-chosen:expire")).toMatchObject([
        { transaction_id: null, quote_id: quote.quoteId, error_code: "QUOTE_EXPIRED" },
      ]);
      // The same quote under a key not chosen books: the quote itself is valid.
      const deal = await bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-not-chosen", accountNumber: "ACC-000001" });
      expect(await ledgerRows(database(), "k-not-chosen")).toMatchObject([{ transaction_id: deal.transactionId, error_code: null }]);
      // Checked where the clock's expiry is: an unknown quote or another account is refused for that first.
      expect(
        await rejectionOf(bank.bookDeal({ quoteId: "Q-NOSUCHQUOTE", idempotencyKey: "k-unknown:expire", accountNumber: "ACC-000001" })),
      ).toMatchObject({ code: "QUOTE_NOT_FOUND" });
      expect(
        await rejectionOf(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-account:expire", accountNumber: "ACC-OTHER" })),
      ).toMatchObject({ code: "BOOKING_REJECTED" });
    } finally {
      await bank.close();
    }
  });

  it("refuses a booking for another account than the quote's", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await bank.createQuote(quoteRequest({ accountNumber: "ACC-A" }));
      const error = await rejectionOf(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-other", accountNumber: "ACC-B" }));
      expect(error).toMatchObject({ code: "BOOKING_REJECTED" });
      expect(await ledgerRows(database(), "k-other")).toMatchObject([{ transaction_id: null, error_code: "BOOKING_REJECTED" }]);
      // Correcting the account under the same key does not book: the key's outcome is decided.
      expect(await rejectionOf(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-other", accountNumber: "ACC-A" }))).toMatchObject(
        { code: "BOOKING_REJECTED" },
      );
    } finally {
      await bank.close();
    }
  });

  it("rejects unpriceable requests with QUOTE_REJECTED", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      for (const overrides of [
        { amount: "-5" },
        { amount: "abc" },
        { amount: "0" },
        { buyCurrency: "EUR" },
        { sellCurrency: "eu" },
        { buyCurrency: "XYZ" },
        { buyCurrency: "XAU" },
      ]) {
        expect(await rejectionOf(bank.createQuote(quoteRequest(overrides)))).toMatchObject({ code: "QUOTE_REJECTED" });
      }
    } finally {
      await bank.close();
    }
  });

  it("records nothing for a booking without a usable idempotency key", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await bank.createQuote(quoteRequest());
      for (const idempotencyKey of ["", "x".repeat(201), "k\u0000nul"]) {
        expect(await rejectionOf(bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey, accountNumber: "ACC-000001" }))).toMatchObject({
          code: "BOOKING_REJECTED",
        });
      }
      const { rows } = await database().pool.query("SELECT count(*)::int AS n FROM bank_sim_booking WHERE quote_id = $1", [quote.quoteId]);
      expect(rows[0].n).toBe(0);
    } finally {
      await bank.close();
    }
  });

  it("records a refusal of a malformed quote id without failing the other bookings of its batch", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0, batchWindowMs: 20 });
    try {
      const quote = await bank.createQuote(quoteRequest());
      const [bad, good] = await Promise.allSettled([
        bank.bookDeal({ quoteId: "Q-\u0000", idempotencyKey: "k-nul-quote", accountNumber: "ACC-000001" }),
        bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: "k-nul-neighbour", accountNumber: "ACC-000001" }),
      ]);
      expect(bad).toMatchObject({ status: "rejected", reason: { code: "QUOTE_NOT_FOUND" } });
      expect(good).toMatchObject({ status: "fulfilled" });
      expect(await ledgerRows(database(), "k-nul-quote")).toMatchObject([
        { transaction_id: null, quote_id: "Q-\uFFFD", error_code: "QUOTE_NOT_FOUND" },
      ]);
    } finally {
      await bank.close();
    }
  });

  it("fails calls after close with BANK_UNAVAILABLE", async () => {
    const bank = createBankSimulator({ database: database(), latencyMs: 0 });
    await bank.close();
    expect(await rejectionOf(bank.createQuote(quoteRequest()))).toMatchObject({ code: "BANK_UNAVAILABLE", retryable: true });
  });
});
