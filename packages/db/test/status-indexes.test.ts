import { TRADE_STATUSES } from "@fxbt/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestContext } from "./helpers";

let t: TestContext;
beforeAll(async () => {
  t = await openTestDatabase();
});
afterAll(() => t.close());

/**
 * trade's two status-led indexes are partial (migration 20261129090000_trade_partial_status_indexes):
 * a read of trades by status keeps an index only if its status is in one of their predicates, and a
 * status in both would cost a run an index entry for nothing. A status added to TradeStatus needs a
 * migration that puts it in one of them.
 */
describe("trade's partial status indexes", () => {
  it("hold every status of TradeStatus between them, each status in one", async () => {
    const { rows: statuses } = await t.db.pool.query<{ status: string }>(`SELECT unnest(enum_range(NULL::"TradeStatus"))::text AS status`);
    expect(statuses.map((row) => row.status)).toEqual([...TRADE_STATUSES]);
    const { rows } = await t.db.pool.query<{ name: string; predicate: string | null }>(
      `SELECT c.relname AS name, pg_get_expr(i.indpred, i.indrelid) AS predicate
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       WHERE c.relname IN ('trade_batch_id_status_row_number_idx', 'trade_status_locked_at_idx') ORDER BY c.relname`,
    );
    const held = rows.map(({ predicate }) => [...(predicate ?? "").matchAll(/'(\w+)'::"TradeStatus"/g)].map((match) => match[1]));
    expect(held.flat().sort()).toEqual([...TRADE_STATUSES].sort());
  });
});
