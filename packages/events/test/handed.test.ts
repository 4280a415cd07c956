import { describe, expect, it } from "vitest";
import { AwaitingHands } from "../src/handed";

const hand = (name: string, calls: string[]) => () => void calls.push(name);

describe("the callbacks of a bus's own messages on their way through a broker", () => {
  it("gives the callbacks of a number once, and forgets those of earlier numbers that were lost", () => {
    const calls: string[] = [];
    const awaiting = new AwaitingHands();
    awaiting.add(1, [hand("1a", calls), undefined]);
    awaiting.add(2, [undefined]); // nothing to wait for: not kept
    awaiting.add(3, [hand("3a", calls)]);
    awaiting.add(4, [hand("4a", calls)]);
    expect(awaiting.take(2)).toBeUndefined();
    // 1 came before 2 and is not back: it was lost.
    expect(awaiting.take(1)).toBeUndefined();
    for (const run of awaiting.take(4) ?? []) run?.(0);
    expect(awaiting.take(3)).toBeUndefined();
    expect(awaiting.take(4)).toBeUndefined();
    expect(calls).toEqual(["4a"]);
  });

  it("keeps the callbacks of at most 10,000 numbers, the newest", () => {
    const awaiting = new AwaitingHands();
    for (let sequence = 1; sequence <= 10_001; sequence++) awaiting.add(sequence, [() => {}]);
    awaiting.forget(10_001);
    // Taking the last would forget every earlier one anyway: take them from the oldest.
    expect(awaiting.take(1)).toBeUndefined();
    expect(awaiting.take(2)).toHaveLength(1);
  });
});
