import { graphql } from "../gql";

export const TradeHistoryQuery = graphql(`
  query TradeHistory($first: Int!, $after: String, $filter: TradeFilter) {
    trades(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...TradeRow
          createdAt
          batch {
            id
            batchUid
          }
        }
      }
    }
  }
`);

/** Every attempt of one trade, read when its row is expanded (never for a whole page of trades). */
export const TradeAttemptsQuery = graphql(`
  query TradeAttempts($id: ID!) {
    trade(id: $id) {
      id
      history {
        number
        idempotencyKey
        quoteId
        rate
        sellAmount
        buyAmount
        quoteExpiresAt
        bookingSentAt
        outcome
        transactionId
        errorCode
        errorMessage
        startedAt
        finishedAt
      }
    }
  }
`);
