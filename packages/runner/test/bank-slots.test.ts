import { describe, expect, it } from "vitest";
import { BankSlots } from "../src/bank-slots";
import { RunnerStopped } from "../src/retry";

const never = new AbortController().signal;

/** Resolves after every promise callback already queued has run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("BankSlots", () => {
  it("lets `size` calls in at once and the next one in as one gives its slot back", async () => {
    const slots = new BankSlots(2);
    const first = await slots.take("quote", never);
    await slots.take("quote", never);
    let thirdIn = false;
    const third = slots.take("quote", never).then((giveBack) => {
      thirdIn = true;
      return giveBack;
    });
    await settle();
    expect(slots.inUse).toBe(2);
    expect(thirdIn).toBe(false);

    first();
    (await third)();
    expect(thirdIn).toBe(true);
    expect(slots.inUse).toBe(1);
  });

  it("gives a freed slot to a booking or lookup before any quote, each kind in the order it came", async () => {
    const slots = new BankSlots(1);
    const holder = await slots.take("quote", never);
    const order: string[] = [];
    const wait = (kind: "quote" | "settle", name: string) =>
      slots.take(kind, never).then((giveBack) => {
        order.push(name);
        giveBack();
      });
    const all = Promise.all([wait("quote", "quote 1"), wait("quote", "quote 2"), wait("settle", "booking 1"), wait("settle", "booking 2")]);
    await settle();

    holder();
    await all;
    expect(order).toEqual(["booking 1", "booking 2", "quote 1", "quote 2"]);
    expect(slots.inUse).toBe(0);
  });

  it("ends a wait with RunnerStopped when the runner stops, and the slot goes to the next one waiting", async () => {
    const slots = new BankSlots(1);
    const holder = await slots.take("quote", never);
    const stopping = new AbortController();
    const stopped = slots.take("settle", stopping.signal);
    const next = slots.take("quote", never);
    await settle();

    stopping.abort();
    await expect(stopped).rejects.toBeInstanceOf(RunnerStopped);
    holder();
    holder(); // a second give-back of the same slot frees nothing more
    (await next)();
    expect(slots.inUse).toBe(0);
    await expect(slots.take("quote", stopping.signal)).rejects.toBeInstanceOf(RunnerStopped);
    expect(slots.inUse).toBe(0);
  });
});
