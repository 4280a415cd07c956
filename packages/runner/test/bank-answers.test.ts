import { BankError } from "@fxbt/bank";
import { claimPendingTrades } from "@fxbt/db";
import { describe, expect, it } from "vitest";
import { runClaimedTrade } from "../src/trade-flow";
import {
  attemptsOf,
  batchById,
  capturingLogger,
  claimedTrades,
  expectCountersMatchTrades,
  finished,
  openTestEnv,
  queue,
  queueAndPromote,
  seedBatch,
  type TestEnv,
  tradeById,
  tradesOf,
  utcDate,
  WARN,
} from "./harness";
import { type Answer, ScriptedGateway } from "./scripted-gateway";

/** The statuses a trade went through, as its events told them. */
function statusPath(env: TestEnv, batchId: string, tradeId: string): string[] {
  return env
    .tradeEvents(batchId)
    .filter(({ trade }) => trade.id === tradeId)
    .map(({ previousStatus, trade }) => `${previousStatus}>${trade.status}`);
}

/** Nothing the product stored or published about the batch carries this text. */
async function expectNowhereStored(env: TestEnv, batchId: string, text: string): Promise<void> {
  const trades = await tradesOf(env.database, batchId);
  const attempts = await Promise.all(trades.map((trade) => attemptsOf(env.database, trade.id)));
  expect(JSON.stringify({ trades, attempts, events: env.events })).not.toContain(text);
}

