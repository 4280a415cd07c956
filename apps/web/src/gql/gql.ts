/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    partner\n    mustChangePassword\n    lockedUntil\n    lastSignInAt\n    disabledAt\n    createdAt\n    createdBy\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  query Users {\n    users {\n      ...UserFields\n    }\n  }\n": typeof types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n": typeof types.CreateUserDocument,
    "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      ...UserFields\n    }\n  }\n": typeof types.UpdateUserDocument,
    "\n  mutation ResetPassword($id: ID!) {\n    resetPassword(id: $id) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    role\n    partner\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        ...ApiKeyFields\n      }\n      key\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  query AuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          actorKind\n          actorId\n          actor\n          action\n          outcome\n          batchId\n          subject\n          address\n          detail\n        }\n      }\n    }\n  }\n": typeof types.AuditLogDocument,
    "\n  query BatchDetail($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.BatchDetailDocument,
    "\n  query BatchTrades($id: ID!, $first: Int!, $after: String, $status: TradeStatus, $errorCode: String) {\n    batch(id: $id) {\n      id\n      trades(first: $first, after: $after, status: $status, errorCode: $errorCode) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...TradeRow\n          }\n        }\n      }\n    }\n  }\n": typeof types.BatchTradesDocument,
    "\n  query BatchResults($id: ID!) {\n    batchResults(id: $id) {\n      batch {\n        id\n      }\n      succeededTrades\n      failedTrades\n      cancelledTrades\n      totalsByCurrency {\n        currency\n        amount\n      }\n      errorsByCode {\n        errorCode\n        count\n      }\n    }\n  }\n": typeof types.BatchResultsDocument,
    "\n  subscription BatchProgress($id: ID!, $afterSequence: Int) {\n    batchProgress(id: $id, afterSequence: $afterSequence) {\n      sequence\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n": typeof types.BatchProgressDocument,
    "\n  subscription TradeStatusChanged($batchId: ID!, $afterSequence: Int) {\n    tradeStatusChanged(batchId: $batchId, afterSequence: $afterSequence) {\n      sequence\n      previousStatus\n      trade {\n        ...TradeRow\n      }\n    }\n  }\n": typeof types.TradeStatusChangedDocument,
    "\n  mutation StartBatch($id: ID!) {\n    startBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.StartBatchDocument,
    "\n  mutation CancelBatch($id: ID!) {\n    cancelBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.CancelBatchDocument,
    "\n  mutation RetryFailedTrades($id: ID!, $errorCodes: [String!], $tradeIds: [ID!]) {\n    retryFailedTrades(id: $id, errorCodes: $errorCodes, tradeIds: $tradeIds) {\n      ...BatchFields\n    }\n  }\n": typeof types.RetryFailedTradesDocument,
    "\n  mutation ArchiveBatch($id: ID!) {\n    archiveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.ArchiveBatchDocument,
    "\n  mutation DeleteBatch($id: ID!) {\n    deleteBatch(id: $id)\n  }\n": typeof types.DeleteBatchDocument,
    "\n  mutation ApproveBatch($id: ID!) {\n    approveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": typeof types.ApproveBatchDocument,
    "\n  query BatchPreview($id: ID!) {\n    batch(id: $id) {\n      id\n      preview {\n        totals {\n          sellCurrency\n          buyCurrency\n          direction\n          amountCurrency\n          amount\n          tradeCount\n        }\n        currencyTotals {\n          currency\n          amount\n          tradeCount\n        }\n        valueDates {\n          valueDate\n          tradeCount\n          firstRow\n        }\n        warnings {\n          code\n          message\n          tradeCount\n          rows\n          valueDates\n          currencies\n          earlierBatchUids\n        }\n        confirmationRequired\n        confirmationReason\n      }\n    }\n  }\n": typeof types.BatchPreviewDocument,
    "\n  query BatchesPage($first: Int!, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {\n    batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n": typeof types.BatchesPageDocument,
    "\n  subscription BatchFeed {\n    batchFeed {\n      kind\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n": typeof types.BatchFeedDocument,
    "\n  fragment TradeCountSeriesFields on TradeCountSeries {\n    bucketSeconds\n    succeeded\n    failed\n    buckets {\n      start\n      succeeded\n      failed\n    }\n  }\n": typeof types.TradeCountSeriesFieldsFragmentDoc,
    "\n  query BatchThroughput($id: ID!) {\n    batch(id: $id) {\n      id\n      throughputSeries {\n        ...TradeCountSeriesFields\n      }\n    }\n  }\n": typeof types.BatchThroughputDocument,
    "\n  query TradeVolume($hours: Int!) {\n    tradeVolume(hours: $hours) {\n      ...TradeCountSeriesFields\n    }\n  }\n": typeof types.TradeVolumeDocument,
    "\n  fragment BatchFields on Batch {\n    id\n    batchUid\n    name\n    status\n    priority\n    totalTrades\n    processedTrades\n    succeededTrades\n    failedTrades\n    cancelledTrades\n    cancelledUnmovedTrades\n    progress\n    createdAt\n    updatedAt\n    startedAt\n    completedAt\n    runStartedAt\n    finishedRunSeconds\n    answeredTrades\n    queuedAt\n    cancelRequestedAt\n    resultsCsvPath\n    bankUnavailableSince\n    partner\n    stagedBy\n    stagedById\n    approvalRequired\n    approvedBy\n    approvedAt\n    eventSequence\n    archivedAt\n  }\n": typeof types.BatchFieldsFragmentDoc,
    "\n  fragment TradeRow on Trade {\n    id\n    rowNumber\n    clientId\n    clientName\n    accountNumber\n    sellCurrency\n    buyCurrency\n    direction\n    amount\n    valueDate\n    reference\n    status\n    quoteId\n    rate\n    transactionId\n    errorCode\n    errorMessage\n    attempts\n    updatedAt\n    sequence\n  }\n": typeof types.TradeRowFragmentDoc,
    "\n  query BatchFailuresExport($id: ID!) {\n    batch(id: $id) {\n      id\n      failuresCsvPath\n    }\n  }\n": typeof types.BatchFailuresExportDocument,
    "\n  fragment ViewerFields on Viewer {\n    kind\n    id\n    name\n    role\n    partner\n    mustChangePassword\n  }\n": typeof types.ViewerFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...ViewerFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      ...ViewerFields\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": typeof types.SignOutDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...ViewerFields\n    }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation StageBatch($input: StageBatchInput!) {\n    stageBatch(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": typeof types.StageBatchDocument,
    "\n  query BatchByUid($search: String!) {\n    batches(first: 5, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          batchUid\n        }\n      }\n    }\n  }\n": typeof types.BatchByUidDocument,
    "\n  fragment TemplateFields on BatchTemplate {\n    id\n    name\n    namePattern\n    priority\n    hasRows\n    rowCount\n    sourceBatchUid\n    createdBy\n    createdAt\n    stagedCount\n    lastStagedAt\n  }\n": typeof types.TemplateFieldsFragmentDoc,
    "\n  query BatchTemplates($first: Int, $after: String, $search: String) {\n    batchTemplates(first: $first, after: $after, search: $search) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...TemplateFields\n        }\n      }\n    }\n  }\n": typeof types.BatchTemplatesDocument,
    "\n  query BatchTemplate($id: ID!) {\n    batchTemplate(id: $id) {\n      ...TemplateFields\n    }\n  }\n": typeof types.BatchTemplateDocument,
    "\n  mutation SaveBatchTemplate($input: SaveBatchTemplateInput!) {\n    saveBatchTemplate(input: $input) {\n      ...TemplateFields\n    }\n  }\n": typeof types.SaveBatchTemplateDocument,
    "\n  mutation RenameBatchTemplate($id: ID!, $name: String!) {\n    renameBatchTemplate(id: $id, name: $name) {\n      ...TemplateFields\n    }\n  }\n": typeof types.RenameBatchTemplateDocument,
    "\n  mutation DeleteBatchTemplate($id: ID!) {\n    deleteBatchTemplate(id: $id)\n  }\n": typeof types.DeleteBatchTemplateDocument,
    "\n  mutation StageBatchFromTemplate($input: StageBatchFromTemplateInput!) {\n    stageBatchFromTemplate(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": typeof types.StageBatchFromTemplateDocument,
    "\n  mutation CreateTrade($input: CreateTradeInput!) {\n    createTrade(input: $input) {\n      trade {\n        id\n        batch {\n          ...BatchFields\n          preview {\n            confirmationRequired\n            confirmationReason\n          }\n        }\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": typeof types.CreateTradeDocument,
    "\n  query PendingBatches {\n    batches(first: 100, filter: { status: [PENDING] }, orderBy: { field: CREATED_AT, direction: DESC }) {\n      edges {\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n": typeof types.PendingBatchesDocument,
    "\n  query TradeHistory($first: Int!, $after: String, $filter: TradeFilter) {\n    trades(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TradeRow\n          createdAt\n          batch {\n            id\n            batchUid\n          }\n        }\n      }\n    }\n  }\n": typeof types.TradeHistoryDocument,
    "\n  query TradeAttempts($id: ID!) {\n    trade(id: $id) {\n      id\n      history {\n        number\n        idempotencyKey\n        quoteId\n        rate\n        sellAmount\n        buyAmount\n        quoteExpiresAt\n        bookingSentAt\n        outcome\n        transactionId\n        errorCode\n        errorMessage\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": typeof types.TradeAttemptsDocument,
};
const documents: Documents = {
    "\n  fragment UserFields on User {\n    id\n    email\n    role\n    partner\n    mustChangePassword\n    lockedUntil\n    lastSignInAt\n    disabledAt\n    createdAt\n    createdBy\n  }\n": types.UserFieldsFragmentDoc,
    "\n  query Users {\n    users {\n      ...UserFields\n    }\n  }\n": types.UsersDocument,
    "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n": types.CreateUserDocument,
    "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      ...UserFields\n    }\n  }\n": types.UpdateUserDocument,
    "\n  mutation ResetPassword($id: ID!) {\n    resetPassword(id: $id) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n": types.ResetPasswordDocument,
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    role\n    partner\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n": types.ApiKeysDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        ...ApiKeyFields\n      }\n      key\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n": types.RevokeApiKeyDocument,
    "\n  query AuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          actorKind\n          actorId\n          actor\n          action\n          outcome\n          batchId\n          subject\n          address\n          detail\n        }\n      }\n    }\n  }\n": types.AuditLogDocument,
    "\n  query BatchDetail($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.BatchDetailDocument,
    "\n  query BatchTrades($id: ID!, $first: Int!, $after: String, $status: TradeStatus, $errorCode: String) {\n    batch(id: $id) {\n      id\n      trades(first: $first, after: $after, status: $status, errorCode: $errorCode) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...TradeRow\n          }\n        }\n      }\n    }\n  }\n": types.BatchTradesDocument,
    "\n  query BatchResults($id: ID!) {\n    batchResults(id: $id) {\n      batch {\n        id\n      }\n      succeededTrades\n      failedTrades\n      cancelledTrades\n      totalsByCurrency {\n        currency\n        amount\n      }\n      errorsByCode {\n        errorCode\n        count\n      }\n    }\n  }\n": types.BatchResultsDocument,
    "\n  subscription BatchProgress($id: ID!, $afterSequence: Int) {\n    batchProgress(id: $id, afterSequence: $afterSequence) {\n      sequence\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n": types.BatchProgressDocument,
    "\n  subscription TradeStatusChanged($batchId: ID!, $afterSequence: Int) {\n    tradeStatusChanged(batchId: $batchId, afterSequence: $afterSequence) {\n      sequence\n      previousStatus\n      trade {\n        ...TradeRow\n      }\n    }\n  }\n": types.TradeStatusChangedDocument,
    "\n  mutation StartBatch($id: ID!) {\n    startBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.StartBatchDocument,
    "\n  mutation CancelBatch($id: ID!) {\n    cancelBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.CancelBatchDocument,
    "\n  mutation RetryFailedTrades($id: ID!, $errorCodes: [String!], $tradeIds: [ID!]) {\n    retryFailedTrades(id: $id, errorCodes: $errorCodes, tradeIds: $tradeIds) {\n      ...BatchFields\n    }\n  }\n": types.RetryFailedTradesDocument,
    "\n  mutation ArchiveBatch($id: ID!) {\n    archiveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.ArchiveBatchDocument,
    "\n  mutation DeleteBatch($id: ID!) {\n    deleteBatch(id: $id)\n  }\n": types.DeleteBatchDocument,
    "\n  mutation ApproveBatch($id: ID!) {\n    approveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n": types.ApproveBatchDocument,
    "\n  query BatchPreview($id: ID!) {\n    batch(id: $id) {\n      id\n      preview {\n        totals {\n          sellCurrency\n          buyCurrency\n          direction\n          amountCurrency\n          amount\n          tradeCount\n        }\n        currencyTotals {\n          currency\n          amount\n          tradeCount\n        }\n        valueDates {\n          valueDate\n          tradeCount\n          firstRow\n        }\n        warnings {\n          code\n          message\n          tradeCount\n          rows\n          valueDates\n          currencies\n          earlierBatchUids\n        }\n        confirmationRequired\n        confirmationReason\n      }\n    }\n  }\n": types.BatchPreviewDocument,
    "\n  query BatchesPage($first: Int!, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {\n    batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n": types.BatchesPageDocument,
    "\n  subscription BatchFeed {\n    batchFeed {\n      kind\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n": types.BatchFeedDocument,
    "\n  fragment TradeCountSeriesFields on TradeCountSeries {\n    bucketSeconds\n    succeeded\n    failed\n    buckets {\n      start\n      succeeded\n      failed\n    }\n  }\n": types.TradeCountSeriesFieldsFragmentDoc,
    "\n  query BatchThroughput($id: ID!) {\n    batch(id: $id) {\n      id\n      throughputSeries {\n        ...TradeCountSeriesFields\n      }\n    }\n  }\n": types.BatchThroughputDocument,
    "\n  query TradeVolume($hours: Int!) {\n    tradeVolume(hours: $hours) {\n      ...TradeCountSeriesFields\n    }\n  }\n": types.TradeVolumeDocument,
    "\n  fragment BatchFields on Batch {\n    id\n    batchUid\n    name\n    status\n    priority\n    totalTrades\n    processedTrades\n    succeededTrades\n    failedTrades\n    cancelledTrades\n    cancelledUnmovedTrades\n    progress\n    createdAt\n    updatedAt\n    startedAt\n    completedAt\n    runStartedAt\n    finishedRunSeconds\n    answeredTrades\n    queuedAt\n    cancelRequestedAt\n    resultsCsvPath\n    bankUnavailableSince\n    partner\n    stagedBy\n    stagedById\n    approvalRequired\n    approvedBy\n    approvedAt\n    eventSequence\n    archivedAt\n  }\n": types.BatchFieldsFragmentDoc,
    "\n  fragment TradeRow on Trade {\n    id\n    rowNumber\n    clientId\n    clientName\n    accountNumber\n    sellCurrency\n    buyCurrency\n    direction\n    amount\n    valueDate\n    reference\n    status\n    quoteId\n    rate\n    transactionId\n    errorCode\n    errorMessage\n    attempts\n    updatedAt\n    sequence\n  }\n": types.TradeRowFragmentDoc,
    "\n  query BatchFailuresExport($id: ID!) {\n    batch(id: $id) {\n      id\n      failuresCsvPath\n    }\n  }\n": types.BatchFailuresExportDocument,
    "\n  fragment ViewerFields on Viewer {\n    kind\n    id\n    name\n    role\n    partner\n    mustChangePassword\n  }\n": types.ViewerFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...ViewerFields\n    }\n  }\n": types.MeDocument,
    "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      ...ViewerFields\n    }\n  }\n": types.SignInDocument,
    "\n  mutation SignOut {\n    signOut\n  }\n": types.SignOutDocument,
    "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...ViewerFields\n    }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation StageBatch($input: StageBatchInput!) {\n    stageBatch(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": types.StageBatchDocument,
    "\n  query BatchByUid($search: String!) {\n    batches(first: 5, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          batchUid\n        }\n      }\n    }\n  }\n": types.BatchByUidDocument,
    "\n  fragment TemplateFields on BatchTemplate {\n    id\n    name\n    namePattern\n    priority\n    hasRows\n    rowCount\n    sourceBatchUid\n    createdBy\n    createdAt\n    stagedCount\n    lastStagedAt\n  }\n": types.TemplateFieldsFragmentDoc,
    "\n  query BatchTemplates($first: Int, $after: String, $search: String) {\n    batchTemplates(first: $first, after: $after, search: $search) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...TemplateFields\n        }\n      }\n    }\n  }\n": types.BatchTemplatesDocument,
    "\n  query BatchTemplate($id: ID!) {\n    batchTemplate(id: $id) {\n      ...TemplateFields\n    }\n  }\n": types.BatchTemplateDocument,
    "\n  mutation SaveBatchTemplate($input: SaveBatchTemplateInput!) {\n    saveBatchTemplate(input: $input) {\n      ...TemplateFields\n    }\n  }\n": types.SaveBatchTemplateDocument,
    "\n  mutation RenameBatchTemplate($id: ID!, $name: String!) {\n    renameBatchTemplate(id: $id, name: $name) {\n      ...TemplateFields\n    }\n  }\n": types.RenameBatchTemplateDocument,
    "\n  mutation DeleteBatchTemplate($id: ID!) {\n    deleteBatchTemplate(id: $id)\n  }\n": types.DeleteBatchTemplateDocument,
    "\n  mutation StageBatchFromTemplate($input: StageBatchFromTemplateInput!) {\n    stageBatchFromTemplate(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": types.StageBatchFromTemplateDocument,
    "\n  mutation CreateTrade($input: CreateTradeInput!) {\n    createTrade(input: $input) {\n      trade {\n        id\n        batch {\n          ...BatchFields\n          preview {\n            confirmationRequired\n            confirmationReason\n          }\n        }\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n": types.CreateTradeDocument,
    "\n  query PendingBatches {\n    batches(first: 100, filter: { status: [PENDING] }, orderBy: { field: CREATED_AT, direction: DESC }) {\n      edges {\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n": types.PendingBatchesDocument,
    "\n  query TradeHistory($first: Int!, $after: String, $filter: TradeFilter) {\n    trades(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TradeRow\n          createdAt\n          batch {\n            id\n            batchUid\n          }\n        }\n      }\n    }\n  }\n": types.TradeHistoryDocument,
    "\n  query TradeAttempts($id: ID!) {\n    trade(id: $id) {\n      id\n      history {\n        number\n        idempotencyKey\n        quoteId\n        rate\n        sellAmount\n        buyAmount\n        quoteExpiresAt\n        bookingSentAt\n        outcome\n        transactionId\n        errorCode\n        errorMessage\n        startedAt\n        finishedAt\n      }\n    }\n  }\n": types.TradeAttemptsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    email\n    role\n    partner\n    mustChangePassword\n    lockedUntil\n    lastSignInAt\n    disabledAt\n    createdAt\n    createdBy\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    email\n    role\n    partner\n    mustChangePassword\n    lockedUntil\n    lastSignInAt\n    disabledAt\n    createdAt\n    createdBy\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query Users {\n    users {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n"): (typeof documents)["\n  mutation CreateUser($input: CreateUserInput!) {\n    createUser(input: $input) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateUser($input: UpdateUserInput!) {\n    updateUser(input: $input) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($id: ID!) {\n    resetPassword(id: $id) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n"): (typeof documents)["\n  mutation ResetPassword($id: ID!) {\n    resetPassword(id: $id) {\n      user {\n        ...UserFields\n      }\n      oneTimePassword\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    role\n    partner\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    prefix\n    role\n    partner\n    createdAt\n    createdBy\n    lastUsedAt\n    revokedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys {\n    apiKeys {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        ...ApiKeyFields\n      }\n      key\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      apiKey {\n        ...ApiKeyFields\n      }\n      key\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          actorKind\n          actorId\n          actor\n          action\n          outcome\n          batchId\n          subject\n          address\n          detail\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditLog($first: Int!, $after: String, $filter: AuditFilter) {\n    auditLog(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          at\n          actorKind\n          actorId\n          actor\n          action\n          outcome\n          batchId\n          subject\n          address\n          detail\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchDetail($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  query BatchDetail($id: ID!) {\n    batch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchTrades($id: ID!, $first: Int!, $after: String, $status: TradeStatus, $errorCode: String) {\n    batch(id: $id) {\n      id\n      trades(first: $first, after: $after, status: $status, errorCode: $errorCode) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...TradeRow\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchTrades($id: ID!, $first: Int!, $after: String, $status: TradeStatus, $errorCode: String) {\n    batch(id: $id) {\n      id\n      trades(first: $first, after: $after, status: $status, errorCode: $errorCode) {\n        totalCount\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          cursor\n          node {\n            ...TradeRow\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchResults($id: ID!) {\n    batchResults(id: $id) {\n      batch {\n        id\n      }\n      succeededTrades\n      failedTrades\n      cancelledTrades\n      totalsByCurrency {\n        currency\n        amount\n      }\n      errorsByCode {\n        errorCode\n        count\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchResults($id: ID!) {\n    batchResults(id: $id) {\n      batch {\n        id\n      }\n      succeededTrades\n      failedTrades\n      cancelledTrades\n      totalsByCurrency {\n        currency\n        amount\n      }\n      errorsByCode {\n        errorCode\n        count\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BatchProgress($id: ID!, $afterSequence: Int) {\n    batchProgress(id: $id, afterSequence: $afterSequence) {\n      sequence\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription BatchProgress($id: ID!, $afterSequence: Int) {\n    batchProgress(id: $id, afterSequence: $afterSequence) {\n      sequence\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TradeStatusChanged($batchId: ID!, $afterSequence: Int) {\n    tradeStatusChanged(batchId: $batchId, afterSequence: $afterSequence) {\n      sequence\n      previousStatus\n      trade {\n        ...TradeRow\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription TradeStatusChanged($batchId: ID!, $afterSequence: Int) {\n    tradeStatusChanged(batchId: $batchId, afterSequence: $afterSequence) {\n      sequence\n      previousStatus\n      trade {\n        ...TradeRow\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartBatch($id: ID!) {\n    startBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation StartBatch($id: ID!) {\n    startBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelBatch($id: ID!) {\n    cancelBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation CancelBatch($id: ID!) {\n    cancelBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RetryFailedTrades($id: ID!, $errorCodes: [String!], $tradeIds: [ID!]) {\n    retryFailedTrades(id: $id, errorCodes: $errorCodes, tradeIds: $tradeIds) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation RetryFailedTrades($id: ID!, $errorCodes: [String!], $tradeIds: [ID!]) {\n    retryFailedTrades(id: $id, errorCodes: $errorCodes, tradeIds: $tradeIds) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ArchiveBatch($id: ID!) {\n    archiveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation ArchiveBatch($id: ID!) {\n    archiveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteBatch($id: ID!) {\n    deleteBatch(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteBatch($id: ID!) {\n    deleteBatch(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ApproveBatch($id: ID!) {\n    approveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"): (typeof documents)["\n  mutation ApproveBatch($id: ID!) {\n    approveBatch(id: $id) {\n      ...BatchFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchPreview($id: ID!) {\n    batch(id: $id) {\n      id\n      preview {\n        totals {\n          sellCurrency\n          buyCurrency\n          direction\n          amountCurrency\n          amount\n          tradeCount\n        }\n        currencyTotals {\n          currency\n          amount\n          tradeCount\n        }\n        valueDates {\n          valueDate\n          tradeCount\n          firstRow\n        }\n        warnings {\n          code\n          message\n          tradeCount\n          rows\n          valueDates\n          currencies\n          earlierBatchUids\n        }\n        confirmationRequired\n        confirmationReason\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchPreview($id: ID!) {\n    batch(id: $id) {\n      id\n      preview {\n        totals {\n          sellCurrency\n          buyCurrency\n          direction\n          amountCurrency\n          amount\n          tradeCount\n        }\n        currencyTotals {\n          currency\n          amount\n          tradeCount\n        }\n        valueDates {\n          valueDate\n          tradeCount\n          firstRow\n        }\n        warnings {\n          code\n          message\n          tradeCount\n          rows\n          valueDates\n          currencies\n          earlierBatchUids\n        }\n        confirmationRequired\n        confirmationReason\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchesPage($first: Int!, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {\n    batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchesPage($first: Int!, $after: String, $filter: BatchFilter, $orderBy: BatchOrder) {\n    batches(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription BatchFeed {\n    batchFeed {\n      kind\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription BatchFeed {\n    batchFeed {\n      kind\n      batch {\n        ...BatchFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TradeCountSeriesFields on TradeCountSeries {\n    bucketSeconds\n    succeeded\n    failed\n    buckets {\n      start\n      succeeded\n      failed\n    }\n  }\n"): (typeof documents)["\n  fragment TradeCountSeriesFields on TradeCountSeries {\n    bucketSeconds\n    succeeded\n    failed\n    buckets {\n      start\n      succeeded\n      failed\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchThroughput($id: ID!) {\n    batch(id: $id) {\n      id\n      throughputSeries {\n        ...TradeCountSeriesFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchThroughput($id: ID!) {\n    batch(id: $id) {\n      id\n      throughputSeries {\n        ...TradeCountSeriesFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TradeVolume($hours: Int!) {\n    tradeVolume(hours: $hours) {\n      ...TradeCountSeriesFields\n    }\n  }\n"): (typeof documents)["\n  query TradeVolume($hours: Int!) {\n    tradeVolume(hours: $hours) {\n      ...TradeCountSeriesFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment BatchFields on Batch {\n    id\n    batchUid\n    name\n    status\n    priority\n    totalTrades\n    processedTrades\n    succeededTrades\n    failedTrades\n    cancelledTrades\n    cancelledUnmovedTrades\n    progress\n    createdAt\n    updatedAt\n    startedAt\n    completedAt\n    runStartedAt\n    finishedRunSeconds\n    answeredTrades\n    queuedAt\n    cancelRequestedAt\n    resultsCsvPath\n    bankUnavailableSince\n    partner\n    stagedBy\n    stagedById\n    approvalRequired\n    approvedBy\n    approvedAt\n    eventSequence\n    archivedAt\n  }\n"): (typeof documents)["\n  fragment BatchFields on Batch {\n    id\n    batchUid\n    name\n    status\n    priority\n    totalTrades\n    processedTrades\n    succeededTrades\n    failedTrades\n    cancelledTrades\n    cancelledUnmovedTrades\n    progress\n    createdAt\n    updatedAt\n    startedAt\n    completedAt\n    runStartedAt\n    finishedRunSeconds\n    answeredTrades\n    queuedAt\n    cancelRequestedAt\n    resultsCsvPath\n    bankUnavailableSince\n    partner\n    stagedBy\n    stagedById\n    approvalRequired\n    approvedBy\n    approvedAt\n    eventSequence\n    archivedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TradeRow on Trade {\n    id\n    rowNumber\n    clientId\n    clientName\n    accountNumber\n    sellCurrency\n    buyCurrency\n    direction\n    amount\n    valueDate\n    reference\n    status\n    quoteId\n    rate\n    transactionId\n    errorCode\n    errorMessage\n    attempts\n    updatedAt\n    sequence\n  }\n"): (typeof documents)["\n  fragment TradeRow on Trade {\n    id\n    rowNumber\n    clientId\n    clientName\n    accountNumber\n    sellCurrency\n    buyCurrency\n    direction\n    amount\n    valueDate\n    reference\n    status\n    quoteId\n    rate\n    transactionId\n    errorCode\n    errorMessage\n    attempts\n    updatedAt\n    sequence\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchFailuresExport($id: ID!) {\n    batch(id: $id) {\n      id\n      failuresCsvPath\n    }\n  }\n"): (typeof documents)["\n  query BatchFailuresExport($id: ID!) {\n    batch(id: $id) {\n      id\n      failuresCsvPath\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ViewerFields on Viewer {\n    kind\n    id\n    name\n    role\n    partner\n    mustChangePassword\n  }\n"): (typeof documents)["\n  fragment ViewerFields on Viewer {\n    kind\n    id\n    name\n    role\n    partner\n    mustChangePassword\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...ViewerFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...ViewerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      ...ViewerFields\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($email: String!, $password: String!) {\n    signIn(email: $email, password: $password) {\n      ...ViewerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignOut {\n    signOut\n  }\n"): (typeof documents)["\n  mutation SignOut {\n    signOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...ViewerFields\n    }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n    changePassword(currentPassword: $currentPassword, newPassword: $newPassword) {\n      ...ViewerFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StageBatch($input: StageBatchInput!) {\n    stageBatch(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StageBatch($input: StageBatchInput!) {\n    stageBatch(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchByUid($search: String!) {\n    batches(first: 5, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          batchUid\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchByUid($search: String!) {\n    batches(first: 5, filter: { search: $search }) {\n      edges {\n        node {\n          id\n          batchUid\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment TemplateFields on BatchTemplate {\n    id\n    name\n    namePattern\n    priority\n    hasRows\n    rowCount\n    sourceBatchUid\n    createdBy\n    createdAt\n    stagedCount\n    lastStagedAt\n  }\n"): (typeof documents)["\n  fragment TemplateFields on BatchTemplate {\n    id\n    name\n    namePattern\n    priority\n    hasRows\n    rowCount\n    sourceBatchUid\n    createdBy\n    createdAt\n    stagedCount\n    lastStagedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchTemplates($first: Int, $after: String, $search: String) {\n    batchTemplates(first: $first, after: $after, search: $search) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...TemplateFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BatchTemplates($first: Int, $after: String, $search: String) {\n    batchTemplates(first: $first, after: $after, search: $search) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          ...TemplateFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BatchTemplate($id: ID!) {\n    batchTemplate(id: $id) {\n      ...TemplateFields\n    }\n  }\n"): (typeof documents)["\n  query BatchTemplate($id: ID!) {\n    batchTemplate(id: $id) {\n      ...TemplateFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SaveBatchTemplate($input: SaveBatchTemplateInput!) {\n    saveBatchTemplate(input: $input) {\n      ...TemplateFields\n    }\n  }\n"): (typeof documents)["\n  mutation SaveBatchTemplate($input: SaveBatchTemplateInput!) {\n    saveBatchTemplate(input: $input) {\n      ...TemplateFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenameBatchTemplate($id: ID!, $name: String!) {\n    renameBatchTemplate(id: $id, name: $name) {\n      ...TemplateFields\n    }\n  }\n"): (typeof documents)["\n  mutation RenameBatchTemplate($id: ID!, $name: String!) {\n    renameBatchTemplate(id: $id, name: $name) {\n      ...TemplateFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteBatchTemplate($id: ID!) {\n    deleteBatchTemplate(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteBatchTemplate($id: ID!) {\n    deleteBatchTemplate(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StageBatchFromTemplate($input: StageBatchFromTemplateInput!) {\n    stageBatchFromTemplate(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StageBatchFromTemplate($input: StageBatchFromTemplateInput!) {\n    stageBatchFromTemplate(input: $input) {\n      batch {\n        ...BatchFields\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateTrade($input: CreateTradeInput!) {\n    createTrade(input: $input) {\n      trade {\n        id\n        batch {\n          ...BatchFields\n          preview {\n            confirmationRequired\n            confirmationReason\n          }\n        }\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateTrade($input: CreateTradeInput!) {\n    createTrade(input: $input) {\n      trade {\n        id\n        batch {\n          ...BatchFields\n          preview {\n            confirmationRequired\n            confirmationReason\n          }\n        }\n      }\n      errors {\n        row\n        field\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PendingBatches {\n    batches(first: 100, filter: { status: [PENDING] }, orderBy: { field: CREATED_AT, direction: DESC }) {\n      edges {\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PendingBatches {\n    batches(first: 100, filter: { status: [PENDING] }, orderBy: { field: CREATED_AT, direction: DESC }) {\n      edges {\n        node {\n          ...BatchFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TradeHistory($first: Int!, $after: String, $filter: TradeFilter) {\n    trades(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TradeRow\n          createdAt\n          batch {\n            id\n            batchUid\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query TradeHistory($first: Int!, $after: String, $filter: TradeFilter) {\n    trades(first: $first, after: $after, filter: $filter) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...TradeRow\n          createdAt\n          batch {\n            id\n            batchUid\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TradeAttempts($id: ID!) {\n    trade(id: $id) {\n      id\n      history {\n        number\n        idempotencyKey\n        quoteId\n        rate\n        sellAmount\n        buyAmount\n        quoteExpiresAt\n        bookingSentAt\n        outcome\n        transactionId\n        errorCode\n        errorMessage\n        startedAt\n        finishedAt\n      }\n    }\n  }\n"): (typeof documents)["\n  query TradeAttempts($id: ID!) {\n    trade(id: $id) {\n      id\n      history {\n        number\n        idempotencyKey\n        quoteId\n        rate\n        sellAmount\n        buyAmount\n        quoteExpiresAt\n        bookingSentAt\n        outcome\n        transactionId\n        errorCode\n        errorMessage\n        startedAt\n        finishedAt\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;