/**
 * retryFailedTrades(tradeIds:): exactly the trades a person selected run again, all or none,
 * through GraphQL over HTTP, checked against the simulated bank's ledger.
 */
import { readFileSync } from "node:fs";
import { BankError, createBankSimulator, type FxGateway } from "@fxbt/bank";
import { connectDatabase } from "@fxbt/db";
import { MAX_RETRY_SELECTION } from "@fxbt/domain";
import { describe, expect, it } from "vitest";
import {
  BATCH_FIELDS,
  type BatchFields,
  finishedBatch,
  type GraphQLResponse,
  START,
  stage,
  type TestApp,
  tradesCsv,
  useTestApp,
} from "./harness";
import { expectLedgerAgrees } from "./ledger";
import { retryAuditOf, type TradeState, tradeStatesOf } from "./retry-fixtures";

const RETRY_SELECTED = `mutation($id: ID!, $tradeIds: [ID!], $errorCodes: [String!]) {
  retryFailedTrades(id: $id, tradeIds: $tradeIds, errorCodes: $errorCodes) { ${BATCH_FIELDS} }
}`;

/** Accounts ending so (none of the simulator's test accounts) are refused once: see refusingFirstQuotes. */
const REFUSED_ONCE = "5555";

/**
 * The simulated bank, booking every ordinary trade, except that it refuses the first attempt of
 * a trade whose account ends REFUSED_ONCE at quote (QUOTE_REJECTED, a retryable refusal) and
 * books every later one: which trades fail, and that a retry books them, is known beforehand.
 * The attempt is the end of the quote's requestId, the trade's idempotency key `<trade id>:<attempt>`.
 */
function refusingFirstQuotes(databaseUrl: string): FxGateway {
  const database = connectDatabase({ url: databaseUrl, maxConnections: 4 });
  const bank = createBankSimulator({ database, latencyMs: 5, successRate: 1, seed: "retry-selected" });
  return {
    createQuote: (request) =>
      request.accountNumber.endsWith(REFUSED_ONCE) && request.requestId.endsWith(":1")
        ? Promise.reject(new BankError("QUOTE_REJECTED", `no price for account ${request.accountNumber} just now (test)`))
        : bank.createQuote(request),
    bookDeal: (request) => bank.bookDeal(request),
    lookupBooking: (key) => bank.lookupBooking(key),
    close: async () => {
      await bank.close();
      await database.close();
    },
  };
}

const { app, sql, database } = useTestApp({}, (databaseUrl) => ({ gateway: refusingFirstQuotes(databaseUrl) }));

const tradesOf = (batchId: string) => tradeStatesOf(sql, batchId);
const auditOf = (batchId: string) => retryAuditOf(sql, batchId);

/**
 * A finished batch of 44: rows 1, 2 INVALID_ACCOUNT (…9999, permanent), row 3 INSUFFICIENT_FUNDS
 * (…8888), rows 5, 15, 25, 35 QUOTE_REJECTED on their first attempt only (…5555), the other 37 booked.
 * Staged by `as` (default the admin, of no partner).
 */
async function finishedWithFailures(as: TestApp = app) {
  const account = (row: number) =>
    row <= 2 ? "1000009999" : row === 3 ? "1000008888" : row % 10 === 5 ? `100000${REFUSED_ONCE}` : "1234567890";
  const { id } = await stage(as, tradesCsv(44, account));
  await as.query(START, { id });
  const batch = await finishedBatch(app, id);
  expect(batch).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 37, failedTrades: 7 });
  const trades = await tradesOf(id);
  const refusedOnce = trades.filter((trade) => trade.code === "QUOTE_REJECTED");
  expect(refusedOnce.map((trade) => trade.row)).toEqual([5, 15, 25, 35]);
  return { id, batch, trades, refusedOnce };
}

const retrySelected = (id: string, tradeIds: unknown, errorCodes?: string[], as: TestApp = app) =>
  as.request<{ retryFailedTrades: BatchFields }>(RETRY_SELECTED, { id, tradeIds, errorCodes });

const counters = ({ status, succeededTrades, failedTrades, completedAt }: BatchFields) => ({
  status,
  succeededTrades,
  failedTrades,
  completedAt,
});

/** The trades other than `except`, as they were. */
const untouched = (trades: TradeState[], except: readonly string[]) => trades.filter((trade) => !except.includes(trade.id));

