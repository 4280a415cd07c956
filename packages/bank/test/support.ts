import { connectDatabase, type Database } from "@fxbt/db";
import { createMigratedDatabase, type TestDatabase } from "@fxbt/db/testing";
import { afterAll, beforeAll } from "vitest";
import type { QuoteRequest } from "../src/index";

/** A migrated database of the test file's own, dropped after the file's tests. */
export function useDatabase(): () => Database {
  let testDatabase: TestDatabase | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    testDatabase = await createMigratedDatabase("fxbt_bank_test");
    database = connectDatabase({ url: testDatabase.url, maxConnections: 10 });
  });
  afterAll(async () => {
    await database?.close();
    await testDatabase?.drop();
  });
  return () => {
    if (database === undefined) throw new Error("the test database is not ready");
    return database;
  };
}

let counter = 0;

export function quoteRequest(overrides: Partial<QuoteRequest> = {}): QuoteRequest {
  counter += 1;
  return {
    clientId: "C-1",
    accountNumber: "ACC-000001",
    sellCurrency: "EUR",
    buyCurrency: "USD",
    direction: "SELL",
    amount: "1000.00",
    valueDate: null,
    requestId: `req-${process.pid}-${counter}`,
    ...overrides,
  };
}

export async function countBookings(database: Database, idempotencyKey: string): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>("SELECT count(*) AS n FROM bank_sim_booking WHERE idempotency_key = $1", [
    idempotencyKey,
  ]);
  return Number(rows[0]!.n);
}

/** A row of bank_sim_booking: the outcome recorded for one idempotency key. */
export interface LedgerRow {
  idempotency_key: string;
  transaction_id: string | null;
  quote_id: string;
  error_code: string | null;
  error_message: string | null;
}

export async function ledgerRows(database: Database, idempotencyKey: string): Promise<LedgerRow[]> {
  const { rows } = await database.pool.query<LedgerRow>(
    "SELECT idempotency_key, transaction_id, quote_id, error_code, error_message FROM bank_sim_booking WHERE idempotency_key = $1",
    [idempotencyKey],
  );
  return rows;
}

/** The rejection of a promise (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
