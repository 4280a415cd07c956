import { describe, expect, it } from "vitest";
import {
  BATCH,
  BATCH_FIELDS,
  type BatchFields,
  metricsText,
  readSample,
  START,
  stage,
  startTestApp,
  testDatabase,
  tradesCsv,
  useTestApp,
} from "./harness";

type Batch = BatchFields;
type TradeEvent = {
  tradeStatusChanged: {
    previousStatus: string | null;
    trade: {
      id: string;
      rowNumber: number;
      status: string;
      errorCode: string | null;
      transactionId: string | null;
      quoteId: string | null;
    };
  };
};
type ProgressEvent = { batchProgress: { batch: Batch } };

const PROGRESS = `subscription($id: ID!) { batchProgress(id: $id) { batch { ${BATCH_FIELDS} } } }`;
const TRADES = `subscription($id: ID!) { tradeStatusChanged(batchId: $id) { previousStatus trade { id rowNumber status errorCode transactionId quoteId } } }`;

const { app, sql } = useTestApp({ BANK_SIM_LATENCY_MS: "5", BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_SEED: "lifecycle" });

/** Follows one batch's two subscriptions from before the start to the final event. */
async function runAndFollow(batchId: string) {
  const progress = app.collect<ProgressEvent>(PROGRESS, { id: batchId });
  const trades = app.collect<TradeEvent>(TRADES, { id: batchId });
  await expectFirstEvent(progress.events);
  await app.query(START, { id: batchId });
  const progressEvents = await progress.done;
  const final = progressEvents.at(-1)!.batchProgress.batch;
  // Trade events of the last write are published before the final batch event.
  await new Promise((resolve) => setTimeout(resolve, 100));
  trades.stop();
  const paths = new Map<number, string[]>();
  for (const {
    tradeStatusChanged: { trade, previousStatus },
  } of trades.events) {
    const path = paths.get(trade.rowNumber) ?? [previousStatus ?? "?"];
    expect(path.at(-1)).toBe(previousStatus);
    path.push(trade.status);
    paths.set(trade.rowNumber, path);
  }
  return { progressEvents, final, paths, tradeEvents: trades.events };
}

async function expectFirstEvent(events: unknown[]) {
  for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(events.length).toBeGreaterThan(0);
}

