import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/client";
import { BATCH_COLUMNS, type BatchRow, TRADE_COLUMNS, type TradeRow } from "../src/rows";
import { claimPendingTrades } from "../src/sql/trade-claims";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import { batchOf, openTestDatabase, outcomeOf, quoteOf, runningBatch, type TestContext, tradesOf } from "./helpers";

// Away from UTC, so that reading a date or a timestamp as local time shows (the driver's own parsers do).
process.env.TZ = "America/New_York";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

describe("Database.raw", () => {
  it("reads rows exactly as Prisma's $queryRaw does: Decimal, Date (date and timestamps), BigInt, float, boolean, null", async () => {
    const { batch } = await runningBatch(t.db, 2);
    await t.db.prisma.$executeRaw`UPDATE batch SET finished_run_seconds = 1.25 WHERE id = ${batch.id}::uuid`;
    await t.db.prisma.$executeRaw`UPDATE trade SET value_date = '2026-12-01', rate = 18.1234567891 WHERE batch_id = ${batch.id}::uuid`;
    const read = async (db: typeof t.db.raw) => ({
      trades: await db.$queryRaw<TradeRow[]>`SELECT ${TRADE_COLUMNS} FROM trade WHERE batch_id = ${batch.id}::uuid ORDER BY row_number`,
      batch: await db.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${batch.id}::uuid`,
      values: await db.$queryRaw<Record<string, unknown>[]>`
        SELECT count(*) AS n, 9007199254740993::int8 AS big, 1.5::float8 AS f, true AS b, NULL::numeric AS none, '2026-11-28 10:11:12.345'::timestamp AS ts,
               ${new Prisma.Decimal("12.3400")}::numeric AS decimal, ${[new Date("2026-11-28T10:00:00.123Z")]}::timestamptz[] AS dates`,
    });
    const viaRaw = await read(t.db.raw);
    expect(viaRaw).toEqual(await read(t.db.prisma));
    expect(viaRaw.trades).toHaveLength(2);
    expect(viaRaw.trades[0]!.amount).toBeInstanceOf(Prisma.Decimal);
    expect(viaRaw.trades[0]!.rate!.toFixed()).toBe("18.1234567891");
    expect(viaRaw.trades[0]!.valueDate!.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(viaRaw.batch[0]!.finishedRunSeconds).toBe(1.25);
    expect(viaRaw.values[0]).toMatchObject({ n: 1n, big: 9007199254740993n, f: 1.5, b: true, none: null });
    expect((viaRaw.values[0]!.ts as Date).toISOString()).toBe("2026-11-28T10:11:12.345Z");
    expect((viaRaw.values[0]!.decimal as Prisma.Decimal).toFixed()).toBe("12.34");
  });

  it("sends Dates as Prisma does, whatever the cast: the same instant as timestamptz, timestamp and date", async () => {
    const at = new Date("2026-11-28T03:30:00.000Z");
    const read = (db: typeof t.db.raw) =>
      db.$queryRaw<
        Record<string, unknown>[]
      >`SELECT ${at}::timestamptz AS tz, ${at}::timestamp AS ts, ${at}::date AS d, ${[at]}::timestamptz[] AS tzs`;
    const [viaRaw] = await read(t.db.raw);
    expect(viaRaw).toEqual((await read(t.db.prisma))[0]);
    expect((viaRaw!.ts as Date).toISOString()).toBe("2026-11-28T03:30:00.000Z");
    expect((viaRaw!.d as Date).toISOString()).toBe("2026-11-28T00:00:00.000Z");
  });

  it("sends named statements, which the connection keeps prepared", async () => {
    const mine = await t.db.raw.$queryRaw<{ name: string }[]>`
      SELECT name FROM pg_prepared_statements WHERE statement LIKE '%pg_prepared_statements%' AND name LIKE 'fxbt_%'`;
    expect(mine).toHaveLength(1);
  });

  it("runs the runner's moves with the same results as through Prisma", async () => {
    const { batch } = await runningBatch(t.db, 4);
    const claimed = (await claimPendingTrades(t.db.raw, batch.id, 4)).map(({ trade }) => trade);
    expect(claimed.map((trade) => trade.status)).toEqual(["EXECUTING", "EXECUTING", "EXECUTING", "EXECUTING"]);
    const quoted = (
      await markTradesQuoted(
        t.db.raw,
        claimed.map((trade) => quoteOf(trade)),
      )
    ).map(({ trade }) => trade);
    const { trades } = await recordTradeOutcomes(
      t.db.prisma,
      [outcomeOf(quoted[0]!, "book"), outcomeOf(quoted[1]!, "refuseBooking")],
      t.db.raw,
    );
    const byId = (a: TradeRow, b: TradeRow) => a.id.localeCompare(b.id);
    expect(trades.map(({ trade }) => trade).sort(byId)).toEqual(
      (await tradesOf(t.db, batch.id)).filter((trade) => trade.id === quoted[0]!.id || trade.id === quoted[1]!.id).sort(byId),
    );
    expect((await batchOf(t.db, batch.id)).succeededTrades).toBe(1);
  });
});
