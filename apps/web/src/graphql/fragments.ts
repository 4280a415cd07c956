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
    cancelledUnmovedTrades
    progress
    createdAt
    updatedAt
    startedAt
    completedAt
    runStartedAt
    finishedRunSeconds
    answeredTrades
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
    archivedAt
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
    sequence
  }
`);

/**
 * Where the batch's failed trades are exported in the upload format, to fix and stage again. Read
 * apart from BatchFields (by the results panel, only for a batch with failures) so that the
 * fragment's typed fixtures and mocks across the dashboard's tests stay as they are.
 */
export const BatchFailuresExportQuery = graphql(`
  query BatchFailuresExport($id: ID!) {
    batch(id: $id) {
      id
      failuresCsvPath
    }
  }
`);
