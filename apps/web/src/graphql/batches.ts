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

/** The one app-wide live feed of batch changes (list updates and finish notifications). */
export const BatchListChangedSubscription = graphql(`
  subscription BatchListChanged {
    batchListChanged {
      kind
      batch {
        ...BatchFields
      }
    }
  }
`);