describe("a booking whose answer is lost after the bank booked it", () => {
  it("a plain Error from bookDeal: the bank is asked by key, and the trade ends SUCCESS with that deal, sent under one key once", async () => {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = new ScriptedGateway().script("ACC-1", { book: ["lost-after-booking", "ok"] });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const key = claimed.idempotencyKey!;

    await runClaimedTrade(claimed, env.flow(gateway, { log }));

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", key],
      ["book", key],
      ["lookup", key],
    ]);
    // The adapter threw a plain Error, not a BankError: the bank's answer was simply lost.
    const lost = gateway.bookings()[0]!.result as { error: unknown };
    expect(lost.error).toBeInstanceOf(Error);
    expect(lost.error).not.toBeInstanceOf(BankError);
    expect((lost.error as Error).message).toBe("socket hang up");
    const trade = await tradeById(env.database, claimed.id);
    expect(trade).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      transactionId: `T-${key}`,
      quoteId: "Q-1",
      errorCode: null,
      errorMessage: null,
      attempts: 1,
      lockedAt: null,
    });
    const attempts = await attemptsOf(env.database, claimed.id);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      number: 1,
      idempotencyKey: key,
      outcome: "BOOKED",
      transactionId: `T-${key}`,
      errorCode: null,
      errorMessage: null,
    });
    expect(attempts[0]!.bookingSentAt).not.toBeNull();
    expect(statusPath(env, batch.id, claimed.id)).toEqual(["EXECUTING>QUOTED", "QUOTED>SUCCESS"]);
    // The adapter's text went to the log, never into the trade, its history or an event.
    const warning = lines.find(({ msg }) => msg === "booking not answered; its outcome is unknown");
    expect(warning).toMatchObject({ level: WARN, idempotencyKey: key, err: { message: "socket hang up" } });
    await expectNowhereStored(env, batch.id, "socket hang up");
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1, failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("when the lookup fails too, the bank is asked again by key rather than sent a new booking", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", {
      book: ["lost-after-booking", "ok"],
      lookup: [{ throw: new Error("ECONNRESET") }, "ok"],
    });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const key = claimed.idempotencyKey!;

    await runClaimedTrade(claimed, env.flow(gateway, { bookingAttempts: 3 }));

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", key],
      ["book", key],
      ["lookup", key],
      ["lookup", key],
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      transactionId: `T-${key}`,
      errorMessage: null,
      attempts: 1,
    });
    expect(statusPath(env, batch.id, claimed.id)).toEqual(["EXECUTING>QUOTED", "QUOTED>SUCCESS"]);
    await expectNowhereStored(env, batch.id, "ECONNRESET");
    await expectNowhereStored(env, batch.id, "socket hang up");
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("a quote the bank does not answer", () => {
  const unanswered: [string, Answer][] = [
    ["a plain Error", { throw: new Error("ECONNRESET") }],
    ["BANK_UNAVAILABLE", "BANK_UNAVAILABLE"],
    ["BANK_TIMEOUT", "BANK_TIMEOUT"],
  ];

  it.each(unanswered)("(%s) is asked again under the same requestId, then booked; never FAILED for it", async (_, answer) => {
    const env = await openTestEnv();
    const { log, lines } = capturingLogger();
    const gateway = new ScriptedGateway().script("ACC-1", { quote: [answer, answer, "ok"] });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const key = claimed.idempotencyKey!;

    await runClaimedTrade(claimed, env.flow(gateway, { log }));

    // Three quote requests under the trade's one key; the booking only after the quote that was answered.
    expect(gateway.calls.map(({ kind, key, quoteId }) => [kind, key, quoteId])).toEqual([
      ["quote", key, null],
      ["quote", key, null],
      ["quote", key, null],
      ["book", key, "Q-1"],
    ]);
    expect(gateway.quotes().map(({ result }) => (result && "quote" in result ? result.quote.quoteId : "unanswered"))).toEqual([
      "unanswered",
      "unanswered",
      "Q-1",
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: key,
      quoteId: "Q-1",
      transactionId: `T-${key}`,
      errorCode: null,
      errorMessage: null,
      attempts: 1,
    });
    expect(await attemptsOf(env.database, claimed.id)).toMatchObject([{ number: 1, idempotencyKey: key, outcome: "BOOKED" }]);
    expect(statusPath(env, batch.id, claimed.id)).toEqual(["EXECUTING>QUOTED", "QUOTED>SUCCESS"]);
    expect(
      lines
        .filter(({ msg }) => msg === "quote not answered; asking again")
        .map(({ level, requestId, attempt }) => [level, requestId, attempt]),
    ).toEqual([
      [WARN, key, 1],
      [WARN, key, 2],
    ]);
    await expectNowhereStored(env, batch.id, "ECONNRESET");
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("a booking refused with QUOTE_EXPIRED", () => {
  it("is quoted again under a new key: the old attempt ends REFUSED with QUOTE_EXPIRED, the new one is booked", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", { book: ["QUOTE_EXPIRED", "ok"] });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const [first, second] = [`${claimed.id}:1`, `${claimed.id}:2`];
    expect(claimed.idempotencyKey).toBe(first);

    await runClaimedTrade(claimed, env.flow(gateway));

    expect(gateway.calls.map(({ kind, key, quoteId }) => [kind, key, quoteId])).toEqual([
      ["quote", first, null],
      ["book", first, "Q-1"],
      ["quote", second, null],
      ["book", second, "Q-2"],
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: second,
      attempts: 2,
      quoteId: "Q-2",
      transactionId: `T-${second}`,
      errorCode: null,
      errorMessage: null,
      lockedAt: null,
    });
    const attempts = await attemptsOf(env.database, claimed.id);
    expect(attempts).toMatchObject([
      {
        number: 1,
        idempotencyKey: first,
        quoteId: "Q-1",
        outcome: "REFUSED",
        errorCode: "QUOTE_EXPIRED",
        errorMessage: "the quote expired before the booking arrived; quoting again",
        transactionId: null,
      },
      { number: 2, idempotencyKey: second, quoteId: "Q-2", outcome: "BOOKED", errorCode: null, transactionId: `T-${second}` },
    ]);
    expect(attempts[0]!.finishedAt).not.toBeNull();
    expect(attempts[0]!.bookingSentAt).not.toBeNull();
    expect(statusPath(env, batch.id, claimed.id)).toEqual(["EXECUTING>QUOTED", "QUOTED>EXECUTING", "EXECUTING>QUOTED", "QUOTED>SUCCESS"]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1, failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it.each([0, 2])(
    "after requoteLimit (%i) new quotes that all expire, the trade ends FAILED with QUOTE_EXPIRED and no further quote is asked",
    async (requoteLimit) => {
      const env = await openTestEnv();
      const gateway = new ScriptedGateway().script("ACC-1", { book: ["QUOTE_EXPIRED"] });
      const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
      const claimed = trades[0]!;
      const keys = Array.from({ length: requoteLimit + 1 }, (_, index) => `${claimed.id}:${index + 1}`);

      await runClaimedTrade(claimed, env.flow(gateway, { requoteLimit }));

      expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual(
        keys.flatMap((key) => [
          ["quote", key],
          ["book", key],
        ]),
      );
      expect(await tradeById(env.database, claimed.id)).toMatchObject({
        status: "FAILED",
        idempotencyKey: keys.at(-1),
        attempts: requoteLimit + 1,
        errorCode: "QUOTE_EXPIRED",
        errorMessage: `the quote expired before the booking arrived, ${requoteLimit + 1} times; the trade was not booked`,
        transactionId: null,
        lockedAt: null,
      });
      const attempts = await attemptsOf(env.database, claimed.id);
      expect(attempts.map(({ number, idempotencyKey, outcome, errorCode }) => [number, idempotencyKey, outcome, errorCode])).toEqual(
        keys.map((key, index) => [index + 1, key, "REFUSED", "QUOTE_EXPIRED"]),
      );
      expect(statusPath(env, batch.id, claimed.id).at(-1)).toBe("QUOTED>FAILED");
      expect(statusPath(env, batch.id, claimed.id).filter((step) => step === "QUOTED>EXECUTING")).toHaveLength(requoteLimit);
      expect(await batchById(env.database, batch.id)).toMatchObject({ status: "FAILED", failedTrades: 1 });
      await expectCountersMatchTrades(env.database, batch.id);
    },
  );

  it("whose answer was lost: no new key until a lookup of the old key says REFUSED QUOTE_EXPIRED", async () => {
    const env = await openTestEnv();
    // The bank refused the first booking (expired) but its answer timed out; the first lookup is not answered either.
    const gateway = new ScriptedGateway().script("ACC-1", {
      book: [{ lost: "QUOTE_EXPIRED", throw: new BankError("BANK_TIMEOUT", "scripted BANK_TIMEOUT") }, "ok"],
      lookup: ["BANK_UNAVAILABLE", "ok"],
    });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const [first, second] = [`${claimed.id}:1`, `${claimed.id}:2`];

    await runClaimedTrade(claimed, env.flow(gateway, { bookingAttempts: 3 }));

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", first],
      ["book", first],
      ["lookup", first],
      ["lookup", first],
      ["quote", second],
      ["book", second],
    ]);
    const [unanswered, answered] = gateway.calls.filter(({ kind }) => kind === "lookup");
    expect(unanswered!.result).toMatchObject({ error: { code: "BANK_UNAVAILABLE" } });
    expect(answered!.result).toMatchObject({ lookup: { status: "REFUSED", code: "QUOTE_EXPIRED" } });
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "SUCCESS",
      idempotencyKey: second,
      attempts: 2,
      transactionId: `T-${second}`,
    });
    expect(await attemptsOf(env.database, claimed.id)).toMatchObject([
      { number: 1, idempotencyKey: first, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED", transactionId: null },
      { number: 2, idempotencyKey: second, outcome: "BOOKED", transactionId: `T-${second}` },
    ]);
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("whose answer was lost and never learned: the trade stays QUOTED under the old key, and no new key is used", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway().script("ACC-1", {
      book: [{ lost: "QUOTE_EXPIRED", throw: new BankError("BANK_TIMEOUT", "scripted BANK_TIMEOUT") }],
      lookup: ["BANK_UNAVAILABLE"],
    });
    const { batch, trades } = await claimedTrades(env.database, ["ACC-1"]);
    const claimed = trades[0]!;
    const first = `${claimed.id}:1`;

    await runClaimedTrade(claimed, env.flow(gateway, { bookingAttempts: 3 }));

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", first],
      ["book", first],
      ["lookup", first],
      ["lookup", first],
    ]);
    expect(gateway.callsWithKey(`${claimed.id}:2`)).toEqual([]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "QUOTED",
      idempotencyKey: first,
      attempts: 1,
      quoteId: "Q-1",
      errorCode: null,
    });
    expect(await attemptsOf(env.database, claimed.id)).toMatchObject([{ number: 1, idempotencyKey: first, outcome: null }]);
    expect(await batchById(env.database, batch.id)).toMatchObject({ status: "RUNNING", failedTrades: 0 });
    await expectCountersMatchTrades(env.database, batch.id);
  });

  it("and the value date passes before the new quote: FAILED with VALUE_DATE_PASSED, the new key never sent", async () => {
    const env = await openTestEnv();
    const today = utcDate(0);
    let clock = today;
    // The first booking arrives at midnight: by the time the bank refuses it, the trade's value date (today) has passed.
    const gateway = new ScriptedGateway().script("ACC-1", {
      book: ["QUOTE_EXPIRED", "ok"],
      before: (call) => {
        if (call.kind === "book") clock = utcDate(1);
      },
    });
    const batch = await seedBatch(env.database, ["ACC-1"], { valueDates: { "ACC-1": today } });
    await queueAndPromote(env.database, batch.id);
    const claimed = (await claimPendingTrades(env.database.prisma, batch.id, 1))[0]!.trade;
    const flow = env.flow(gateway);
    flow.today = () => clock;

    await runClaimedTrade(claimed, flow);

    expect(gateway.calls.map(({ kind, key }) => [kind, key])).toEqual([
      ["quote", `${claimed.id}:1`],
      ["book", `${claimed.id}:1`],
    ]);
    expect(await tradeById(env.database, claimed.id)).toMatchObject({
      status: "FAILED",
      idempotencyKey: `${claimed.id}:2`,
      attempts: 2,
      errorCode: "VALUE_DATE_PASSED",
      errorMessage: `the value date ${today} has passed; the trade was not sent to the bank`,
      quoteId: null,
      transactionId: null,
    });
    expect(await attemptsOf(env.database, claimed.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "QUOTE_EXPIRED" },
      { number: 2, outcome: "REFUSED", errorCode: "VALUE_DATE_PASSED", quoteId: null, bookingSentAt: null },
    ]);
    await expectCountersMatchTrades(env.database, batch.id);
  });
});

