import { describe, expect, it } from "vitest";
import { AwaitingEchoes, AwaitingHands } from "../src/handed";

const hand = (name: string, calls: string[]) => () => void calls.push(name);

describe("the callbacks of a bus's own messages on their way through a broker", () => {
  it("PostgreSQL: gives a notification's callbacks once, and forgets those of earlier notifications that were lost", () => {
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

  it("PostgreSQL: keeps at most 10,000 notifications' callbacks, the newest", () => {
    const awaiting = new AwaitingHands();
    for (let sequence = 1; sequence <= 10_001; sequence++) awaiting.add(sequence, [() => {}]);
    awaiting.forget(10_001);
    // Taking the last would forget every earlier one anyway: take them from the oldest.
    expect(awaiting.take(1)).toBeUndefined();
    expect(awaiting.take(2)).toHaveLength(1);
  });

  it("Redis: knows its own message by channel and text among others', and forgets its own published before one that came back", () => {
    const calls: string[] = [];
    const awaiting = new AwaitingEchoes();
    awaiting.add("c", '{"n":1}', hand("1", calls));
    awaiting.add("c", '{"n":2}', hand("2", calls));
    awaiting.add("d", '{"n":2}', hand("d2", calls));
    expect(awaiting.take("c", '{"n":9}')).toBeUndefined(); // another instance's
    expect(awaiting.take("d", '{"n":1}')).toBeUndefined(); // same text, another channel
    awaiting.take("c", '{"n":2}')?.(0);
    expect(awaiting.take("c", '{"n":1}')).toBeUndefined(); // lost before 2 came back
    awaiting.take("d", '{"n":2}')?.(0);
    expect(calls).toEqual(["2", "d2"]);
  });

  it("Redis: forgets a message whose publish failed, and keeps at most 10,000", () => {
    const calls: string[] = [];
    const awaiting = new AwaitingEchoes();
    const failed = hand("failed", calls);
    awaiting.add("c", "1", failed);
    awaiting.forget(failed);
    expect(awaiting.take("c", "1")).toBeUndefined();
    for (let n = 0; n <= 10_000; n++) awaiting.add("c", String(n), hand(String(n), calls));
    expect(awaiting.take("c", "0")).toBeUndefined();
    expect(awaiting.take("c", "1")).toBeDefined();
  });
});
