import { BATCH_UID_PATTERN, TRADE_ENTRY_FIELDS } from "@fxbt/domain";
import { beforeAll, describe, expect, it } from "vitest";
import { type ActiveUser, activeUser, codeOf, GENEROUS_LIMITS, gql, unknownId } from "./access-fixtures";
import { finishedBatch, type GraphQLResponse, readBatch, START, stage, type TestApp, tradesCsv, useTestApp } from "./harness";
import {
  CREATE,
  type CreatePayload,
  createdTrade,
  createTrade,
  entry,
  futureDate,
  TRADE_FIELDS,
  type TradeFields,
} from "./trade-entry-fixtures";

/**
 * createTrade over HTTP: one trade by hand, into a staged batch or alone, checked by the CSV's
 * rules, atomic with its batch against concurrent start, cancel and delete, idempotent by key,
 * scoped to the caller's partner, and under four eyes.
 */

const CANCEL = `mutation($id: ID!) { cancelBatch(id: $id) { id status } }`;
const DELETE = `mutation($id: ID!) { deleteBatch(id: $id) }`;
const BATCH_TRADES = `query($id: ID!) { batch(id: $id) { totalTrades eventSequence trades(first: 100) { totalCount edges { node { ${TRADE_FIELDS} } } } } }`;

const { app, sql } = useTestApp({ ...GENEROUS_LIMITS, BANK_SIM_LATENCY_MS: "5", BANK_SIM_SUCCESS_RATE: "1" });

const create = (input: Record<string, unknown>, on: TestApp = app) => createTrade(on, input);
const created = (input: Record<string, unknown>, on: TestApp = app) => createdTrade(on, input);

/** The batch's trades in the database: their count must always equal its total (nothing orphaned or half-added). */
async function tradesInDatabase(batchId: string): Promise<{ count: number; total: number | null }> {
  const { rows } = await sql.query(
    `SELECT (SELECT count(*)::int FROM trade WHERE batch_id = $1) AS count, (SELECT total_trades FROM batch WHERE id = $1) AS total`,
    [batchId],
  );
  return rows[0];
}

const errorMessage = (answer: GraphQLResponse<unknown>) => answer.errors?.[0]?.message;

