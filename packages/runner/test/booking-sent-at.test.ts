import { describe, expect, it } from "vitest";
import { runClaimedTrade } from "../src/trade-flow";
import { attemptsOf, claimedTrades, eventually, openTestEnv } from "./harness";
import { ScriptedGateway } from "./scripted-gateway";

describe("bookingSentAt of an attempt whose quote expired", () => {
  it("is when the booking was sent, not when the refusal was handled", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", { book: ["QUOTE_EXPIRED", "ok"], delayMs: 300 });
    const arrivals: number[] = [];
    gateway.onArrive = (call) => {
      if (call.kind === "book") arrivals.push(Date.now());
    };
    const { trades } = await claimedTrades(env.database, ["ACC-1"]);
    await runClaimedTrade(trades[0]!, env.flow(gateway));
    const [first, second] = await attemptsOf(env.database, trades[0]!.id);
    // The second attempt (booked) records the send time taken before sending, as the flow does for book/refuseBooking.
    expect(second!.bookingSentAt!.getTime()).toBeLessThanOrEqual(arrivals[1]!);
    // The first attempt (refused QUOTE_EXPIRED, then requoted) should too.
    expect(first!.bookingSentAt!.getTime()).toBeLessThanOrEqual(arrivals[0]!);
  });
});

describe("bookingSentAt of a booking that waited for a slot at the bank", () => {
  it("is when the booking left for the bank, not when it began to wait for a slot", async () => {
    const env = await openTestEnv();
    // One slot: the first trade's quote, then the second's (400 ms at the bank), which the first
    // trade's booking waits for.
    const gateway = new ScriptedGateway().script("ACC-1", { delayMs: 50 }).script("ACC-2", { delayMs: 400 });
    const bookingArrivals: number[] = [];
    gateway.onArrive = (call) => {
      if (call.kind === "book" && call.accountNumber === "ACC-1") bookingArrivals.push(Date.now());
    };
    const { trades } = await claimedTrades(env.database, ["ACC-1", "ACC-2"]);
    const flow = env.flow(gateway, { concurrency: 1 });
    const first = runClaimedTrade(trades[0]!, flow);
    await eventually(() => gateway.quotes("ACC-1").length === 1);
    await Promise.all([first, runClaimedTrade(trades[1]!, flow)]);

    const [attempt] = await attemptsOf(env.database, trades[0]!.id);
    expect(attempt).toMatchObject({ outcome: "BOOKED" });
    expect(gateway.quotes("ACC-2")[0]!.result).toBeDefined();
    // Taken as the call left (the slot wait was about 350 ms), so within a few ms of its arrival.
    expect(bookingArrivals[0]! - attempt!.bookingSentAt!.getTime()).toBeLessThan(100);
    expect(attempt!.bookingSentAt!.getTime()).toBeLessThanOrEqual(bookingArrivals[0]!);
  });
});
