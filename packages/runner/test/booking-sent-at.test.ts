import { describe, expect, it } from "vitest";
import { runClaimedTrade } from "../src/trade-flow";
import { attemptsOf, claimedTrades, openTestEnv } from "./harness";
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
