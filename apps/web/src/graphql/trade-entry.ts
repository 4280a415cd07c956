import { graphql } from "../gql";

export const CreateTradeMutation = graphql(`
  mutation CreateTrade($input: CreateTradeInput!) {
    createTrade(input: $input) {
      trade {
        id
        batch {
          ...BatchFields
          preview {
            confirmationRequired
            confirmationReason
          }
        }
      }
      errors {
        row
        field
        message
      }
    }
  }
`);

/** Staged batches a trade may be added to (the form keeps those not started, cancelled or approved). */
export const PendingBatchesQuery = graphql(`
  query PendingBatches {
    batches(first: 100, filter: { status: [PENDING] }, orderBy: { field: CREATED_AT, direction: DESC }) {
      edges {
        node {
          ...BatchFields
        }
      }
    }
  }
`);
