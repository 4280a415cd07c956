// Migration 20261129020000_trade_entered_singly marks the trades entered by hand before it from their
// CREATE_TRADE audit records, and no trade of a CSV. Rolled back by its down.sql and applied again, no
// trade entered by hand in between (audited by id, no longer by row) may lose its mark: that is
// 20261129031500_trade_entered_singly_by_id's work.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { applyMigrations } from "@fxbt/schema-engine";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR } from "../src/open";
import type { TestDatabase } from "../src/testing";
import { type DatabaseBefore, databaseBefore, migrationNames } from "./migrations-before";

const MARKING = "20261129020000";

let before: DatabaseBefore;
let database: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  before = await databaseBefore(MARKING, "fxbt_db_entered_singly");
  ({ database, client } = before);
});

afterAll(() => before?.close());

const uuid = (batch: number, trade = 0) => `00000000-0000-4000-8000-${String(batch).padStart(6, "0")}${String(trade).padStart(6, "0")}`;
const uid = (batch: number) => `B-20261128-000${batch}`;

async function batch(number: number, totalTrades: number): Promise<void> {
  await client.query(`INSERT INTO batch (id, batch_uid, total_trades) VALUES ($1, $2, $3)`, [uuid(number), uid(number), totalTrades]);
}

/** Trades of a batch at these positions, in the hot table or the archive, none marked. */
async function trades(number: number, rows: readonly number[], table: "trade" | "trade_archive" = "trade"): Promise<void> {
  for (const row of rows) {
    await client.query(
      `INSERT INTO ${table} (id, batch_id, row_number, client_id, account_number, sell_currency, buy_currency, direction, amount,
                             status, attempts, created_at, updated_at, sequence)
       VALUES ($1, $2, $3, 'C-1', '1234567890', 'ZAR', 'USD', 'BUY', 100, 'PENDING', 0, now(), now(), 0)`,
      [uuid(number, row), uuid(number), row],
    );
  }
}

async function audited(number: number, outcome: "SUCCEEDED" | "REFUSED", detail: string): Promise<void> {
  await client.query(
    `INSERT INTO audit_event (actor, action, outcome, batch_id, detail) VALUES ('trader@example.com', 'CREATE_TRADE', $1, $2, $3)`,
    [outcome, uuid(number), detail],
  );
}

/** The marked trades, hot and archived, as "<batch>/<position>". */
async function marked(): Promise<string[]> {
  const { rows } = await client.query<{ trade: string }>(
    `SELECT right(b.batch_uid, 1) || '/' || t.row_number AS trade FROM trade t JOIN batch b ON b.id = t.batch_id WHERE t.entered_singly
     UNION ALL
     SELECT right(b.batch_uid, 1) || '/' || t.row_number || ' archived' FROM trade_archive t JOIN batch b ON b.id = t.batch_id
     WHERE t.entered_singly
     ORDER BY 1`,
  );
  return rows.map((row) => row.trade);
}

describe(`migration ${MARKING}_trade_entered_singly`, () => {
  it("marks the trades createTrade audited, hot or archived, and no trade of a file; a rollback and a new migration forward keep every mark", async () => {
    // Eleven rows of a file, then one entered by hand at position 12 (its record names "row 12", never "row 1").
    await batch(1, 12);
    await trades(1, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await audited(1, "SUCCEEDED", `${uid(1)}: row 12, BUY 1500.50 USD for HAND-1`);
    await audited(1, "REFUSED", `${uid(1)}: row 1, a refused entry made no trade`);
    // A batch of its own.
    await batch(2, 1);
    await trades(2, [1]);
    await audited(2, "SUCCEEDED", `${uid(2)}: row 1, SELL 2500.00 ZAR for ALONE-1 (a batch of its own)`);
    // A file of two, no trade entered by hand: another batch's record names its row 1.
    await batch(3, 2);
    await trades(3, [1, 2]);
    // Archived: a row of the file and one entered by hand.
    await batch(4, 2);
    await trades(4, [1, 2], "trade_archive");
    await audited(4, "SUCCEEDED", `${uid(4)}: row 2, BUY 1500.50 USD for HAND-2, needs approval`);

    const applied = await applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS_DIR });
    expect(applied.appliedMigrationNames).toContain(`${MARKING}_trade_entered_singly`);
    expect(await marked()).toEqual(["1/12", "2/1", "4/2 archived"]);

    // Entered by hand since, as createTrade now audits it: by its id (it has no row of a file).
    await client.query(`UPDATE batch SET total_trades = 3 WHERE id = $1`, [uuid(3)]);
    await trades(3, [3]);
    await client.query(`UPDATE trade SET entered_singly = true WHERE id = $1`, [uuid(3, 3)]);
    await audited(3, "SUCCEEDED", `${uid(3)}: trade ${uuid(3, 3)}, BUY 1500.50 USD for HAND-3`);
    const everyMark = ["1/12", "2/1", "3/3", "4/2 archived"];
    expect(await marked()).toEqual(everyMark);

    // Rolled back, newest first, to before the column (as docs/database.md says), then migrated forward again.
    const since = migrationNames()
      .filter((name) => name >= MARKING)
      .reverse();
    for (const name of since) await client.query(readFileSync(join(MIGRATIONS_DIR, name, "down.sql"), "utf8"));
    await client.query(`DELETE FROM _prisma_migrations WHERE migration_name >= $1`, [MARKING]);
    expect((await applyMigrations({ databaseUrl: database.url, migrationsDir: MIGRATIONS_DIR })).appliedMigrationNames).toEqual(
      [...since].reverse(),
    );
    expect(await marked()).toEqual(everyMark);
  });
});
