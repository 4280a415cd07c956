import { graphql } from "../gql";

export const BatchDetailQuery = graphql(`
  query BatchDetail($id: ID!) {
    batch(id: $id) {
      ...BatchFields
    }
  }
`);

export const BatchTradesQuery = graphql(`
  query BatchTrades($id: ID!, $first: Int!, $after: String, $status: TradeStatus, $errorCode: String) {
    batch(id: $id) {
      id
      trades(first: $first, after: $after, status: $status, errorCode: $errorCode) {
        totalCount
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          cursor
          node {
            ...TradeRow
          }
        }
      }
    }
  }
`);

export const BatchResultsQuery = graphql(`
  query BatchResults($id: ID!) {
    batchResults(id: $id) {
      batch {
        id
      }
      succeededTrades
      failedTrades
      cancelledTrades
      totalsByCurrency {
        currency
        amount
      }
      errorsByCode {
        errorCode
        count
      }
    }
  }
`);

export const BatchProgressSubscription = graphql(`
  subscription BatchProgress($id: ID!, $afterSequence: Int) {
    batchProgress(id: $id, afterSequence: $afterSequence) {
      sequence
      batch {
        ...BatchFields
      }
    }
  }
`);

export const TradeStatusChangedSubscription = graphql(`
  subscription TradeStatusChanged($batchId: ID!, $afterSequence: Int) {
    tradeStatusChanged(batchId: $batchId, afterSequence: $afterSequence) {
      sequence
      previousStatus
      trade {
        ...TradeRow
      }
    }
  }
`);

export const StartBatchMutation = graphql(`
  mutation StartBatch($id: ID!) {
    startBatch(id: $id) {
      ...BatchFields
    }
  }
`);

export const CancelBatchMutation = graphql(`
  mutation CancelBatch($id: ID!) {
    cancelBatch(id: $id) {
      ...BatchFields
    }
  }
`);

export const RetryFailedTradesMutation = graphql(`
  mutation RetryFailedTrades($id: ID!, $errorCodes: [String!], $tradeIds: [ID!]) {
    retryFailedTrades(id: $id, errorCodes: $errorCodes, tradeIds: $tradeIds) {
      ...BatchFields
    }
  }
`);

export const ArchiveBatchMutation = graphql(`
  mutation ArchiveBatch($id: ID!) {
    archiveBatch(id: $id) {
      ...BatchFields
    }
  }
`);

export const DeleteBatchMutation = graphql(`
  mutation DeleteBatch($id: ID!) {
    deleteBatch(id: $id)
  }
`);

export const ApproveBatchMutation = graphql(`
  mutation ApproveBatch($id: ID!) {
    approveBatch(id: $id) {
      ...BatchFields
    }
  }
`);

export const BatchPreviewQuery = graphql(`
  query BatchPreview($id: ID!) {
    batch(id: $id) {
      id
      preview {
        totals {
          sellCurrency
          buyCurrency
          direction
          amountCurrency
          amount
          tradeCount
        }
        currencyTotals {
          currency
          amount
          tradeCount
        }
        valueDates {
          valueDate
          tradeCount
          firstRow
        }
        warnings {
          code
          message
          tradeCount
          rows
          valueDates
          currencies
          earlierBatchUids
        }
        confirmationRequired
        confirmationReason
      }
    }
  }
`);
