import type { TestDatabase } from "@fxbt/db/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActiveUser, activeUser, GENEROUS_LIMITS, gql } from "./access-fixtures";
import {
  CANCEL,
  eventually,
  type GraphQLResponse,
  RETRY,
  START,
  stage,
  startTestApp,
  type TestApp,
  testDatabase,
  tradesCsv,
} from "./harness";
import { checkAgainstLedger } from "./ledger";
import { CREATE, entry } from "./trade-entry-fixtures";

/**
 * Pairs of batch mutations fired at once over HTTP, each to one of two instances on one database,
 * round after round with a small random lag between them: retry with cancel, retry and delete,
 * retry with itself, delete with start, delete and cancel with themselves, approve with cancel,
 * delete and createTrade, archive with retry and delete, and retries fired while the batch finishes.
 * Each call answers the batch or a documented refusal (never an internal error, a deadlock or a
 * timeout); afterwards every batch left is final, its counters equal its trades, every trade
 * agrees with the bank's ledger, and no booked trade is gone.
 */

const APPROVAL_MIN_TRADES = 8;
const OK = "1234567890";
/** Refused INSUFFICIENT_FUNDS on every attempt (retryable). */
const REFUSED = "1000008888";
const ROUNDS = 12;

let db: TestDatabase;
let one: TestApp;
let two: TestApp;
let sql: pg.Client;
let trader: ActiveUser;

beforeAll(async () => {
  db = await testDatabase();
  const env = {
    ...GENEROUS_LIMITS,
    APPROVAL_MIN_TRADES: String(APPROVAL_MIN_TRADES),
    RUNNER_POLL_INTERVAL_MS: "20",
    BANK_SIM_LATENCY_MS: "5",
    BANK_SIM_SUCCESS_RATE: "0.6",
    BANK_SIM_SEED: "lifecycle-races",
  };
  one = await startTestApp(db.url, env);
  two = await startTestApp(db.url, env);
  trader = await activeUser(one, "TRADER", { label: "approver" });
  sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
}, 60_000);

afterAll(async () => {
  await sql?.end();
  await one?.close();
  await two?.close();
  await db?.drop();
});

const DELETE = `mutation($id: ID!) { deleteBatch(id: $id) }`;
const APPROVE = `mutation($id: ID!) { approveBatch(id: $id) { id status approvedAt } }`;
const ARCHIVE = `mutation($id: ID!) { archiveBatch(id: $id) { id status archived } }`;
const SAVE_TEMPLATE = `mutation($input: SaveBatchTemplateInput!) { saveBatchTemplate(input: $input) { id rowCount } }`;
const DELETE_TEMPLATE = `mutation($id: ID!) { deleteBatchTemplate(id: $id) }`;
const STAGE_FROM = `mutation($input: StageBatchFromTemplateInput!) { stageBatchFromTemplate(input: $input) { batch { id totalTrades } } }`;

type Answer = GraphQLResponse<unknown>;
type Call = () => Promise<Answer>;
/** A mutation as the race fires it: the audit action its success records, the call, the error codes it may answer. */
type Move = { action: string; call: Call; may: readonly string[] };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The batch's successful audit records, by action. */
async function succeeded(batchId: string): Promise<Record<string, number>> {
  const { rows } = await sql.query<{ action: string; n: number }>(
    `SELECT action::text, count(*)::int AS n FROM audit_event WHERE batch_id = $1 AND outcome = 'SUCCEEDED' GROUP BY action`,
    [batchId],
  );
  return Object.fromEntries(rows.map((row) => [row.action, row.n]));
}

/**
 * Fires both moves at the batch, the second `lag` ms after the first (before it when negative).
 * Each answers "ok" or one error it may answer (never INTERNAL_SERVER_ERROR, a deadlock, a timeout),
 * and a move answers "ok" exactly when it took effect: the audit log's successes of its action grow
 * by its "ok" answers (a call that committed and then answered an error, or the reverse, fails here).
 */
