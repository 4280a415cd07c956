import { graphql } from "../gql";

export const BatchesPageQuery = graphql(`
  query BatchesPage($first: Int!, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {
    batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...BatchFields
        }
      }
    }
  }
`);

/**
 * The one app-wide live feed of batch changes (list updates and finish notifications). Its first
 * event, LISTENING, is when the pages read again what they show (BatchFeed.tsx).
 */
export const BatchFeedSubscription = graphql(`
  subscription BatchFeed {
    batchFeed {
      kind
      batch {
        ...BatchFields
      }
    }
  }
`);