describe("a trade whose value date has passed", () => {
  it("ends FAILED with VALUE_DATE_PASSED and the bank gets no call for it; the batch's other trades run", async () => {
    const env = await openTestEnv();
    const gateway = new ScriptedGateway();
    const yesterday = utcDate(-1);
    const batch = await seedBatch(env.database, ["ACC-0001", "ACC-0002", "ACC-0003"], {
      valueDates: { "ACC-0002": yesterday, "ACC-0003": utcDate(0) },
    });
    await queue(env.database, batch.id);
    const runner = env.runner(gateway);

    runner.start();
    expect(await finished(env.database, batch.id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 2, failedTrades: 1 });
    await runner.stop();

    const [, passed] = await tradesOf(env.database, batch.id);
    expect(passed).toMatchObject({
      accountNumber: "ACC-0002",
      status: "FAILED",
      errorCode: "VALUE_DATE_PASSED",
      errorMessage: `the value date ${yesterday} has passed; the trade was not sent to the bank`,
      quoteId: null,
      transactionId: null,
      lockedAt: null,
    });
    expect(gateway.calls.filter(({ accountNumber }) => accountNumber === "ACC-0002")).toEqual([]);
    expect(gateway.callsWithKey(passed!.idempotencyKey!)).toEqual([]);
    expect(gateway.calls.map(({ kind, accountNumber }) => `${kind} ${accountNumber}`).sort()).toEqual([
      "book ACC-0001",
      "book ACC-0003",
      "quote ACC-0001",
      "quote ACC-0003",
    ]);
    expect(await attemptsOf(env.database, passed!.id)).toMatchObject([
      { number: 1, outcome: "REFUSED", errorCode: "VALUE_DATE_PASSED", quoteId: null, bookingSentAt: null, transactionId: null },
    ]);
    expect(statusPath(env, batch.id, passed!.id)).toEqual(["PENDING>EXECUTING", "EXECUTING>FAILED"]);
    expect(runner.tradesFinished).toEqual({ SUCCESS: 2, FAILED: 1 });
    await expectCountersMatchTrades(env.database, batch.id);
  });
});
