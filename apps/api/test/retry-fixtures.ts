import type pg from "pg";

/** A trade as the retry tests compare it before and after a retry. */
export interface TradeState {
  id: string;
  row: number;
  status: string;
  code: string | null;
  attempts: number;
  transaction: string | null;
}

/** The batch's trades, by row. */
export async function tradeStatesOf(sql: pg.Client, batchId: string): Promise<TradeState[]> {
  const { rows } = await sql.query<TradeState>(
    `SELECT id, row_number AS row, status::text, error_code AS code, attempts, transaction_id AS transaction
     FROM trade WHERE batch_id = $1 ORDER BY row_number`,
    [batchId],
  );
  return rows;
}

/** The audit log's records of retries of the batch, oldest first. */
export async function retryAuditOf(sql: pg.Client, batchId: string): Promise<{ outcome: string; detail: string }[]> {
  const { rows } = await sql.query<{ outcome: string; detail: string }>(
    `SELECT outcome::text, detail FROM audit_event WHERE batch_id = $1 AND action = 'RETRY_FAILED_TRADES' ORDER BY at, id`,
    [batchId],
  );
  return rows;
}
