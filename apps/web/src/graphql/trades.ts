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
