import { describe, expect, it } from "vitest";
import { BoundedQueue } from "../src/bounded-queue";

function drain<T>(queue: BoundedQueue<T>): T[] {
  const out: T[] = [];
  while (queue.size > 0) out.push(queue.shift() as T);
  return out;
}

describe("BoundedQueue", () => {
  it("gives messages back oldest first", () => {
    const queue = new BoundedQueue<number>(10);
    for (const n of [3, 1, 2]) queue.push(n);
    expect(queue.size).toBe(3);
    expect(drain(queue)).toEqual([3, 1, 2]);
    expect(queue.shift()).toBeUndefined();
  });

  it("refuses a message beyond its limit and keeps what it holds", () => {
    const queue = new BoundedQueue<string>(2);
    expect(queue.push("a")).toBe(true);
    expect(queue.push("b")).toBe(true);
    expect(queue.push("c")).toBe(false);
    expect(queue.push("d", "new key")).toBe(false);
    expect(drain(queue)).toEqual(["a", "b"]);
    expect(queue.push("e")).toBe(true);
    expect(drain(queue)).toEqual(["e"]);
  });

  it("replaces the queued message of a key with the new one, at the end", () => {
    const queue = new BoundedQueue<string>(10);
    queue.push("A1", "A");
    queue.push("x");
    queue.push("B1", "B");
    queue.push("A2", "A");
    queue.push("C1", "C");
    queue.push("C2", "C");
    queue.push("B2", "B");
    expect(queue.size).toBe(4);
    expect(drain(queue)).toEqual(["x", "A2", "C2", "B2"]);
  });

  it("accepts a message that supersedes one when full, but not one with a new key", () => {
    const queue = new BoundedQueue<string>(2);
    queue.push("A1", "A");
    queue.push("B1", "B");
    expect(queue.push("A2", "A")).toBe(true);
    expect(queue.push("C1", "C")).toBe(false);
    expect(queue.size).toBe(2);
    expect(drain(queue)).toEqual(["B1", "A2"]);
  });

  it("forgets a key once its message is read", () => {
    const queue = new BoundedQueue<string>(2);
    queue.push("A1", "A");
    expect(queue.shift()).toBe("A1");
    queue.push("B1", "B");
    queue.push("A2", "A");
    expect(drain(queue)).toEqual(["B1", "A2"]);
  });

  it("keeps one message per key however many arrive", () => {
    const queue = new BoundedQueue<number>(3);
    let refused = 0;
    for (let n = 0; n < 100_000; n++) if (!queue.push(n, `k${n % 3}`)) refused++;
    expect(refused).toBe(0);
    expect(drain(queue)).toEqual([99_997, 99_998, 99_999]);
  });

  it("holds nothing after clear", () => {
    const queue = new BoundedQueue<string>(2);
    queue.push("A1", "A");
    queue.push("b");
    queue.clear();
    expect(queue.size).toBe(0);
    queue.push("A2", "A");
    queue.push("c");
    expect(drain(queue)).toEqual(["A2", "c"]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("refuses the limit %s", (limit) => {
    expect(() => new BoundedQueue(limit)).toThrow(RangeError);
  });
});