async function race(batchId: string, first: Move, second: Move, lag = Math.floor(Math.random() * 31) - 15): Promise<string[]> {
  const before = await succeeded(batchId);
  const later = (ms: number, call: Call) => (ms > 0 ? pause(ms).then(call) : call());
  const answers = await Promise.all([later(-lag, first.call), later(lag, second.call)]);
  const outcomes = answers.map((answer, i) => outcomeOf(answer, [first, second][i]!.may));
  const after = await succeeded(batchId);
  for (const action of new Set([first.action, second.action])) {
    const oks = [first, second].filter((move, i) => move.action === action && outcomes[i] === "ok").length;
    expect((after[action] ?? 0) - (before[action] ?? 0), `${action} answered ${outcomes} (${JSON.stringify(answers)})`).toBe(oks);
  }
  return outcomes;
}

/** "ok", or the one error's code, which must be one of `allowed`. */
function outcomeOf(answer: Answer, allowed: readonly string[]): string {
  if (!answer.errors) return "ok";
  const codes = answer.errors.map((error) => error.extensions?.code);
  expect(codes.length === 1 && allowed.includes(codes[0] as string), JSON.stringify(answer.errors)).toBe(true);
  return codes[0] as string;
}

const on = (app: TestApp) => ({
  start: (id: string, may: readonly string[] = []): Move => ({ action: "START_BATCH", call: () => app.request(START, { id }), may }),
  cancel: (id: string, may: readonly string[] = []): Move => ({ action: "CANCEL_BATCH", call: () => app.request(CANCEL, { id }), may }),
  retry: (id: string, may: readonly string[] = []): Move => ({
    action: "RETRY_FAILED_TRADES",
    call: () => app.request(RETRY, { id }),
    may,
  }),
  delete: (id: string, may: readonly string[] = []): Move => ({ action: "DELETE_BATCH", call: () => app.request(DELETE, { id }), may }),
  archive: (id: string, may: readonly string[] = []): Move => ({ action: "ARCHIVE_BATCH", call: () => app.request(ARCHIVE, { id }), may }),
  createTrade: (id: string, may: readonly string[] = []): Move => ({
    action: "CREATE_TRADE",
    call: () => app.request(CREATE, { input: entry({ batchId: id }) }),
    may,
  }),
});

const tally = (outcomes: string[]) => {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
};

async function startAndFinish(csv: string): Promise<string> {
  const { id } = await stage(one, csv);
  await one.query(START, { id });
  await settled([id]);
  return id;
}

/** Batches that finished with failures: `okTrades` booked or refused by chance, `refused` always refused. */
async function finishedWithFailures(count: number, okTrades: number, refused: number): Promise<string[]> {
  const csv = tradesCsv(okTrades + refused, (i) => (i < okTrades ? OK : REFUSED));
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await startAndFinish(csv));
  return ids;
}

/** Waits until every batch still there is final with its queue fields cleared (deleted ones count as settled). */
async function settled(ids: string[], timeoutMs = 20_000): Promise<void> {
  const open = async () =>
    (
      await sql.query(
        `SELECT batch_uid, status::text, queued_at, cancel_requested_at, cancelled_unmoved_trades FROM batch
         WHERE id = ANY($1::uuid[]) AND (status NOT IN ('SUCCESS', 'PARTIAL_SUCCESS', 'FAILED', 'CANCELLED')
           OR queued_at IS NOT NULL OR cancelled_unmoved_trades > 0)`,
        [ids],
      )
    ).rows;
  await eventually(async () => (await open()).length === 0, timeoutMs).catch(() => {});
  expect(await open()).toEqual([]);
}

