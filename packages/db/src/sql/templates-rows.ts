import { roundToMinorUnits, type TemplateRow } from "@fxbt/domain";
import type { Queryable } from "../queryable";
import type { BatchRow } from "../rows";
import { tradeSourceOf, tradesFrom } from "./fragments";

/**
 * A batch's trades as template rows, in row order: the instructions as staged, each value date as
 * YYYY-MM-DD and each amount as exact decimal text (never through a float) at its currency's minor
 * units, as staging normalised it ("1000.50"; the column keeps four decimals for every currency).
 * An archived batch's trades are read where they are (tradeSourceOf).
 */
export async function batchInstructions(db: Queryable, batch: Pick<BatchRow, "id" | "status" | "archivedAt">): Promise<TemplateRow[]> {
  const rows = await db.$queryRaw<TemplateRow[]>`
    SELECT client_id AS "clientId", client_name AS "clientName", account_number AS "accountNumber",
           sell_currency AS "sellCurrency", buy_currency AS "buyCurrency", direction::text AS direction,
           amount::text AS amount, to_char(value_date, 'YYYY-MM-DD') AS "valueDate", reference
    FROM ${tradesFrom(tradeSourceOf(batch))} WHERE batch_id = ${batch.id}::uuid
    ORDER BY row_number, id`;
  return rows.map((row) => ({
    ...row,
    amount: roundToMinorUnits(row.amount, row.direction === "BUY" ? row.buyCurrency : row.sellCurrency),
  }));
}
