import { ExactDecimal } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import { createBankSimulator, isTradableCurrency, midRate } from "../src/index";
import { priceQuote } from "../src/pricing";
import { quoteRequest, useDatabase } from "./support";

const database = useDatabase();

const CURRENCIES = [
  "USD",
  "EUR",
  "GBP",
  "JPY",
  "CHF",
  "CNY",
  "AUD",
  "CAD",
  "NZD",
  "SEK",
  "NOK",
  "DKK",
  "HKD",
  "SGD",
  "INR",
  "BRL",
  "MXN",
  "ZAR",
  "KWD",
  "BHD",
  "TRY",
  "IDR",
  "PYG",
  "MNT",
];

describe("pricing", () => {
  it("prices every pair with a positive rate, inverse pairs roughly reciprocal", () => {
    for (const sell of CURRENCIES) {
      for (const buy of CURRENCIES) {
        if (sell === buy) continue;
        const there = priceQuote({ sellCurrency: sell, buyCurrency: buy, direction: "SELL", amount: "1000000" }, "seed", `${sell}${buy}`);
        const back = priceQuote({ sellCurrency: buy, buyCurrency: sell, direction: "SELL", amount: "1000000" }, "seed", `${buy}${sell}`);
        expect(there, `${sell}/${buy}`).not.toBeNull();
        const product = new ExactDecimal(there!.rate).mul(back!.rate);
        expect(new ExactDecimal(there!.rate).gt(0)).toBe(true);
        // Two spreads (≤ 0.75 % each) and two jitters (≤ 0.05 % each) apart from 1.
        expect(product.toNumber(), `${sell}/${buy}`).toBeGreaterThan(0.98);
        expect(product.toNumber(), `${sell}/${buy}`).toBeLessThanOrEqual(1.001);
      }
    }
  });

  it("derives a stable rate for an active currency missing from the reference table", () => {
    const pyg = midRate("USD", "PYG").toNumber();
    expect(pyg).toBeGreaterThanOrEqual(1);
    expect(pyg).toBeLessThanOrEqual(1000);
    expect(midRate("USD", "PYG").toNumber()).toBe(pyg);
  });

  it("keeps rates close to the reference and in the bank's favour", () => {
    const eurUsd = midRate("EUR", "USD").toNumber();
    expect(eurUsd).toBeGreaterThan(1);
    expect(eurUsd).toBeLessThan(1.2);
    for (let i = 0; i < 200; i++) {
      const price = priceQuote({ sellCurrency: "EUR", buyCurrency: "USD", direction: "SELL", amount: "100" }, "s", `r${i}`)!;
      const rate = Number(price.rate);
      expect(rate).toBeLessThan(eurUsd * 1.0005);
      expect(rate).toBeGreaterThan(eurUsd * 0.998);
    }
  });

  it("rounds amounts to the minor units of each currency", () => {
    expect(isTradableCurrency("PYG")).toBe(true);
    expect(isTradableCurrency("XYZ")).toBe(false);
    expect(isTradableCurrency("XAU")).toBe(false);
    expect(isTradableCurrency("eur")).toBe(false);
    const sellJpy = priceQuote({ sellCurrency: "USD", buyCurrency: "JPY", direction: "SELL", amount: "1234.56" }, "s", "a")!;
    expect(sellJpy.buyAmount).toMatch(/^\d+$/);
    expect(sellJpy.sellAmount).toBe("1234.56");
    const buyJpy = priceQuote({ sellCurrency: "JPY", buyCurrency: "EUR", direction: "BUY", amount: "500" }, "s", "b")!;
    expect(buyJpy.sellAmount).toMatch(/^\d+$/);
    expect(buyJpy.buyAmount).toBe("500.00");
    const kwd = priceQuote({ sellCurrency: "KWD", buyCurrency: "USD", direction: "SELL", amount: "10.1234" }, "s", "c")!;
    expect(kwd.sellAmount).toBe("10.123");
    // SELL: buy = sell × rate rounded down; BUY: sell = buy ÷ rate rounded up.
    expect(new ExactDecimal(sellJpy.buyAmount).lte(new ExactDecimal(sellJpy.sellAmount).mul(sellJpy.rate))).toBe(true);
    expect(new ExactDecimal(buyJpy.sellAmount).mul(buyJpy.rate).gte(buyJpy.buyAmount)).toBe(true);
  });

  it("returns consistent quotes from the simulator and stores them", async () => {
    const bank = createBankSimulator({ database: database(), successRate: 1, latencyMs: 0 });
    try {
      const quote = await bank.createQuote(
        quoteRequest({ sellCurrency: "GBP", buyCurrency: "JPY", direction: "BUY", amount: "250000", requestId: "trade-42" }),
      );
      expect(quote.quoteId).toMatch(/^Q-[A-Z2-7]{20}$/);
      expect(quote.buyAmount).toBe("250000");
      expect(quote.sellAmount).toMatch(/^\d+\.\d{2}$/);
      expect(Number(quote.rate)).toBeGreaterThan(150);
      const { rows } = await database().pool.query("SELECT * FROM bank_sim_quote WHERE id = $1", [quote.quoteId]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        account_number: "ACC-000001",
        sell_currency: "GBP",
        buy_currency: "JPY",
        direction: "BUY",
        amount: "250000.0000",
        request_id: "trade-42",
      });
      expect(new ExactDecimal(rows[0].rate).eq(quote.rate)).toBe(true);
      expect(rows[0].expires_at.getTime()).toBe(quote.expiresAt.getTime());
    } finally {
      await bank.close();
    }
  });
});
