import type { ValidTradeRow } from "@fxbt/domain";
import type { PrismaClient } from "../generated/prisma/client";
import { BATCH_COLUMNS, type BatchRow } from "../rows";

export interface StageBatchRecord {
  name: string | null;
  priority: number;
  rows: readonly ValidTradeRow[];
  now?: Date;
}

/** B-YYYYMMDD-NNNN, numbered per UTC day. */
export function formatBatchUid(day: string, sequence: number): string {
  return `B-${day}-${String(sequence).padStart(4, "0")}`;
}

/**
 * Saves a batch and all its trades in one transaction: either every row is stored or none.
 * The trades go in with one INSERT … SELECT FROM unnest(…), not a statement per row.
 */
export async function insertStagedBatch(prisma: PrismaClient, record: StageBatchRecord): Promise<BatchRow> {
  const { rows } = record;
  const day = (record.now ?? new Date()).toISOString().slice(0, 10).replaceAll("-", "");
  const column = <K extends keyof ValidTradeRow>(key: K) => rows.map((row) => row[key]);
  return prisma.$transaction(
    async (tx) => {
      const [counter] = await tx.$queryRaw<{ lastValue: number }[]>`
        INSERT INTO batch_uid_counter (day, last_value) VALUES (${day}, 1)
        ON CONFLICT (day) DO UPDATE SET last_value = batch_uid_counter.last_value + 1
        RETURNING last_value AS "lastValue"`;
      const [batch] = await tx.$queryRaw<BatchRow[]>`
        INSERT INTO batch (id, batch_uid, name, priority, total_trades, updated_at)
        VALUES (gen_random_uuid(), ${formatBatchUid(day, counter!.lastValue)}, ${record.name}, ${record.priority}, ${rows.length}, now())
        RETURNING ${BATCH_COLUMNS}`;
      await tx.$executeRaw`
        INSERT INTO trade (id, batch_id, row_number, client_id, client_name, account_number, sell_currency,
                           buy_currency, direction, amount, value_date, reference, updated_at)
        SELECT gen_random_uuid(), ${batch!.id}::uuid, r.*, now()
        FROM unnest(${column("rowNumber")}::int[], ${column("clientId")}::text[], ${column("clientName")}::text[],
                    ${column("accountNumber")}::text[], ${column("sellCurrency")}::text[], ${column("buyCurrency")}::text[],
                    ${column("direction")}::"TradeDirection"[], ${column("amount")}::numeric[],
                    ${column("valueDate")}::date[], ${column("reference")}::text[]) AS r`;
      return batch!;
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}
