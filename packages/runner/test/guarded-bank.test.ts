import type { QuoteRequest } from "@fxbt/bank";
import { pino } from "pino";
import { describe, expect, it, vi } from "vitest";
import { BankSlots } from "../src/bank-slots";
import { CircuitBreaker } from "../src/circuit-breaker";
import { CallNotWanted, GuardedBank } from "../src/guarded-bank";
import { RunnerStopped } from "../src/retry";
import { gate } from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

const quoteFor = (n: number): QuoteRequest => ({
  requestId: `trade-${n}:1`,
  clientId: "CLIENT-1",
  accountNumber: `ACC-${n}`,
  sellCurrency: "USD",
  buyCurrency: "ZAR",
  direction: "SELL",
  amount: "1000.00",
  valueDate: "2099-01-01",
});

describe("GuardedBank", () => {
  it("does not send the calls that waited for a slot once the circuit opened meanwhile: they wait for the circuit again", async () => {
    // The runner holds more trades than it has slots, so calls pass the closed breaker and then wait
    // for a slot; the first call's failure opens the circuit while they wait.
    const answered = gate();
    const gateway = new ScriptedGateway({ quote: ["BANK_UNAVAILABLE"], before: () => answered.opened });
    const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 60_000 });
    const bank = new GuardedBank(gateway, breaker, new BankSlots(1), pino({ level: "silent" }), { retry: { baseMs: 1, maxMs: 1 } });
    const stopping = new AbortController();
    const quotes = [1, 2, 3, 4, 5].map((n) => bank.quote(quoteFor(n), stopping.signal));
    for (const quote of quotes) quote.catch(() => {});

    answered.open();
    await expect.poll(() => breaker.isOpen).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Only the call at the bank when it failed: the circuit is open, the four waiting are held.
    expect(gateway.quotes()).toHaveLength(1);

    stopping.abort();
    for (const quote of quotes) await expect(quote).rejects.toBeInstanceOf(RunnerStopped);
  });

  it("lets the next call probe at once when the probe the circuit let through was not sent (its batch was cancelled)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const gateway = new ScriptedGateway({ quote: ["BANK_UNAVAILABLE", "ok"] });
      const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 60_000 });
      const bank = new GuardedBank(gateway, breaker, new BankSlots(1), pino({ level: "silent" }), { retry: { baseMs: 1, maxMs: 1 } });
      const never = new AbortController().signal;
      const stopping = new AbortController();
      const request = (n: number) => ({ ...quoteFor(1), requestId: `trade-${n}:1` });
      // Refused as unavailable: it opens the circuit and waits (by the real clock) to be asked again.
      const first = bank.quote(request(1), stopping.signal);
      first.catch(() => {});
      await expect.poll(() => breaker.isOpen).toBe(true);

      vi.setSystemTime(Date.now() + 61_000);
      // The cooldown is over: this call is the probe, but its trade's batch was cancelled meanwhile.
      await expect(bank.quote(request(2), never, () => false)).rejects.toBeInstanceOf(CallNotWanted);
      // The next call probes now; it waited another cooldown (a minute here) before.
      const next = bank.quote(request(3), never);
      await expect.poll(() => gateway.quotes().length, { timeout: 1_000 }).toBe(2);
      expect(await next).toMatchObject({ quoteId: expect.any(String) });
      expect(breaker.isOpen).toBe(false);
      stopping.abort();
      await expect(first).rejects.toBeInstanceOf(RunnerStopped);
    } finally {
      vi.useRealTimers();
    }
  });

  it("lets a probe that was not sent give the way back only while it holds it: a later probe's hold stays, one probe at a time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const atBank = gate();
      const gateway = new ScriptedGateway({ before: () => atBank.opened });
      const breaker = new CircuitBreaker({ threshold: 1, cooldownMs: 60_000 });
      const bank = new GuardedBank(gateway, breaker, new BankSlots(1), pino({ level: "silent" }), { retry: { baseMs: 1, maxMs: 1 } });
      const never = new AbortController().signal;
      const request = (n: number) => ({ ...quoteFor(1), requestId: `trade-${n}:1` });
      const tick = () => new Promise((resolve) => setTimeout(resolve, 10));
      // A call sent while the bank was up holds the one slot; then the circuit opens.
      const atBankCall = bank.quote(request(1), never);
      await expect.poll(() => gateway.quotes().length).toBe(1);
      breaker.failed();

      // After the cooldown, call A is the probe and waits for the slot, longer than its hold.
      vi.setSystemTime(Date.now() + 61_000);
      const cancelA = new AbortController();
      const probeA = bank.quote(request(2), cancelA.signal);
      probeA.catch(() => {});
      await tick();
      vi.setSystemTime(Date.now() + 61_000);
      // A's hold has lapsed: call B is the probe now, and waits for the slot too.
      const cancelB = new AbortController();
      const probeB = bank.quote(request(3), cancelB.signal);
      probeB.catch(() => {});
      await tick();
      // A's batch is cancelled: A was not sent, but the way is B's, not free for a third probe.
      cancelA.abort();
      await expect(probeA).rejects.toBeInstanceOf(RunnerStopped);
      await expect(breaker.ready(AbortSignal.timeout(200))).rejects.toBeInstanceOf(RunnerStopped);

      cancelB.abort();
      await expect(probeB).rejects.toBeInstanceOf(RunnerStopped);
      atBank.open();
      await atBankCall;
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives its slot back however the call ends: a `wanted` that throws, a gateway that throws before it returns a promise", async () => {
    const slots = new BankSlots(1);
    const breaker = new CircuitBreaker({ threshold: 100, cooldownMs: 60_000 });
    const gateway = new ScriptedGateway();
    const bank = new GuardedBank(gateway, breaker, slots, pino({ level: "silent" }), { retry: { baseMs: 1, maxMs: 1 } });
    const never = new AbortController().signal;

    // Thrown once, then wanted: the quote is asked again (not a refusal), and the retry needs the one slot.
    let asked = 0;
    const wantedOnSecondAsk = () => {
      if (asked++ === 0) throw new TypeError("broken");
      return true;
    };
    expect(await bank.quote(quoteFor(1), never, wantedOnSecondAsk)).toMatchObject({ quoteId: expect.any(String) });
    expect(slots.inUse).toBe(0);

    gateway.bookDeal = () => {
      throw new TypeError("broken adapter");
    };
    expect(await bank.book({ quoteId: "q", idempotencyKey: "trade-1:1", accountNumber: "ACC-1" }, never)).toMatchObject({
      kind: "unknown",
    });
    expect(slots.inUse).toBe(0);
  });
});
