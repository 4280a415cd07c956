// Migration 20261129080000_cancelled_unmoved_trades: a cancel under way when it applies (its PENDING
// trades not yet counted, as the code before counted them only when writing their rows) is counted
// then, so the new chunks finish it with exact counters; its down.sql refuses while such trades are left.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectDatabase, type Database } from "../src/client";
import { MIGRATIONS_DIR } from "../src/open";
import { cancelPendingChunk } from "../src/sql/batch-cancel";
import type { TestDatabase } from "../src/testing";
import { type DatabaseBefore, databaseBefore } from "./migrations-before";

const COUNTING = "20261129080000_cancelled_unmoved_trades";

let before: DatabaseBefore;
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  before = await databaseBefore(COUNTING, "fxbt_db_cancel_migration");
  ({ database, client } = before);
});

afterAll(() => before?.close());

const uuid = (batch: number, trade = 0) => `00000000-0000-4000-8000-${String(batch).padStart(6, "0")}${String(trade).padStart(6, "0")}`;

/** A batch as the code before left it: `statuses` its trades' (rows 1…n), its counters counting the final ones written. */
async function batch(number: number, status: string, statuses: readonly string[], cancelRequested: boolean): Promise<void> {
  const count = (s: string) => statuses.filter((t) => t === s).length;
  await client.query(
    `INSERT INTO batch (id, batch_uid, status, total_trades, succeeded_trades, failed_trades, cancelled_trades, cancel_requested_at)
     VALUES ($1, $2, $3::"BatchStatus", $4, $5, $6, $7, $8)`,
    [
      uuid(number),
      `B-20261129-000${number}`,
      status,
      statuses.length,
      count("SUCCESS"),
      count("FAILED"),
      count("CANCELLED"),
      cancelRequested ? new Date() : null,
    ],
  );
  for (const [index, tradeStatus] of statuses.entries()) {
    await client.query(
      `INSERT INTO trade (id, batch_id, row_number, client_id, account_number, sell_currency, buy_currency, direction, amount,
                          status, attempts, created_at, updated_at, sequence)
       VALUES ($1, $2, $3, 'C-1', '1234567890', 'ZAR', 'USD', 'BUY', 100, $4::"TradeStatus", 0, now(), now(), 0)`,
      [uuid(number, index + 1), uuid(number), index + 1, tradeStatus],
    );
  }
}

const counters = async (number: number) =>
  (
    await client.query(
      `SELECT status::text, succeeded_trades AS succeeded, cancelled_trades AS cancelled, cancelled_unmoved_trades AS unwritten
       FROM batch WHERE id = $1`,
      [uuid(number)],
    )
  ).rows[0];

describe(COUNTING, () => {
  it("counts the PENDING trades of a cancel under way, so its chunks finish it exactly; leaves every other batch alone; down.sql waits for them", async () => {
    // 1: a RUNNING batch half through its cancel; 2: a PENDING batch whose cancel had written nothing; 3: a staged batch nobody cancelled.
    await batch(1, "RUNNING", ["SUCCESS", "CANCELLED", "CANCELLED", "PENDING", "PENDING"], true);
    await batch(2, "PENDING", ["PENDING", "PENDING", "PENDING"], true);
    await batch(3, "PENDING", ["PENDING", "PENDING"], false);

    await applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS_DIR });

    expect(await counters(1)).toEqual({ status: "RUNNING", succeeded: 1, cancelled: 4, unwritten: 2 });
    expect(await counters(2)).toEqual({ status: "PENDING", succeeded: 0, cancelled: 3, unwritten: 3 });
    expect(await counters(3)).toEqual({ status: "PENDING", succeeded: 0, cancelled: 0, unwritten: 0 });

    const down = readFileSync(join(MIGRATIONS_DIR, COUNTING, "down.sql"), "utf8");
    await expect(client.query(down)).rejects.toThrow(/cancelled trades are still being written/);

    // The new code's chunks write the rows and close both batches, counters exact.
    const db: Database = connectDatabase({ url: database.url, maxConnections: 2 });
    try {
      for (const number of [1, 2]) {
        const chunk = await db.prisma.$transaction((tx) => cancelPendingChunk(tx, uuid(number)));
        expect(chunk).toMatchObject({ more: false, batch: { status: "CANCELLED", cancelledUnmovedTrades: 0 } });
      }
    } finally {
      await db.close();
    }
    expect(await counters(1)).toEqual({ status: "CANCELLED", succeeded: 1, cancelled: 4, unwritten: 0 });
    expect(await counters(2)).toEqual({ status: "CANCELLED", succeeded: 0, cancelled: 3, unwritten: 0 });
    await expect(client.query(`UPDATE batch SET cancelled_unmoved_trades = -1 WHERE id = $1`, [uuid(3)])).rejects.toThrow(
      /batch_cancelled_unmoved_trades_check/,
    );
  });
});