/** Every batch left is final and agrees with the ledger; no trade the bank booked is gone (deleted). */
async function expectInvariants(ids: string[]): Promise<void> {
  await settled(ids);
  const { rows } = await sql.query<{ id: string }>(`SELECT id FROM batch WHERE id = ANY($1::uuid[]) AND archived_at IS NULL`, [ids]);
  for (const { id } of rows) {
    const check = await checkAgainstLedger(db.url, id);
    expect(check.violations, id).toEqual([]);
  }
  // A FAILED trade's last attempt was refused: by the bank's ledger when a booking went out under its key.
  const { rows: unrefused } = await sql.query(
    `SELECT t.id, t.error_code, a.outcome::text, a.booking_sent_at, k.transaction_id, k.error_code AS bank_code
     FROM trade t JOIN trade_attempt a ON a.trade_id = t.id AND a.number = t.attempts
     LEFT JOIN bank_sim_booking k ON k.idempotency_key = a.idempotency_key
     WHERE t.batch_id = ANY($1::uuid[]) AND t.status = 'FAILED'
       AND (a.outcome IS DISTINCT FROM 'REFUSED' OR k.transaction_id IS NOT NULL OR (a.booking_sent_at IS NOT NULL AND k.error_code IS NULL))`,
    [ids],
  );
  expect(unrefused).toEqual([]);
  const { rows: lost } = await sql.query(
    `SELECT k.idempotency_key, k.transaction_id FROM bank_sim_booking k
     WHERE k.transaction_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM trade t WHERE t.id::text = split_part(k.idempotency_key, ':', 1))
       AND NOT EXISTS (SELECT 1 FROM trade_archive a WHERE a.id::text = split_part(k.idempotency_key, ':', 1))`,
  );
  expect(lost).toEqual([]);
}

const [A, B] = [() => on(one), () => on(two)];

describe("retryFailedTrades racing cancelBatch, deleteBatch and itself, on two instances", () => {
  it("retry + cancel: the retry runs, then the cancel stops it or finds it finished; nothing booked twice", async () => {
    const ids = await finishedWithFailures(ROUNDS, 3, 2);
    const outcomes: string[] = [];
    for (const id of ids) {
      const lag = Math.floor(Math.random() * 25);
      outcomes.push((await race(id, A().retry(id), B().cancel(id, ["BAD_BATCH_STATE"]), lag)).join("/"));
    }
    await expectInvariants(ids);
    console.info(`retry+cancel: ${JSON.stringify(tally(outcomes))}`);
  }, 60_000);

  it("retry + retry on two instances: one requeues, the other is refused", async () => {
    const ids = await finishedWithFailures(ROUNDS, 2, 2);
    for (const id of ids) {
      const outcomes = await race(id, A().retry(id, ["BAD_BATCH_STATE"]), B().retry(id, ["BAD_BATCH_STATE"]));
      expect(outcomes.filter((outcome) => outcome === "ok").length).toBeGreaterThanOrEqual(1);
      await settled([id]);
    }
    await expectInvariants(ids);
  }, 60_000);

  it("retry + delete of a batch nothing was booked of: one wins, the other says why", async () => {
    const ids = await finishedWithFailures(ROUNDS, 0, 3);
    const outcomes: string[] = [];
    for (const id of ids) {
      const pair = await race(id, A().retry(id, ["NOT_FOUND"]), B().delete(id, ["BAD_BATCH_STATE"]));
      expect(pair).not.toEqual(["NOT_FOUND", "BAD_BATCH_STATE"]);
      outcomes.push(pair.join("/"));
    }
    await expectInvariants(ids);
    console.info(`retry+delete: ${JSON.stringify(tally(outcomes))}`);
  }, 60_000);

  it("retries fired again and again while the batch finishes: refused until it is final, then exactly one requeues it", async () => {
    const ids: string[] = [];
    for (let round = 0; round < 6; round++) {
      const { id } = await stage(
        one,
        tradesCsv(6, (i) => (i < 3 ? OK : REFUSED)),
      );
      ids.push(id);
      await one.query(START, { id });
      const outcomes: string[] = [];
      for (let shot = 0; shot < 400 && !outcomes.includes("ok"); shot++) {
        outcomes.push(...(await race(id, A().retry(id, ["BAD_BATCH_STATE"]), B().retry(id, ["BAD_BATCH_STATE"]), 0)));
      }
      expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(1);
      await settled([id]);
    }
    await expectInvariants(ids);
  }, 60_000);
});