describe("retryFailedTrades(tradeIds:) retries exactly the selected trades", () => {
  it("runs the selected trades again and the bank books them, each once; every other trade stays as it was", async () => {
    const { id, batch, trades, refusedOnce } = await finishedWithFailures();
    // Named out of row order: the audit record lists rows in order.
    const selected = [refusedOnce[2]!.id, refusedOnce[0]!.id];
    const answer = await retrySelected(id, selected);
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.retryFailedTrades.failedTrades).toBe(batch.failedTrades - 2);
    expect(["PENDING", "RUNNING"]).toContain(answer.data!.retryFailedTrades.status);
    expect(await auditOf(id)).toEqual([
      { outcome: "SUCCEEDED", detail: `${batch.batchUid}: retried 2 selected trades (rows 5, 25): 2 QUOTE_REJECTED` },
    ]);

    expect(await finishedBatch(app, id)).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 39, failedTrades: 5 });
    const after = await tradesOf(id);
    expect(after.filter((trade) => selected.includes(trade.id))).toMatchObject([
      { row: 5, status: "SUCCESS", code: null, attempts: 2 },
      { row: 25, status: "SUCCESS", code: null, attempts: 2 },
    ]);
    // Rows 15 and 35 failed the same way and were not selected: still FAILED after one attempt.
    expect(untouched(after, selected)).toEqual(untouched(trades, selected));
    const ledger = await expectLedgerAgrees(database.url, id);
    expect(ledger.booked).toBe(39);
  });

  it("runs a permanent refusal selected on purpose: the bank refuses it again, the same code's other trade is left alone", async () => {
    const { id, batch, trades } = await finishedWithFailures();
    const invalid = trades[0]!;
    expect(invalid).toMatchObject({ row: 1, status: "FAILED", code: "INVALID_ACCOUNT" });
    expect((await retrySelected(id, [invalid.id])).errors).toBeUndefined();
    expect(await auditOf(id)).toEqual([
      { outcome: "SUCCEEDED", detail: `${batch.batchUid}: retried 1 selected trade (row 1): 1 INVALID_ACCOUNT` },
    ]);
    expect(await finishedBatch(app, id)).toMatchObject({ status: batch.status, failedTrades: batch.failedTrades });
    const after = await tradesOf(id);
    expect(after[0]).toMatchObject({ status: "FAILED", code: "INVALID_ACCOUNT", attempts: 2 });
    expect(untouched(after, [invalid.id])).toEqual(untouched(trades, [invalid.id]));
    await expectLedgerAgrees(database.url, id);
  });
});

