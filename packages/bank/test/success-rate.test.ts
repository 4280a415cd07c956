import { describe, expect, it } from "vitest";
import { type BankSimulator, createBankSimulator } from "../src/index";
import { quoteRequest, useDatabase } from "./support";

const database = useDatabase();

/** Runs one quote-and-book trade per request id, in the given order, all at once. */
async function run(bank: BankSimulator, ids: string[], prefix: string): Promise<Map<string, string>> {
  const outcomes = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      try {
        const quote = await bank.createQuote(quoteRequest({ requestId: id }));
        await bank.bookDeal({ quoteId: quote.quoteId, idempotencyKey: `${prefix}:${id}`, accountNumber: "ACC-000001" });
        outcomes.set(id, "BOOKED");
      } catch (error) {
        outcomes.set(id, (error as { code?: string }).code ?? String(error));
      }
    }),
  );
  return outcomes;
}

function shuffled<T>(values: T[]): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe("random outcomes", () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `trade-${i}`);

  it("books about successRate of the trades, failing at both steps", async () => {
    for (const seed of ["alpha", "beta"]) {
      const bank = createBankSimulator({ database: database(), latencyMs: 0, seed });
      const outcomes = await run(bank, ids, `rate-${seed}`);
      await bank.close();
      const counts = new Map<string, number>();
      for (const outcome of outcomes.values()) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
      const rate = (counts.get("BOOKED") ?? 0) / ids.length;
      expect(rate).toBeGreaterThan(0.87);
      expect(rate).toBeLessThan(0.93);
      expect(counts.get("QUOTE_REJECTED")).toBeGreaterThan(0);
      expect(counts.get("BOOKING_REJECTED")).toBeGreaterThan(0);
      expect([...counts.keys()].sort()).toEqual(["BOOKED", "BOOKING_REJECTED", "QUOTE_REJECTED"]);
    }
  });

  it("honours other rates, 0 and 1 included", async () => {
    for (const successRate of [0, 0.5, 1]) {
      const bank = createBankSimulator({ database: database(), latencyMs: 0, seed: "gamma", successRate });
      const outcomes = await run(bank, ids.slice(0, 1000), `other-${successRate}`);
      await bank.close();
      const rate = [...outcomes.values()].filter((o) => o === "BOOKED").length / 1000;
      expect(Math.abs(rate - successRate)).toBeLessThan(0.05);
    }
  });

  it("reproduces every outcome for a fixed seed, whatever the call order", async () => {
    const first = createBankSimulator({ database: database(), latencyMs: 0, seed: "repro" });
    const second = createBankSimulator({ database: database(), latencyMs: 2, seed: "repro" });
    const a = await run(first, shuffled(ids), "repro");
    // Same keys in the second run: clear the first run's outcomes (deals and refusals) so they
    // are decided afresh.
    await database().pool.query("DELETE FROM bank_sim_booking WHERE idempotency_key LIKE 'repro:%'");
    const b = await run(second, shuffled(ids), "repro");
    await Promise.all([first.close(), second.close()]);
    for (const id of ids) expect(b.get(id), id).toBe(a.get(id));
    // The decisions do not repeat across seeds.
    const other = createBankSimulator({ database: database(), latencyMs: 0, seed: "other" });
    const c = await run(other, ids, "other");
    await other.close();
    expect(ids.some((id) => c.get(id) !== a.get(id))).toBe(true);
  });

  it("gives the same rate to the same request under the same seed", async () => {
    const one = createBankSimulator({ database: database(), latencyMs: 0, seed: "s", successRate: 1 });
    const two = createBankSimulator({ database: database(), latencyMs: 0, seed: "s", successRate: 1 });
    const request = quoteRequest({ requestId: "same-request" });
    const [x, y] = [await one.createQuote(request), await two.createQuote(request)];
    expect(x.rate).toBe(y.rate);
    expect(x.quoteId).not.toBe(y.quoteId);
    await Promise.all([one.close(), two.close()]);
  });
});