describe("running a batch", () => {
  it("moves every trade PENDING → EXECUTING → QUOTED → SUCCESS and ends the batch SUCCESS, live", async () => {
    const batch = await stage(app, readSample("trades-small.csv"));
    const { progressEvents, final, paths } = await runAndFollow(batch.id);

    expect(progressEvents[0]!.batchProgress.batch.status).toBe("PENDING");
    expect(final).toMatchObject({
      status: "SUCCESS",
      totalTrades: 6,
      processedTrades: 6,
      succeededTrades: 6,
      failedTrades: 0,
      progress: 1,
    });
    expect(final.completedAt).not.toBeNull();
    expect([...paths.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const path of paths.values()) expect(path).toEqual(["PENDING", "EXECUTING", "QUOTED", "SUCCESS"]);
    // Progress never goes backwards and every event's counters add up.
    let processed = 0;
    for (const {
      batchProgress: { batch: b },
    } of progressEvents) {
      expect(b.processedTrades).toBeGreaterThanOrEqual(processed);
      expect(b.processedTrades).toBe(b.succeededTrades + b.failedTrades + b.cancelledTrades);
      processed = b.processedTrades;
    }
  });

  it("fails refused trades without stopping the batch, and books a timed-out booking exactly once", async () => {
    const accounts = ["1000009999", "1000008888", "1000007777", "1000001234"];
    const batch = await stage(
      app,
      tradesCsv(8, (i) => accounts[(i - 1) % 4]!),
    );
    const { final, paths, tradeEvents } = await runAndFollow(batch.id);

    expect(final).toMatchObject({ status: "PARTIAL_SUCCESS", succeededTrades: 4, failedTrades: 4, processedTrades: 8 });
    const last = new Map(tradeEvents.map(({ tradeStatusChanged: { trade } }) => [trade.rowNumber, trade]));
    for (const row of [1, 5]) {
      expect(paths.get(row)).toEqual(["PENDING", "EXECUTING", "FAILED"]);
      expect(last.get(row)).toMatchObject({ errorCode: "INVALID_ACCOUNT", transactionId: null });
    }
    for (const row of [2, 6]) {
      expect(paths.get(row)).toEqual(["PENDING", "EXECUTING", "QUOTED", "FAILED"]);
      expect(last.get(row)).toMatchObject({ errorCode: "INSUFFICIENT_FUNDS", transactionId: null });
    }
    for (const row of [3, 4, 7, 8]) {
      expect(paths.get(row)).toEqual(["PENDING", "EXECUTING", "QUOTED", "SUCCESS"]);
      expect(last.get(row)!.transactionId).toMatch(/\S/);
    }
    // The 7777 bookings were sent twice (the first answer was lost) and booked once.
    const { rows } = await sql.query(
      `SELECT t.row_number, count(b.*)::int AS bookings FROM trade t JOIN bank_sim_booking b ON b.idempotency_key = t.idempotency_key
       WHERE t.batch_id = $1 AND b.transaction_id IS NOT NULL GROUP BY t.row_number ORDER BY 1`,
      [batch.id],
    );
    expect(rows).toEqual([3, 4, 7, 8].map((row) => ({ row_number: row, bookings: 1 })));

    const results = await app.query<{
      batchResults: { errorsByCode: { errorCode: string; count: number }[]; totalsByCurrency: { currency: string; amount: string }[] };
    }>(`query($id: ID!) { batchResults(id: $id) { errorsByCode { errorCode count } totalsByCurrency { currency amount } } }`, {
      id: batch.id,
    });
    expect(results.batchResults.errorsByCode).toEqual([
      { errorCode: "INSUFFICIENT_FUNDS", count: 2 },
      { errorCode: "INVALID_ACCOUNT", count: 2 },
    ]);
    expect(results.batchResults.totalsByCurrency.map((t) => t.currency)).toEqual(["ZAR"]);
    expect(results.batchResults.totalsByCurrency[0]!.amount).toMatch(/^\d+\.\d{2}$/);
  });

  it("starts a batch once when two starts race", async () => {
    const batch = await stage(app, tradesCsv(20));
    const responses = await Promise.all([app.request(START, { id: batch.id }), app.request(START, { id: batch.id })]);
    const codes = responses.map((r) => r.errors?.[0]?.extensions?.code ?? "OK").sort();
    expect(codes).toEqual(["BAD_BATCH_STATE", "OK"]);
    await expectFinal(batch.id, "SUCCESS");
    const again = await app.request(START, { id: batch.id });
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_BATCH_STATE");
    expect(again.errors?.[0]?.message).toMatch(/SUCCESS batch cannot be started/);
  });

  it("counts what the runner did on /metrics", async () => {
    const text = await metricsText(app);
    const value = (line: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(line))
          ?.slice(line.length),
      );
    expect(value('fxbt_runner_trades_finished_total{status="SUCCESS"} ')).toBeGreaterThanOrEqual(10);
    expect(value('fxbt_runner_trades_finished_total{status="FAILED"} ')).toBeGreaterThanOrEqual(4);
    expect(value("fxbt_runner_trades_claimed_total ")).toBeGreaterThanOrEqual(14);
    expect(text).toContain("fxbt_runner_trades_in_flight");
  });

  it("refuses to start an unknown batch with NOT_FOUND", async () => {
    const response = await app.request(START, { id: "00000000-0000-4000-8000-000000000000" });
    expect(response.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await app.request(START, { id: "nope" })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("runs two batches at once", async () => {
    const [a, b] = [await stage(app, tradesCsv(300)), await stage(app, tradesCsv(300))];
    await Promise.all([app.query(START, { id: a.id }), app.query(START, { id: b.id })]);
    const { activeBatches } = await app.query<{ activeBatches: { id: string; status: string }[] }>(`{ activeBatches { id status } }`);
    expect(
      activeBatches
        .filter((x) => x.status === "RUNNING")
        .map((x) => x.id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    await Promise.all([expectFinal(a.id, "SUCCESS"), expectFinal(b.id, "SUCCESS")]);
  });
});

async function expectFinal(id: string, status: string): Promise<Batch> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { batch } = await app.query<{ batch: Batch }>(BATCH, { id });
    if (batch.completedAt) {
      expect(batch.status).toBe(status);
      expect(batch.processedTrades).toBe(batch.totalTrades);
      return batch;
    }
    if (Date.now() > deadline) throw new Error(`batch ${id} still ${batch.status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("a runner with fewer slots than half a claim", () => {
  it("keeps claiming as trades finish, without waiting for its poll", { timeout: 150_000 }, async () => {
    // A poll (10 minutes) far longer than the test's wait (2 minutes, for a loaded machine: it takes
    // about 5 s on a quiet one): only claiming on completion can finish the batch in time.
    const own = await testDatabase();
    const small = await startTestApp(own.url, {
      RUNNER_CONCURRENCY: "4",
      RUNNER_HELD_TRADES: "4",
      RUNNER_CLAIM_SIZE: "128",
      RUNNER_POLL_INTERVAL_MS: "600000",
    });
    try {
      const batch = await stage(small, tradesCsv(200));
      await small.query(START, { id: batch.id });
      const deadline = Date.now() + 120_000;
      let done: Batch | undefined;
      while (!done && Date.now() < deadline) {
        const { batch: current } = await small.query<{ batch: Batch }>(BATCH, { id: batch.id });
        if (current.completedAt) done = current;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(done?.processedTrades).toBe(200);
      expect(small.app.runner.stats.claimedTrades).toBe(200);
    } finally {
      await small.close();
      await own.drop();
    }
  });
});