describe("a selection that cannot be retried is refused whole: one BAD_USER_INPUT naming tradeIds, nothing changes", () => {
  const refusal = (answer: GraphQLResponse<unknown>) => {
    expect(answer.errors).toHaveLength(1);
    const [error] = answer.errors!;
    expect(error!.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "tradeIds" });
    return { message: error!.message, tradeIds: error!.extensions!.tradeIds };
  };

  it("refuses each bad list, and a list with a single bad id among good ones", async () => {
    const { id, batch, trades, refusedOnce } = await finishedWithFailures();
    const other = await finishedWithFailures();
    const failedId = refusedOnce[0]!.id;
    const booked = trades.find((trade) => trade.status === "SUCCESS")!;
    const unknown = "00000000-0000-4000-8000-000000000000";

    expect(refusal(await retrySelected(id, [])).message).toBe(
      "tradeIds is empty: name the failed trades to retry, or leave it out to retry every retryable failure",
    );
    expect(refusal(await retrySelected(id, [failedId], ["QUOTE_REJECTED"])).message).toBe(
      "errorCodes and tradeIds cannot be given together: retry by error code or by selected trades",
    );
    expect(refusal(await retrySelected(id, [failedId, failedId]))).toEqual({
      message: `tradeIds names ${failedId} more than once; name each trade once (nothing was retried)`,
      tradeIds: [failedId],
    });
    expect(refusal(await retrySelected(id, [failedId, "nope"]))).toEqual({
      message: 'tradeIds: "nope" is not a trade id; nothing was retried',
      tradeIds: ["nope"],
    });
    const tooMany = Array.from({ length: MAX_RETRY_SELECTION + 1 }, (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`);
    expect(refusal(await retrySelected(id, tooMany)).message).toBe(
      "tradeIds names 5,001 trades; at most 5,000 can be retried in one call (retry by error code for more)",
    );
    expect(refusal(await retrySelected(id, [booked.id])).message).toBe(
      `batch ${batch.batchUid}: tradeIds: the trade cannot be retried: ${booked.id} (row ${booked.row}) is SUCCESS, not FAILED`,
    );
    const otherBatchTrade = other.refusedOnce[0]!.id;
    expect(refusal(await retrySelected(id, [failedId, booked.id, otherBatchTrade, unknown]))).toEqual({
      message: `batch ${batch.batchUid}: tradeIds: 3 of the 4 trades cannot be retried, so none was: ${booked.id} (row ${booked.row}) is SUCCESS, not FAILED; ${otherBatchTrade} is not a trade of this batch; ${unknown} is not a trade of this batch`,
      tradeIds: [booked.id, otherBatchTrade, unknown],
    });

    // Nothing moved, in this batch or the other, and a refused input is not an action to audit.
    expect(await tradesOf(id)).toEqual(trades);
    expect(await tradesOf(other.id)).toEqual(other.trades);
    expect(await finishedBatch(app, id)).toMatchObject(counters(batch));
    expect(await auditOf(id)).toEqual([]);
  });

  it("a batch not finished, or archived, is BAD_BATCH_STATE as for every retry", async () => {
    const { id: pendingId } = await stage(app, tradesCsv(2));
    const pendingTrades = await tradesOf(pendingId);
    const pending = await retrySelected(pendingId, [pendingTrades[0]!.id]);
    expect(pending.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(pending.errors?.[0]?.message).toContain("only a PARTIAL_SUCCESS or FAILED batch's can");

    const { id, refusedOnce } = await finishedWithFailures();
    await app.query(`mutation($id: ID!) { archiveBatch(id: $id) { id } }`, { id });
    const archived = await retrySelected(id, [refusedOnce[0]!.id]);
    expect(archived.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(archived.errors?.[0]?.message).toContain("archived");
  });
});

describe("races and access", () => {
  it("two retries of the same selection at once: one requeues it, the other is refused, nothing is booked twice", async () => {
    const { id, batch, trades, refusedOnce } = await finishedWithFailures();
    const selected = [trades[0]!.id, refusedOnce[0]!.id, refusedOnce[1]!.id];
    const answers = await Promise.all([retrySelected(id, selected), retrySelected(id, selected)]);
    const won = answers.filter((answer) => !answer.errors);
    expect(won).toHaveLength(1);
    expect(won[0]!.data!.retryFailedTrades.failedTrades).toBe(batch.failedTrades - 3);
    // The other waited for the batch's lock: the batch is queued again (BAD_BATCH_STATE), or, had
    // the second run finished first, two of the trades are booked (BAD_USER_INPUT). Never a second run.
    const lost = answers.find((answer) => answer.errors)!;
    expect(["BAD_BATCH_STATE", "BAD_USER_INPUT"]).toContain(lost.errors![0]!.extensions!.code);

    await finishedBatch(app, id);
    const after = await tradesOf(id);
    expect(after.filter((trade) => selected.includes(trade.id)).map(({ status, attempts }) => ({ status, attempts }))).toEqual([
      { status: "FAILED", attempts: 2 },
      { status: "SUCCESS", attempts: 2 },
      { status: "SUCCESS", attempts: 2 },
    ]);
    expect(untouched(after, selected)).toEqual(untouched(trades, selected));
    expect((await expectLedgerAgrees(database.url, id)).booked).toBe(39);
    expect((await auditOf(id)).filter((record) => record.outcome === "SUCCEEDED")).toHaveLength(1);
  });

  it("another partner's batch is NOT_FOUND whatever the selection; a VIEWER may not retry", async () => {
    const { id, batch, trades, refusedOnce } = await finishedWithFailures();
    const partner = app.as(await app.createKey("TRADER", "globex"));
    const foreign = await retrySelected(id, [refusedOnce[0]!.id], undefined, partner);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect(foreign.errors?.[0]?.message).toBe(`batch ${id} does not exist`);

    const viewer = app.as(await app.createKey("VIEWER"));
    expect((await retrySelected(id, [refusedOnce[0]!.id], undefined, viewer)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    expect(await tradesOf(id)).toEqual(trades);
    expect(await finishedBatch(app, id)).toMatchObject(counters(batch));
  });
});

describe("trade ids of another partner", () => {
  it("in a partner's own selection are answered as unknown ids: the refusal tells nothing of them, and nothing moves", async () => {
    const partner = app.as(await app.createKey("TRADER", "globex"));
    const own = await finishedWithFailures(partner);
    const theirs = await finishedWithFailures();
    const theirTrade = theirs.refusedOnce[0]!.id;
    const unknown = "00000000-0000-4000-8000-000000000000";
    const answerTo = async (named: string) => {
      const answer = await retrySelected(own.id, [own.refusedOnce[0]!.id, named], undefined, partner);
      expect(answer.errors).toHaveLength(1);
      const [error] = answer.errors!;
      return JSON.stringify({ message: error!.message, extensions: error!.extensions }).replaceAll(named, "<named>");
    };
    const aboutTheirs = await answerTo(theirTrade);
    expect(aboutTheirs).toBe(await answerTo(unknown));
    expect(aboutTheirs).toContain("<named> is not a trade of this batch");

    expect(await tradesOf(own.id)).toEqual(own.trades);
    expect(await tradesOf(theirs.id)).toEqual(theirs.trades);
  });
});

describe("the API's description", () => {
  it("states the most ids one call takes, as the domain sets it", () => {
    const sdl = readFileSync(new URL("../schema.graphql", import.meta.url), "utf8");
    expect(sdl).toContain(`at most ${MAX_RETRY_SELECTION.toLocaleString("en-US")}`);
  });
});
