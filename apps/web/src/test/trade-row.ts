import type { TradeRowFragment } from "../gql/graphql";

/**
 * A trade as the dashboard's TradeRow fragment holds it, for unit tests: row `rowNumber` of a
 * batch, booked unless `overrides` say otherwise, its id made from the row number.
 */
export function tradeRow(rowNumber: number, overrides: Partial<TradeRowFragment> = {}): TradeRowFragment {
  return {
    __typename: "Trade",
    id: `6f1c0a4e-0000-4000-8000-0000000002${String(rowNumber).padStart(2, "0")}`,
    rowNumber,
    clientId: `C-${rowNumber}`,
    clientName: null,
    accountNumber: `10000${rowNumber}0000`,
    sellCurrency: "ZAR",
    buyCurrency: "USD",
    direction: "BUY",
    amount: "100.00",
    valueDate: null,
    reference: null,
    status: "SUCCESS",
    quoteId: null,
    rate: null,
    transactionId: null,
    errorCode: null,
    errorMessage: null,
    attempts: 1,
    updatedAt: "2026-11-27T09:05:00.000Z",
    sequence: rowNumber,
    ...overrides,
  };
}

/** The data of a BatchTrades answer: one page of a batch's trades, each trade's cursor its id. */
export function batchTradesPage(
  batchId: string,
  trades: readonly TradeRowFragment[],
  { totalCount = trades.length, endCursor = null }: { totalCount?: number; endCursor?: string | null } = {},
) {
  return {
    batch: {
      __typename: "Batch",
      id: batchId,
      trades: {
        __typename: "TradeConnection",
        totalCount,
        pageInfo: { __typename: "PageInfo", hasNextPage: endCursor !== null, endCursor },
        edges: trades.map((node) => ({ __typename: "TradeEdge", cursor: node.id, node })),
      },
    },
  };
}
