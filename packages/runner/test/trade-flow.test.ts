import { cancelBatchTrades, lockBatch, toTradeView } from "@fxbt/db";
import { describe, expect, it } from "vitest";
import { runClaimedTrade } from "../src/trade-flow";
import { batchById, capturingLogger, claimedTrades, expectCountersMatchTrades, openTestEnv, tradeById, WARN } from "./harness";
import { DEFAULT_PRICE, ScriptedGateway } from "./scripted-gateway";

describe("runClaimedTrade", () => {
  it("quotes, saves the quote, books it and saves the deal: SUCCESS with the bank's transaction, rate and amounts", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", {
      price: { rate: "0.0541234567", sellAmount: "18476.57", buyAmount: "1000.00" },
    });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;

    await runClaimedTrade(claimed, env.flow(gateway));

    const [quote, booking] = gateway.calls;
    expect(gateway.calls.map(({ kind }) => kind)).toEqual(["quote", "book"]);
    expect(quote).toMatchObject({ accountNumber: "ACC-1", key: claimed.idempotencyKey });
    expect(booking).toMatchObject({ accountNumber: "ACC-1", key: claimed.idempotencyKey, quoteId: "Q-1" });
    const trade = await tradeById(env.database, claimed.id);
    expect(toTradeView(trade)).toMatchObject({
      status: "SUCCESS",
      quoteId: "Q-1",
      transactionId: `T-${claimed.idempotencyKey}`,
      rate: "0.0541234567",
      sellAmount: "18476.57",
      buyAmount: "1000.00",
      errorCode: null,
      errorMessage: null,
      attempts: 1,
    });
    expect(trade.idempotencyKey).toBe(claimed.idempotencyKey);
    expect(trade.lockedAt).toBeNull();
    expect(env.tradeEvents(batch.id).map(({ previousStatus, trade }) => [previousStatus, trade.status])).toEqual([
      ["EXECUTING", "QUOTED"],
      ["QUOTED", "SUCCESS"],
    ]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1 });
    expect(env.batchEvents(batch.id).at(-1)).toMatchObject({ status: "SUCCESS", succeededTrades: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it.each(["INVALID_ACCOUNT", "QUOTE_REJECTED"] as const)(
    "a quote refused with %s fails the trade with that code and sends no booking",
    async (code) => {
      const env = await openTestEnv();
      const gateway = new ScriptedGateway().script("ACC-1", { quote: [code] });
      const { batch, trades } = await claimedTrades(env.database, ["ACC-1", "ACC-2"]);

      const flow = env.flow(gateway);
      await Promise.all(trades.map((trade) => runClaimedTrade(trade, flow)));

      expect(gateway.bookings("ACC-1")).toEqual([]);
      expect(gateway.bookings("ACC-2")).toHaveLength(1);
      expect(await tradeById(env.database, trades[0]!.id)).toMatchObject({
        status: "FAILED",
        errorCode: code,
        errorMessage: `scripted ${code}`,
        quoteId: null,
        transactionId: null,
        lockedAt: null,
      });
      expect(await tradeById(env.database, trades[1]!.id)).toMatchObject({ status: "SUCCESS" });
      expect(await batchById(env.database, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 1, failedTrades: 1 });
      await expectCountersMatchTrades(env.database, batch.id);
    },
  );

  it.each(["INSUFFICIENT_FUNDS", "BOOKING_REJECTED", "QUOTE_NOT_FOUND"] as const)(
    "a booking refused with %s fails the trade with that code, after one send",
    async (code) => {
      const env = await openTestEnv();
      const gateway = new ScriptedGateway().script("ACC-1", { book: [code, "ok"] });
      const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
      const claimed = trades[0]!;

      await runClaimedTrade(claimed, env.flow(gateway));

      expect(gateway.bookings()).toHaveLength(1);
      const trade = await tradeById(env.database, claimed.id);
      expect(toTradeView(trade)).toMatchObject({
        status: "FAILED",
        errorCode: code,
        errorMessage: `scripted ${code}`,
        transactionId: null,
        quoteId: "Q-1",
        rate: DEFAULT_PRICE.rate,
      });
      expect(trade.lockedAt).toBeNull();
      expect(env.tradeEvents(batch.id).map(({ trade }) => trade.status)).toEqual(["QUOTED", "FAILED"]);
      expect(await batchById(env.database, batch.id)).toMatchObject({ status: "FAILED", failedTrades: 1 });
      await expectCountersMatchTrades(env.database, batch.id);
    },
  );

  it.each(["BANK_TIMEOUT", "BANK_UNAVAILABLE"] as const)(
    "a booking whose answer is lost (%s) is sent again with the same key and quote, and booked once",
    async (code) => {
      const env = await openTestEnv();
      const gateway = new ScriptedGateway().script("ACC-1", { book: [code, code, "ok"] });
      const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
      const claimed = trades[0]!;

      await runClaimedTrade(claimed, env.flow(gateway, { bookingAttempts: 3 }));

      expect(gateway.quotes()).toHaveLength(1);
      const bookings = gateway.bookings();
      expect(bookings.map(({ key, quoteId }) => [key, quoteId])).toEqual([
        [claimed.idempotencyKey, "Q-1"],
        [claimed.idempotencyKey, "Q-1"],
        [claimed.idempotencyKey, "Q-1"],
      ]);
      expect(bookings.filter(({ result }) => result && "deal" in result)).toHaveLength(1);
      expect(await tradeById(env.database, claimed.id)).toMatchObject({
        status: "SUCCESS",
        idempotencyKey: claimed.idempotencyKey,
        transactionId: `T-${claimed.idempotencyKey}`,
        attempts: 1,
      });
      await expectCountersMatchTrades(env.database, batch.id);
    },
  );

  it("a booking that times out on every attempt leaves the trade QUOTED under its key, never FAILED, and logs a warning", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", { book: ["BANK_TIMEOUT"] });
    const { log, lines } = capturingLogger();
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;

    await runClaimedTrade(claimed, env.flow(gateway, { bookingAttempts: 3, log }));

    expect(gateway.bookings().map(({ key }) => key)).toEqual([claimed.idempotencyKey, claimed.idempotencyKey, claimed.idempotencyKey]);
    const trade = await tradeById(env.database, claimed.id);
    expect(trade).toMatchObject({
      status: "QUOTED",
      idempotencyKey: claimed.idempotencyKey,
      quoteId: "Q-1",
      errorCode: null,
      transactionId: null,
    });
    // Still under a claim: recovery takes it over only once this lease has run out.
    expect(trade.lockedAt).not.toBeNull();
    const warnings = lines.filter(({ level }) => level === WARN);
    expect(warnings.filter(({ msg }) => msg === "booking not answered; its outcome is unknown")).toHaveLength(3);
    expect(warnings.at(-1)).toMatchObject({
      tradeId: claimed.id,
      idempotencyKey: claimed.idempotencyKey,
      msg: "booking outcome still unknown; the trade stays QUOTED for recovery to ask the bank",
    });
    // Between sends, the bank was asked by key what it had recorded (nothing: the answers were lost before it).
    expect(gateway.lookups()).toEqual([claimed.idempotencyKey, claimed.idempotencyKey]);
    expect(env.tradeEvents(batch.id).map(({ trade }) => trade.status)).toEqual(["QUOTED"]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", succeededTrades: 0, failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("a trade cancelled while its quote was being asked for is never booked", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway();
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    // The person cancels the batch after the quote request went out, before the bank answers.
    gateway.script("ACC-1", {
      before: () =>
        env.database.prisma.$transaction(async (tx) => {
          await lockBatch(tx, batch.id);
          await cancelBatchTrades(tx, batch.id);
        }),
    });

    await runClaimedTrade(trades[0]!, env.flow(gateway));

    expect(gateway.quotes()).toHaveLength(1);
    expect(gateway.bookings()).toEqual([]);
    expect(await tradeById(env.database, trades[0]!.id)).toMatchObject({ status: "CANCELLED", quoteId: null, transactionId: null });
    expect(env.tradeEvents(batch.id)).toEqual([]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "CANCELLED", cancelledTrades: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
