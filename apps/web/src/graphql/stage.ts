import { graphql } from "../gql";

export const StageBatchMutation = graphql(`
  mutation StageBatch($input: StageBatchInput!) {
    stageBatch(input: $input) {
      batch {
        ...BatchFields
      }
      errors {
        row
        field
        message
      }
    }
  }
`);

/** The batch a DUPLICATE_FILE error names by its batchUid, to link to it (its page is by id). */
export const BatchByUidQuery = graphql(`
  query BatchByUid($search: String!) {
    batches(first: 5, filter: { search: $search }) {
      edges {
        node {
          id
          batchUid
        }
      }
    }
  }
`);
