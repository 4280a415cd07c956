import { graphql } from "../gql";

/** Every Batch field the pages show; subscriptions select the same so the cache entry stays whole. */
export const BatchFieldsFragment = graphql(`
  fragment BatchFields on Batch {
    id
    batchUid
    name
    status
    priority
    totalTrades
    processedTrades
    succeededTrades
    failedTrades
    cancelledTrades
    progress
    createdAt
    updatedAt
    startedAt
    completedAt
    queuedAt
    cancelRequestedAt
    resultsCsvPath
    bankUnavailableSince
    partner
    stagedBy
    stagedById
    approvalRequired
    approvedBy
    approvedAt
    eventSequence
  }
`);

/** One row of a trade table; tradeStatusChanged events are written into the cache with it. */
export const TradeRowFragment = graphql(`
  fragment TradeRow on Trade {
    id
    rowNumber
    clientId
    clientName
    accountNumber
    sellCurrency
    buyCurrency
    direction
    amount
    valueDate
    reference
    status
    quoteId
    rate
    transactionId
    errorCode
    errorMessage
    attempts
    updatedAt
  }
`);
