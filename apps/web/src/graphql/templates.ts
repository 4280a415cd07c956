import { graphql } from "../gql";

export const TemplateFieldsFragment = graphql(`
  fragment TemplateFields on BatchTemplate {
    id
    name
    namePattern
    priority
    hasRows
    rowCount
    sourceBatchUid
    createdBy
    createdAt
    stagedCount
    lastStagedAt
  }
`);

export const BatchTemplatesQuery = graphql(`
  query BatchTemplates($first: Int, $after: String, $search: String) {
    batchTemplates(first: $first, after: $after, search: $search) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          ...TemplateFields
        }
      }
    }
  }
`);

/** One template by id: the one the New batch form's address names, when it is not among the first page listed. */
export const BatchTemplateQuery = graphql(`
  query BatchTemplate($id: ID!) {
    batchTemplate(id: $id) {
      ...TemplateFields
    }
  }
`);

export const SaveBatchTemplateMutation = graphql(`
  mutation SaveBatchTemplate($input: SaveBatchTemplateInput!) {
    saveBatchTemplate(input: $input) {
      ...TemplateFields
    }
  }
`);

export const RenameBatchTemplateMutation = graphql(`
  mutation RenameBatchTemplate($id: ID!, $name: String!) {
    renameBatchTemplate(id: $id, name: $name) {
      ...TemplateFields
    }
  }
`);

export const DeleteBatchTemplateMutation = graphql(`
  mutation DeleteBatchTemplate($id: ID!) {
    deleteBatchTemplate(id: $id)
  }
`);

export const StageBatchFromTemplateMutation = graphql(`
  mutation StageBatchFromTemplate($input: StageBatchFromTemplateInput!) {
    stageBatchFromTemplate(input: $input) {
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