describe("createTrade into a staged batch", () => {
  it("adds the trade after the batch's rows, with no CSV row of its own: counters, trades, event sequence and subscribers all see it; then it runs", async () => {
    const batch = await stage(app, tradesCsv(2));
    const before = await app.query<{ batch: { eventSequence: number } }>(BATCH_TRADES, { id: batch.id });
    const events = app.collect<{ tradeStatusChanged: { sequence: number; previousStatus: string | null; trade: { id: string } } }>(
      `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { sequence previousStatus trade { id status } } }`,
      { id: batch.id },
      (event) => event.tradeStatusChanged.previousStatus === null,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription is open before the trade goes in

    const trade = await created(entry({ batchId: batch.id, valueDate: futureDate(3) }));
    expect(trade).toMatchObject({
      rowNumber: null,
      clientName: "Hand Client",
      sellCurrency: "ZAR",
      buyCurrency: "USD",
      direction: "BUY",
      amount: "1500.50",
      valueDate: futureDate(3),
      status: "PENDING",
    });
    expect(trade.batch).toMatchObject({ id: batch.id, status: "PENDING", totalTrades: 3, eventSequence: before.batch.eventSequence + 1 });

    const [event] = await events.done;
    expect(event!.tradeStatusChanged).toMatchObject({ sequence: trade.batch.eventSequence, previousStatus: null, trade: { id: trade.id } });

    const read = await app.query<{ batch: { totalTrades: number; trades: { totalCount: number; edges: { node: TradeFields }[] } } }>(
      BATCH_TRADES,
      { id: batch.id },
    );
    expect(read.batch.totalTrades).toBe(3);
    expect(read.batch.trades.totalCount).toBe(3);
    // The CSV's rows keep 1…n; the trade entered by hand is last (its position, 3, is the runner's order, never shown as a row).
    expect(read.batch.trades.edges.map((edge) => edge.node.rowNumber)).toEqual([1, 2, null]);
    expect(read.batch.trades.edges[2]!.node.id).toBe(trade.id);
    // The history's search finds it like a staged trade.
    const search = await app.query<{ trades: { edges: { node: { id: string } }[] } }>(
      `query($s: String!) { trades(first: 5, filter: { search: $s }) { edges { node { id } } } }`,
      { s: trade.reference },
    );
    expect(search.trades.edges.map((edge) => edge.node.id)).toEqual([trade.id]);

    await app.query(START, { id: batch.id });
    expect(await finishedBatch(app, batch.id)).toMatchObject({ status: "SUCCESS", totalTrades: 3, succeededTrades: 3 });

    const audit = await sql.query(`SELECT outcome::text, detail FROM audit_event WHERE batch_id = $1 AND action = 'CREATE_TRADE'`, [
      batch.id,
    ]);
    expect(audit.rows).toEqual([
      { outcome: "SUCCEEDED", detail: `${trade.batch.batchUid}: trade ${trade.id}, BUY 1500.50 USD for ${trade.clientId}` },
    ]);
  });

  it("refuses a reference the batch already has, as a field error, and saves nothing", async () => {
    const batch = await stage(app, tradesCsv(2));
    const answer = await create(entry({ batchId: batch.id, reference: "REF-2" }));
    expect(answer.data!.createTrade).toEqual({
      trade: null,
      errors: [
        {
          row: null,
          field: "reference",
          message: `reference "REF-2" is already used in row 2 of batch ${(await readBatch(app, batch.id)).batchUid}; references must be unique within a batch`,
        },
      ],
    });
    expect(await tradesInDatabase(batch.id)).toEqual({ count: 2, total: 2 });
  });
});

describe("createTrade alone", () => {
  it("makes a one-trade batch, named after the trade with a batchUid, that starts at once and runs to SUCCESS", async () => {
    const trade = await created(entry({ clientId: "ALONE-1", direction: "SELL", amount: "2500" }));
    // A batch of its own is no file: the trade has no CSV row.
    expect(trade.rowNumber).toBeNull();
    expect(trade.batch).toMatchObject({ status: "PENDING", totalTrades: 1, name: "One trade: ALONE-1 SELL 2500.00 ZAR", priority: 0 });
    expect(trade.batch.batchUid).toMatch(BATCH_UID_PATTERN);
    // The live lists show it.
    const list = await app.query<{ batches: { edges: { node: { id: string } }[] } }>(`{ batches(first: 5) { edges { node { id } } } }`);
    expect(list.batches.edges.map((edge) => edge.node.id)).toContain(trade.batch.id);
    await app.query(START, { id: trade.batch.id });
    expect(await finishedBatch(app, trade.batch.id)).toMatchObject({ status: "SUCCESS", succeededTrades: 1 });
  });

  it("a trade the bank refuses ends its one-trade batch FAILED with the bank's code", async () => {
    const trade = await created(entry({ accountNumber: "1000009999" }));
    await app.query(START, { id: trade.batch.id });
    expect(await finishedBatch(app, trade.batch.id)).toMatchObject({ status: "FAILED", failedTrades: 1 });
    const read = await app.query<{ trade: { errorCode: string } }>(`query($id: ID!) { trade(id: $id) { errorCode } }`, { id: trade.id });
    expect(read.trade.errorCode).toBe("INVALID_ACCOUNT");
  });

  it("refuses the same one trade again within 7 days as a duplicate, unless allowDuplicate", async () => {
    const input = entry();
    const first = await created(input);
    const again = await create(input);
    expect(again.data!.createTrade.trade).toBeNull();
    expect(again.data!.createTrade.errors).toHaveLength(1);
    expect(again.data!.createTrade.errors[0]!.message).toMatch(
      new RegExp(`^DUPLICATE_FILE: the same trades were staged as batch ${first.batch.batchUid} at `),
    );
    const allowed = await created({ ...input, allowDuplicate: true });
    expect(allowed.batch.id).not.toBe(first.batch.id);
  });
});

describe("createTrade refuses", () => {
  it("every invalid field, each named by its input field with the CSV's message, and saves nothing", async () => {
    const before = await sql.query(`SELECT count(*)::int AS n FROM trade`);
    const answer = await create({
      clientId: "",
      clientName: "n".repeat(201),
      accountNumber: "12 34",
      sellCurrency: "ZZZ",
      buyCurrency: "",
      direction: "HOLD",
      amount: "1,000",
      valueDate: "2020-01-01",
      reference: "r".repeat(141),
    });
    expect(answer.errors).toBeUndefined();
    const { trade, errors } = answer.data!.createTrade;
    expect(trade).toBeNull();
    // Every field, in the form's order.
    expect(errors.map((error) => error.field)).toEqual(Object.values(TRADE_ENTRY_FIELDS));
    for (const error of errors) expect(error.row).toBeNull();
    expect(errors[0]!.message).toBe("client_id is required");
    expect(errors[5]!.message).toBe('direction must be BUY or SELL, got "HOLD"');
    expect(errors[7]!.message).toContain("value_date 2020-01-01 is in the past");
    // A missing field is an empty cell; the cross-field rules apply.
    const same = await create(entry({ buyCurrency: "ZAR", clientId: undefined }));
    expect(same.data!.createTrade.errors).toEqual([
      { row: null, field: "clientId", message: "client_id is required" },
      { row: null, field: "buyCurrency", message: "buy_currency must be different from sell_currency (both are ZAR)" },
    ]);
    expect((await sql.query(`SELECT count(*)::int AS n FROM trade`)).rows[0].n).toBe(before.rows[0].n);
  });

  it("an unknown batch, or an id that names none, with NOT_FOUND naming it", async () => {
    const id = unknownId();
    const unknown = await create(entry({ batchId: id }));
    expect(codeOf(unknown)).toBe("NOT_FOUND");
    expect(errorMessage(unknown)).toBe(`batch ${id} does not exist`);
    const malformed = await create(entry({ batchId: "B-nope" }));
    expect(codeOf(malformed)).toBe("NOT_FOUND");
    expect(errorMessage(malformed)).toBe("batch B-nope does not exist");
  });

  it("a batch started, cancelled or finished, with BAD_BATCH_STATE naming the batch and why; the refusal is audited", async () => {
    const running = await stage(app, tradesCsv(1));
    await app.query(START, { id: running.id });
    const { batchUid } = await readBatch(app, running.id);
    const refused = await create(entry({ batchId: running.id }));
    expect(codeOf(refused)).toBe("BAD_BATCH_STATE");
    expect(errorMessage(refused)).toMatch(
      new RegExp(
        `^batch ${batchUid}: (the batch is already started and waiting in the queue; it takes no more trades|a (RUNNING|SUCCESS) batch takes no more trades; only a PENDING batch not yet started does)$`,
      ),
    );
    await finishedBatch(app, running.id);
    const finished = await create(entry({ batchId: running.id }));
    expect(errorMessage(finished)).toBe(
      `batch ${batchUid}: a SUCCESS batch takes no more trades; only a PENDING batch not yet started does`,
    );
    expect(await tradesInDatabase(running.id)).toEqual({ count: 1, total: 1 });

    const cancelled = await stage(app, tradesCsv(1));
    await app.query(CANCEL, { id: cancelled.id });
    const afterCancel = await create(entry({ batchId: cancelled.id }));
    expect(codeOf(afterCancel)).toBe("BAD_BATCH_STATE");
    expect(errorMessage(afterCancel)).toContain("a CANCELLED batch takes no more trades");

    const audit = await sql.query(`SELECT outcome::text, detail FROM audit_event WHERE batch_id = $1 AND action = 'CREATE_TRADE'`, [
      running.id,
    ]);
    expect(audit.rows.map((row) => row.outcome)).toEqual(["REFUSED", "REFUSED"]);
  });

  it("callers without the TRADER role, and callers without credentials", async () => {
    const viewer = await app.createKey("VIEWER");
    const forbidden = await create(entry(), app.as(viewer));
    expect(codeOf(forbidden)).toBe("FORBIDDEN");
    expect(errorMessage(forbidden)).toBe("stage needs the TRADER role or higher; you have VIEWER");
    expect(codeOf(await create(entry(), app.as(null)))).toBe("UNAUTHENTICATED");
  });
});

describe("createTrade and partners", () => {
  it("a partner's key adds only to its own batches: another partner's is NOT_FOUND; its one-trade batch is its own", async () => {
    const acme = app.as(await app.createKey("TRADER", "acme"));
    const globex = app.as(await app.createKey("TRADER", "globex"));
    const acmeBatch = await stage(acme, tradesCsv(1));

    const intruder = await create(entry({ batchId: acmeBatch.id }), globex);
    expect(codeOf(intruder)).toBe("NOT_FOUND");
    expect(errorMessage(intruder)).toBe(`batch ${acmeBatch.id} does not exist`);
    expect(await tradesInDatabase(acmeBatch.id)).toEqual({ count: 1, total: 1 });

    expect((await created(entry({ batchId: acmeBatch.id }), acme)).batch.totalTrades).toBe(2);
    // The staff (no partner) may add to any batch.
    expect((await created(entry({ batchId: acmeBatch.id }))).batch.totalTrades).toBe(3);

    const alone = await created(entry(), globex);
    const read = await globex.query<{ batch: { id: string } | null }>(`query($id: ID!) { batch(id: $id) { id } }`, { id: alone.batch.id });
    expect(read.batch?.id).toBe(alone.batch.id);
    const hidden = await acme.query<{ batch: { id: string } | null }>(`query($id: ID!) { batch(id: $id) { id } }`, { id: alone.batch.id });
    expect(hidden.batch).toBeNull();
  });
});

describe("createTrade idempotency", () => {
  it("concurrent calls with one key (a double click, a retry) make one trade and all answer with it", async () => {
    const batch = await stage(app, tradesCsv(2));
    const input = entry({ batchId: batch.id, idempotencyKey: `double-click-${process.pid}` });
    const answers = await Promise.all(Array.from({ length: 5 }, () => created(input)));
    expect(new Set(answers.map((trade) => trade.id)).size).toBe(1);
    expect(answers[0]!.batch.totalTrades).toBe(3);
    expect(await tradesInDatabase(batch.id)).toEqual({ count: 3, total: 3 });

    const alone = entry({ idempotencyKey: `alone-${process.pid}` });
    const [first, second] = await Promise.all([created(alone), created(alone)]);
    expect(second!.id).toBe(first!.id);

    // The key for another trade is an error naming the key and what it made.
    const reused = await create(entry({ batchId: batch.id, idempotencyKey: `double-click-${process.pid}` }));
    expect(codeOf(reused)).toBe("BAD_USER_INPUT");
    expect(errorMessage(reused)).toContain(
      `idempotencyKey "double-click-${process.pid}" already made trade ${answers[0]!.id} (in batch ${answers[0]!.batch.batchUid}) from a different request`,
    );
    expect(await tradesInDatabase(batch.id)).toEqual({ count: 3, total: 3 });

    // Keys are the partner's own: another partner's same key makes its own trade.
    const partnerTrade = await created({ ...alone, allowDuplicate: true }, app.as(await app.createKey("TRADER", "initech")));
    expect(partnerTrade.id).not.toBe(first!.id);
  });

  it("counts a key's length in characters: 200 emoji are a key, 201 are refused as such", async () => {
    const emojiKey = "🔑".repeat(200);
    const input = entry({ idempotencyKey: emojiKey });
    const trade = await created(input);
    expect((await created(input)).id).toBe(trade.id); // a retry with the key answers with its trade
    const refused = await create(entry({ idempotencyKey: `${emojiKey}🔑` }));
    expect(refused.errors).toBeUndefined();
    expect(refused.data!.createTrade).toEqual({
      trade: null,
      errors: [{ row: null, field: "idempotencyKey", message: "idempotencyKey must be at most 200 characters, got 201" }],
    });
  });
});

describe("createTrade racing startBatch, cancelBatch and deleteBatch", () => {
  const ROUNDS = 8;

  it("with a concurrent start, the trade is in the batch before it started (and runs) or refused: never orphaned", async () => {
    let added = 0;
    let refused = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const batch = await stage(app, tradesCsv(2));
      const [start, answer] = await Promise.all([app.request(START, { id: batch.id }), create(entry({ batchId: batch.id }))]);
      expect(start.errors).toBeUndefined();
      if (answer.data?.createTrade.trade) {
        added++;
        expect(answer.data.createTrade.trade.batch.totalTrades).toBe(3);
        expect(await finishedBatch(app, batch.id)).toMatchObject({ status: "SUCCESS", totalTrades: 3, succeededTrades: 3 });
      } else {
        refused++;
        expect(codeOf(answer)).toBe("BAD_BATCH_STATE");
        expect(errorMessage(answer)).toMatch(/takes no more trades/);
        expect(await finishedBatch(app, batch.id)).toMatchObject({ status: "SUCCESS", totalTrades: 2, succeededTrades: 2 });
      }
      const inDb = await tradesInDatabase(batch.id);
      expect(inDb.count).toBe(inDb.total);
    }
    expect(added + refused).toBe(ROUNDS);
  });

  it("with a concurrent cancel or delete, the trade is cancelled or deleted with the batch, or refused", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const batch = await stage(app, tradesCsv(2));
      const [cancel, answer] = await Promise.all([app.request(CANCEL, { id: batch.id }), create(entry({ batchId: batch.id }))]);
      expect(cancel.errors).toBeUndefined();
      const done = await finishedBatch(app, batch.id);
      if (answer.data?.createTrade.trade) {
        expect(done).toMatchObject({ status: "CANCELLED", totalTrades: 3, cancelledTrades: 3 });
      } else {
        expect(errorMessage(answer)).toMatch(/being cancelled|CANCELLED batch takes no more trades/);
        expect(done).toMatchObject({ status: "CANCELLED", totalTrades: 2, cancelledTrades: 2 });
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      const batch = await stage(app, tradesCsv(2));
      const [deleted, answer] = await Promise.all([app.request(DELETE, { id: batch.id }), create(entry({ batchId: batch.id }))]);
      expect(deleted.errors).toBeUndefined();
      if (!answer.data?.createTrade.trade) expect(codeOf(answer)).toBe("NOT_FOUND");
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM trade WHERE batch_id = $1`, [batch.id]);
      expect(rows[0].n).toBe(0);
    }
  });
});

describe("createTrade under four eyes (APPROVAL_MIN_TRADES=3)", () => {
  const { app: approvalApp } = useTestApp({ ...GENEROUS_LIMITS, APPROVAL_MIN_TRADES: "3", BANK_SIM_SUCCESS_RATE: "1" });
  let stager: ActiveUser;
  let checker: ActiveUser;

  beforeAll(async () => {
    stager = await activeUser(approvalApp, "TRADER", { label: "maker" });
    checker = await activeUser(approvalApp, "TRADER", { label: "checker" });
  });

  const createAs = (who: ActiveUser, input: Record<string, unknown>) =>
    gql<CreatePayload>(approvalApp.url, { cookie: who.cookie }, CREATE, { input });

  it("a trade that takes a batch over the threshold makes it need approval; only its stager may add; an approved batch is frozen", async () => {
    const staged = await gql<{ stageBatch: { batch: { id: string; batchUid: string } } }>(
      approvalApp.url,
      { cookie: stager.cookie },
      `mutation($input: StageBatchInput!) { stageBatch(input: $input) { batch { id batchUid approvalRequired } } }`,
      { input: { csv: tradesCsv(2), allowDuplicate: true } },
    );
    const batch = staged.data!.stageBatch.batch;

    // Someone else's trade that would take it over the threshold: refused, so the checker stays one who put nothing in.
    const byChecker = await createAs(checker, entry({ batchId: batch.id }));
    expect(codeOf(byChecker)).toBe("BAD_BATCH_STATE");
    expect(errorMessage(byChecker)).toBe(
      `batch ${batch.batchUid}: the batch needs four-eyes approval (with this trade), and only its stager, ${stager.email}, may add trades to it, so that the person who approves it has put in none; enter the trade alone instead`,
    );

    const third = await createAs(stager, entry({ batchId: batch.id }));
    expect(third.data!.createTrade.trade!.batch).toMatchObject({ totalTrades: 3, approvalRequired: true });
    // It cannot start without approval, like any batch of 3.
    const start = await gql(approvalApp.url, { cookie: stager.cookie }, START, { id: batch.id });
    expect(errorMessage(start)).toContain("the batch is awaiting approval");

    const approved = await gql(approvalApp.url, { cookie: checker.cookie }, `mutation($id: ID!) { approveBatch(id: $id) { id } }`, {
      id: batch.id,
    });
    expect(approved.errors).toBeUndefined();
    const frozen = await createAs(stager, entry({ batchId: batch.id }));
    expect(codeOf(frozen)).toBe("BAD_BATCH_STATE");
    expect(errorMessage(frozen)).toBe(
      `batch ${batch.batchUid}: the batch is approved (by ${checker.email}) and its trades are frozen, so the approval covers exactly what runs; enter the trade alone or into another staged batch`,
    );
    expect((await gql(approvalApp.url, { cookie: stager.cookie }, START, { id: batch.id })).errors).toBeUndefined();
    expect(await finishedBatch(approvalApp, batch.id)).toMatchObject({ status: "SUCCESS", totalTrades: 3, succeededTrades: 3 });
  });
});
