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