describe("staged and finished batches: start, delete, cancel, approve, createTrade, archive at once", () => {
  it("delete + start, delete + delete, delete + cancel, cancel + cancel, start + start, start + cancel of a staged batch", async () => {
    const ids: string[] = [];
    const pairs: [string, (id: string) => [Move, Move]][] = [
      ["delete+start", (id) => [A().delete(id, ["BAD_BATCH_STATE"]), B().start(id, ["NOT_FOUND"])]],
      ["delete+delete", (id) => [A().delete(id, ["NOT_FOUND"]), B().delete(id, ["NOT_FOUND"])]],
      ["delete+cancel", (id) => [A().delete(id), B().cancel(id, ["NOT_FOUND"])]],
      ["cancel+cancel", (id) => [A().cancel(id, ["BAD_BATCH_STATE"]), B().cancel(id, ["BAD_BATCH_STATE"])]],
      ["start+start", (id) => [A().start(id, ["BAD_BATCH_STATE"]), B().start(id, ["BAD_BATCH_STATE"])]],
      ["start+cancel", (id) => [A().start(id, ["BAD_BATCH_STATE"]), B().cancel(id, ["BAD_BATCH_STATE"])]],
    ];
    for (const [name, moves] of pairs) {
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { id } = await stage(one, tradesCsv(5));
        ids.push(id);
        const pair = await race(id, ...moves(id));
        outcomes.push(pair.join("/"));
        expect(pair.filter((outcome) => outcome === "ok").length, `${name}: ${pair}`).toBeGreaterThanOrEqual(1);
      }
      console.info(`${name}: ${JSON.stringify(tally(outcomes))}`);
    }
    await expectInvariants(ids);
  }, 60_000);

  it("cancel + cancel of a running batch: one cancels it, the other is refused", async () => {
    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await stage(one, tradesCsv(7));
      ids.push(id);
      await one.query(START, { id });
      await pause(Math.floor(Math.random() * 30));
      const outcomes = await race(id, A().cancel(id, ["BAD_BATCH_STATE"]), B().cancel(id, ["BAD_BATCH_STATE"]));
      expect(outcomes.filter((outcome) => outcome === "ok").length).toBeLessThanOrEqual(1);
    }
    await expectInvariants(ids);
  }, 60_000);

  it("approve + cancel, approve + delete, approve + createTrade of a batch needing approval", async () => {
    const ids: string[] = [];
    const approve = (id: string, may: readonly string[]): Move => ({
      action: "APPROVE_BATCH",
      call: () => gql(one.url, { cookie: trader.cookie }, APPROVE, { id }) as Promise<Answer>,
      may,
    });
    const pairs: [string, (id: string) => [Move, Move]][] = [
      ["approve+cancel", (id) => [approve(id, ["BAD_BATCH_STATE"]), B().cancel(id)]],
      ["approve+delete", (id) => [approve(id, ["NOT_FOUND"]), B().delete(id)]],
      // The stager adds the trade (four eyes lets no one else add to a batch needing approval).
      ["approve+createTrade", (id) => [approve(id, []), A().createTrade(id, ["BAD_BATCH_STATE"])]],
    ];
    for (const [name, moves] of pairs) {
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { id } = await stage(one, tradesCsv(APPROVAL_MIN_TRADES));
        ids.push(id);
        outcomes.push((await race(id, ...moves(id))).join("/"));
      }
      console.info(`${name}: ${JSON.stringify(tally(outcomes))}`);
    }
    // Each approved batch still there starts and runs; an approval saw exactly the trades it covers.
    const { rows } = await sql.query<{ id: string }>(
      `SELECT id FROM batch WHERE id = ANY($1::uuid[]) AND approved_at IS NOT NULL AND status = 'PENDING' AND cancel_requested_at IS NULL`,
      [ids],
    );
    for (const { id } of rows) expect((await two.request(START, { id })).errors).toBeUndefined();
    await expectInvariants(ids);
  }, 60_000);

  it("archive + retry, archive + delete, archive + archive of a finished batch", async () => {
    const ids = await finishedWithFailures(3 * 6, 0, 2);
    const pairs: [string, (id: string) => [Move, Move]][] = [
      ["archive+retry", (id) => [A().archive(id, ["BAD_BATCH_STATE"]), B().retry(id, ["BAD_BATCH_STATE"])]],
      ["archive+delete", (id) => [A().archive(id, ["NOT_FOUND"]), B().delete(id, ["BAD_BATCH_STATE"])]],
      ["archive+archive", (id) => [A().archive(id, ["BAD_BATCH_STATE"]), B().archive(id, ["BAD_BATCH_STATE"])]],
    ];
    for (const [index, [name, moves]] of pairs.entries()) {
      const outcomes: string[] = [];
      for (const id of ids.slice(index * 6, index * 6 + 6)) {
        outcomes.push((await race(id, ...moves(id))).join("/"));
        await settled([id]);
      }
      console.info(`${name}: ${JSON.stringify(tally(outcomes))}`);
    }
    await expectInvariants(ids);
  }, 60_000);

  it("saveBatchTemplate (with rows) + delete: the template holds every trade of the batch, or is refused", async () => {
    const ids: string[] = [];
    const outcomes: string[] = [];
    for (let round = 0; round < 2 * ROUNDS; round++) {
      const { id } = await stage(one, tradesCsv(5));
      ids.push(id);
      const save: Move = {
        action: "SAVE_TEMPLATE",
        call: () => one.request(SAVE_TEMPLATE, { input: { batchId: id, name: `race ${id}`, includeRows: true } }),
        may: ["NOT_FOUND"],
      };
      const [saved, deleted] = await race(id, save, B().delete(id));
      outcomes.push(`${saved}/${deleted}`);
      const { rows } = await sql.query(`SELECT jsonb_array_length(rows) AS n FROM batch_template WHERE name = $1`, [`race ${id}`]);
      expect(rows.map((row) => row.n)).toEqual(saved === "ok" ? [5] : []);
    }
    console.info(`saveTemplate+delete: ${JSON.stringify(tally(outcomes))}`);
  }, 60_000);

  it("stageBatchFromTemplate + deleteBatchTemplate: the batch is staged from every row, or the template is NOT_FOUND", async () => {
    const { id: source } = await stage(one, tradesCsv(4));
    const outcomes: string[] = [];
    for (let round = 0; round < 2 * ROUNDS; round++) {
      const saved = await one.query<{ saveBatchTemplate: { id: string } }>(SAVE_TEMPLATE, {
        input: { batchId: source, name: `staged while deleted ${round}`, includeRows: true },
      });
      const templateId = saved.saveBatchTemplate.id;
      const lag = Math.floor(Math.random() * 40);
      const [staged, deleted] = await Promise.all([
        one.request<{ stageBatchFromTemplate: { batch: { totalTrades: number } } }>(STAGE_FROM, {
          input: { templateId, allowDuplicate: true },
        }),
        pause(lag).then(() => two.request(DELETE_TEMPLATE, { id: templateId })),
      ]);
      const outcome = outcomeOf(staged, ["NOT_FOUND"]);
      outcomes.push(`${outcome}/${outcomeOf(deleted, [])}`);
      if (outcome === "ok") expect(staged.data!.stageBatchFromTemplate.batch.totalTrades).toBe(4);
    }
    console.info(`stageFromTemplate+deleteTemplate: ${JSON.stringify(tally(outcomes))}`);
  }, 60_000);
});
