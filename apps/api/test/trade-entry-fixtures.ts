import { expect } from "vitest";
import { BATCH_FIELDS, type BatchFields, type TestApp } from "./harness";

/** createTrade over HTTP, for the tests of trades entered by hand: the mutation, a valid entry, and the answer. */

export const TRADE_FIELDS = `id rowNumber clientId clientName accountNumber sellCurrency buyCurrency direction amount valueDate reference status errorCode`;
export const CREATE = `mutation($input: CreateTradeInput!) {
  createTrade(input: $input) {
    trade { ${TRADE_FIELDS} batch { ${BATCH_FIELDS} eventSequence approvalRequired } }
    errors { row field message }
  }
}`;

export interface TradeFields {
  id: string;
  rowNumber: number | null;
  clientId: string;
  clientName: string | null;
  accountNumber: string;
  sellCurrency: string;
  buyCurrency: string;
  direction: string;
  amount: string;
  valueDate: string | null;
  reference: string | null;
  status: string;
  errorCode: string | null;
  batch: BatchFields & { eventSequence: number; approvalRequired: boolean };
}
export interface CreatePayload {
  createTrade: { trade: TradeFields | null; errors: { row: number | null; field: string | null; message: string }[] };
}

let tradeCount = 0;
/** A valid trade instruction, each with its own reference (and so its own content). */
export function entry(fields: Record<string, unknown> = {}): Record<string, unknown> {
  tradeCount++;
  return {
    clientId: `HAND-${tradeCount}`,
    clientName: "Hand Client",
    accountNumber: "1234567890",
    sellCurrency: "zar",
    buyCurrency: "usd",
    direction: "buy",
    amount: "1500.5",
    valueDate: null,
    reference: `HAND-REF-${process.pid}-${tradeCount}`,
    ...fields,
  };
}

export const createTrade = (on: TestApp, input: Record<string, unknown>) => on.request<CreatePayload>(CREATE, { input });

/** The trade createTrade made, once its answer is checked to hold no error. */
export async function createdTrade(on: TestApp, input: Record<string, unknown>): Promise<TradeFields> {
  const answer = await createTrade(on, input);
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  expect(answer.data!.createTrade.errors).toEqual([]);
  return answer.data!.createTrade.trade!;
}

/** A date `days` from today (UTC), YYYY-MM-DD. */
export function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
