import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "../src/client";
import { tradeRow } from "../src/fixtures";
import { BATCH_COLUMNS, type BatchRow, TRADE_COLUMNS, type TradeRow, toBatchView, toTradeView, tradeColumns } from "../src/rows";
import { insertStagedBatch } from "../src/sql/stage-batch";
import { markTradesQuoted, recordTradeOutcomes } from "../src/sql/trade-results";
import { claimedBatch, openTestDatabase, outcomeOf, quoteOf, type TestContext, tradeRows, tradesOf } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

async function tableColumns(table: string): Promise<string[]> {
  const rows = await t.db.prisma.$queryRaw<{ column: string }[]>`
    SELECT column_name::text AS column FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ${table}`;
  return rows.map((row) => row.column).sort();
}

describe("the column lists", () => {
  it("select every scalar field of Trade and Batch, under the field's own name, and every column of their tables", async () => {
    const { batch } = await claimedBatch(t.db, 1);
    const [trade] = await t.db.prisma.$queryRaw<
      Record<string, unknown>[]
    >`SELECT ${TRADE_COLUMNS} FROM trade WHERE batch_id = ${batch.id}::uuid`;
    const [batchRow] = await t.db.prisma.$queryRaw<
      Record<string, unknown>[]
    >`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${batch.id}::uuid`;

    expect(Object.keys(trade!).sort()).toEqual(Object.keys(Prisma.TradeScalarFieldEnum).sort());
    expect(Object.keys(batchRow!).sort()).toEqual(Object.keys(Prisma.BatchScalarFieldEnum).sort());
    expect(await tableColumns("trade")).toEqual(Object.keys(Prisma.TradeScalarFieldEnum).map(snakeCase).sort());
    expect(await tableColumns("batch")).toEqual(Object.keys(Prisma.BatchScalarFieldEnum).map(snakeCase).sort());
  });

  it("read a row exactly as Prisma's own queries read it, values and types alike", async () => {
    const { batch, trades } = await claimedBatch(t.db, 1);
    await markTradesQuoted(t.db.prisma, [quoteOf(trades[0]!)]);
    await recordTradeOutcomes(t.db.prisma, [outcomeOf(trades[0]!, "book")]);

    const [raw] = await t.db.prisma.$queryRaw<TradeRow[]>`SELECT ${tradeColumns("t")} FROM trade t WHERE t.batch_id = ${batch.id}::uuid`;
    const [rawBatch] = await t.db.prisma.$queryRaw<BatchRow[]>`SELECT ${BATCH_COLUMNS} FROM batch WHERE id = ${batch.id}::uuid`;

    const viaPrisma = await t.db.prisma.trade.findUniqueOrThrow({ where: { id: raw!.id } });
    expect(raw).toEqual(viaPrisma);
    expect(raw!.amount).toBeInstanceOf(Prisma.Decimal);
    expect(raw!.createdAt).toBeInstanceOf(Date);
    expect(rawBatch).toEqual(await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } }));
    expect(rawBatch!.status).toBe("SUCCESS");
  });
});

describe("toTradeView", () => {
  it("rounds amounts half-up to the minor units of their currency (JPY 0 digits, USD 2) and keeps the claim bookkeeping inside", async () => {
    const batch = await insertStagedBatch(t.db.prisma, {
      name: null,
      priority: 0,
      rows: tradeRows(2, (row) =>
        row === 1
          ? { sellCurrency: "USD", buyCurrency: "JPY", direction: "BUY", amount: "1500000.5", valueDate: "2026-12-01" }
          : { sellCurrency: "USD", buyCurrency: "JPY", direction: "SELL", amount: "1234.565" },
      ),
    });
    await t.db.prisma.$executeRaw`
      UPDATE trade SET quote_id = 'Q', rate = 149.1234567891, sell_amount = 10101.005, buy_amount = 1500000.4999,
                       idempotency_key = 'k', locked_at = now()
      WHERE batch_id = ${batch.id}::uuid`;
    const [buy, sell] = await tradesOf(t.db, batch.id);

    const buyView = toTradeView(buy!);
    expect(buyView).toMatchObject({
      amount: "1500001",
      sellAmount: "10101.01",
      buyAmount: "1500000",
      rate: "149.1234567891",
      valueDate: "2026-12-01",
      createdAt: buy!.createdAt.toISOString(),
    });
    expect(toTradeView(sell!)).toMatchObject({ amount: "1234.57", sellAmount: "10101.01", buyAmount: "1500000", valueDate: null });
    const inside = ["idempotencyKey", "lockedAt", "enteredSingly"];
    for (const field of inside) expect(Object.keys(buyView)).not.toContain(field);
    expect(Object.keys(buyView).sort()).toEqual(
      Object.keys(Prisma.TradeScalarFieldEnum)
        .filter((field) => !inside.includes(field))
        .sort(),
    );
  });

  it("shows no row for a trade entered by hand: its row_number is only its position", () => {
    expect(toTradeView(tradeRow({ rowNumber: 4, enteredSingly: false })).rowNumber).toBe(4);
    expect(toTradeView(tradeRow({ rowNumber: 4, enteredSingly: true })).rowNumber).toBeNull();
  });

  it("keeps an unquoted trade's quote fields null", async () => {
    const { trades } = await claimedBatch(t.db, 1);
    expect(toTradeView(trades[0]!)).toMatchObject({ amount: "100.25", rate: null, sellAmount: null, buyAmount: null, quoteId: null });
  });
});

describe("toBatchView", () => {
  it("writes times as ISO strings and keeps nulls", async () => {
    const { batch } = await claimedBatch(t.db, 1);
    const row = await t.db.prisma.batch.findUniqueOrThrow({ where: { id: batch.id } });
    const view = toBatchView(row);
    expect(view).toMatchObject({
      id: row.id,
      status: "RUNNING",
      createdAt: row.createdAt.toISOString(),
      startedAt: row.startedAt!.toISOString(),
      completedAt: null,
      cancelRequestedAt: null,
    });
    expect(Object.keys(view)).not.toContain("stagingKey");
    expect(Object.keys(view)).not.toContain("contentHash");
  });
});
