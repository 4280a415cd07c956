import { Prisma } from "./generated/prisma/client";
import type { BatchRow, TradeRow } from "./rows";

/**
 * Rows for unit tests that need no database (publisher, runner): complete and typed, so a
 * field added to the schema is added here once, not in every test.
 */
const EPOCH = new Date("2026-11-21T00:00:00.000Z");

export function batchRow(overrides: Partial<BatchRow> = {}): BatchRow {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    batchUid: "B-20261121-0001",
    name: null,
    status: "RUNNING",
    priority: 0,
    totalTrades: 100,
    succeededTrades: 0,
    failedTrades: 0,
    cancelledTrades: 0,
    cancelledUnmovedTrades: 0,
    createdAt: EPOCH,
    updatedAt: EPOCH,
    queuedAt: null,
    startedAt: null,
    completedAt: null,
    cancelRequestedAt: null,
    runStartedAt: null,
    finishedRunSeconds: 0,
    answeredTrades: 0,
    bankUnavailableSince: null,
    stagingKey: null,
    contentHash: null,
    partner: null,
    stagedById: null,
    stagedBy: null,
    approvalRequired: false,
    approvedById: null,
    approvedBy: null,
    approvedAt: null,
    eventSequence: 0,
    eventSequenceFrom: 1,
    eventSequenceTx: null,
    archivedAt: null,
    ...overrides,
  };
}

export function tradeRow(overrides: Partial<TradeRow> = {}): TradeRow {
  return {
    id: "00000000-0000-4000-8000-0000000000a1",
    batchId: "00000000-0000-4000-8000-000000000001",
    rowNumber: 1,
    enteredSingly: false,
    clientId: "C-1",
    clientName: "Client 1",
    accountNumber: "1234567890",
    sellCurrency: "ZAR",
    buyCurrency: "USD",
    direction: "BUY",
    amount: new Prisma.Decimal("1000.00"),
    valueDate: null,
    reference: null,
    status: "EXECUTING",
    quoteId: null,
    rate: null,
    sellAmount: null,
    buyAmount: null,
    idempotencyKey: "00000000-0000-4000-8000-0000000000a1:1",
    transactionId: null,
    errorCode: null,
    errorMessage: null,
    attempts: 1,
    lockedAt: EPOCH,
    createdAt: EPOCH,
    updatedAt: EPOCH,
    sequence: 0,
    ...overrides,
  };
}
