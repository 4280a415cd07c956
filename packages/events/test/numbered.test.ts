import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HeardNumbers, LossAnnouncer, type MissedEventsError, readNumber } from "../src/numbered";

describe("HeardNumbers", () => {
  it("takes each bus's numbers once, in order, and tells how many of a bus's numbers never arrived", () => {
    const missed: MissedEventsError[] = [];
    const heard = new HeardNumbers((error) => missed.push(error));
    expect(heard.take("a", 4)).toBe(true); // the first heard of a: what came before is not known here
    expect(heard.take("a", 4)).toBe(false); // a repeat
    expect(heard.take("b", 0)).toBe(true);
    expect(heard.take("a", 5)).toBe(true);
    expect(heard.take("a", 3)).toBe(false); // late and already passed
    expect(missed).toEqual([]);
    expect(heard.take("a", 8)).toBe(true);
    expect(heard.take("b", 2)).toBe(true);
    expect(missed.map((error) => [error.sender, error.missed])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
  });

  it("tells of a loss on the first number heard of a bus when it comes alone and is not its 0: only a loss is announced so", () => {
    const missed: MissedEventsError[] = [];
    const heard = new HeardNumbers((error) => missed.push(error));
    expect(heard.take("a", 0, true)).toBe(true); // a bus starting
    expect(heard.take("b", 4, false)).toBe(true); // a message: what came before is not known here
    expect(missed).toEqual([]);
    expect(heard.take("c", 7, true)).toBe(true); // c gave up on a send before 7, which this receiver may have waited for
    expect(heard.take("c", 7, true)).toBe(false);
    expect(missed.map((error) => [error.sender, error.missed])).toEqual([["c", 1]]);
  });
});

describe("readNumber", () => {
  it("reads a bus's id and number, and nothing else", () => {
    expect(readNumber("a1b2 0")).toEqual({ sender: "a1b2", sequence: 0 });
    expect(readNumber("a1b2 17")).toEqual({ sender: "a1b2", sequence: 17 });
    // A message of a version that sent plain JSON, and numbers the buses never write.
    for (const header of [
      '{"n":1}',
      "a1b2",
      "a1b2 ",
      "a1b2 -1",
      "a1b2 0x1f",
      "a1b2 1e3",
      "a1b2 1.5",
      "a1b2 01",
      "a1b2  3",
      " 3",
      "a1b2 99999999999999999",
    ]) {
      expect(readNumber(header), header).toBeUndefined();
    }
  });
});

describe("LossAnnouncer", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function announcer(outcomes: ("ok" | "fail")[], busy = () => false) {
    const sent: number[] = [];
    const errors: unknown[] = [];
    let next = 10;
    const losses = new LossAnnouncer({
      async sendNumber() {
        const n = ++next;
        if (outcomes.shift() === "fail") throw new Error(`number ${n} not sent`);
        sent.push(n);
        return n;
      },
      busy,
      onError: (error) => errors.push(error),
    });
    return { losses, sent, errors };
  }

  it("sends the next number after a loss, trying again with a doubling wait until it goes", async () => {
    const { losses, sent, errors } = announcer(["fail", "fail", "ok"]);
    losses.lost(10);
    await vi.advanceTimersByTimeAsync(99);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // 100 ms: fails
    await vi.advanceTimersByTimeAsync(200); // then 200 ms: fails
    expect(errors).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(399);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1); // then 400 ms: goes
    expect(sent).toEqual([13]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([13]);
  });

  it("sends nothing when a later number went through first, or while a send is due that will carry one", async () => {
    const later = announcer(["ok"]);
    later.losses.lost(10);
    later.losses.sent(9); // an earlier number: tells nothing of the loss
    later.losses.sent(11);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(later.sent).toEqual([]);

    const busy = announcer(["ok"], () => true);
    busy.losses.lost(10);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(busy.sent).toEqual([]);
  });

  it("on close, tries once at once to tell a loss still untold, and then never again", async () => {
    const { losses, sent } = announcer(["ok"]);
    losses.lost(10);
    await losses.close();
    expect(sent).toEqual([11]);
    losses.lost(12);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sent).toEqual([11]);

    const quiet = announcer(["ok"]);
    await quiet.losses.close();
    expect(quiet.sent).toEqual([]);
  });
});
