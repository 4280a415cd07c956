import { costLimitRule } from "@escape.tech/graphql-armor-cost-limit";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  type DocumentNode,
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  getVariableValues,
  Kind,
  type ParseOptions,
  parse,
  specifiedRules,
  type ValidationContext,
  type ValidationRule,
  validate,
} from "graphql";
import { priorityInputError } from "./priority-input";

/**
 * Limits on the shape of a GraphQL document, checked before anything runs, the same over HTTP
 * (Apollo) and over the WebSocket (graphql-ws). Without them one small query could nest lists
 * inside lists or repeat a list under many aliases and take the process's whole heap.
 *
 * Depths count fields only (fragments are flattened into where they are spread). For reference,
 * the dashboard's operations (apps/web/src/graphql) are at most 5 levels deep, 91 tokens long
 * and cost at most 141, with no aliases and no directives.
 */
export const QUERY_LIMITS = {
  /**
   * Nesting of fields. 6 gives the dashboard (5) a level of room, and fits a page of trades with
   * each trade's attempts (`batch → trades → edges → node → history → number`), yet is too
   * shallow for a page inside a page: a connection takes three levels (field, edges, node) and a
   * field under it, so `batches → edges → node → trades → edges → node → id` is 7 and the
   * security review's `batch → trades → … → batch → trades …` is 9 at two hops. That holds
   * whether `first` is written in the document or passed in a variable, which the cost can't see.
   */
  maxDepth: 6,
  /**
   * Aliased fields in one operation. The dashboard uses none; 15 lets a tool fetch a handful of
   * batches or pages side by side, and stops the "same expensive field 1,000 times" query.
   */
  maxAliases: 15,
  /**
   * Lexical tokens in the document (names, punctuation, literals). The longest dashboard
   * operation has 91; 2,000 leaves ample room for hand-written queries while bounding
   * the parser's work and the AST's size. Data belongs in variables (stageBatch's CSV is one
   * variable, one value, whatever its size), so this never limits how big a CSV can be.
   */
  maxTokens: 2_000,
  /**
   * Directive uses (`@include`, `@skip`, …) in one operation. The dashboard uses none; 10 is
   * room for conditional fields without allowing directive floods that slow validation.
   */
  maxDirectives: 10,
  /**
   * GraphQL Armor's cost: 2 per object field and 1 per scalar, each level weighing 1.5× the one
   * above, and a field's cost multiplied by its `first` when `first` is written in the document.
   * The dashboard's dearest operation costs 141; a page of 100 trades written as
   * `trades(first: 100)` with every trade field costs about 13,000, so 20,000 admits it, while
   * `batch { trades(first: 100) { edges { node { id } } } }` (about 1,900) under 1,000 aliases
   * costs about 2 million and the same nested five times overflows. A `first` in a variable
   * (or left to its default) counts once: page sizes are capped at 100 by the resolvers, and the
   * depth and alias limits keep such pages from nesting or repeating.
   */
  maxCost: 20_000,
} as const;

/** Every limit refusal is a validation error: the operation never starts. */
export const LIMIT_ERROR_CODE = "GRAPHQL_VALIDATION_FAILED";

/** Armor's rules word their messages as syntax errors; ours are plain validation errors. */
function reportLimit(context: ValidationContext | null, error: GraphQLError): void {
  const message = `${error.message.replace(/^Syntax Error: /, "")} See "Query limits" in docs/api.md.`;
  context?.reportError(new GraphQLError(message, { extensions: { code: LIMIT_ERROR_CODE } }));
}

/** Report through the validation context (so validate() returns the error) instead of throwing. */
const report = { exposeLimits: true, propagateOnRejection: false, onReject: [reportLimit] };

/** The limit rules, to run alongside graphql's own validation rules. */
export const queryLimitRules: readonly ValidationRule[] = [
  maxDepthRule({ ...report, n: QUERY_LIMITS.maxDepth, flattenFragments: true }),
  maxAliasesRule({ ...report, n: QUERY_LIMITS.maxAliases }),
  maxDirectivesRule({ ...report, n: QUERY_LIMITS.maxDirectives }),
  costLimitRule({ ...report, maxCost: QUERY_LIMITS.maxCost, flattenFragments: true }),
];

/** graphql's own token limit, enforced while parsing, so an oversized document is never built. */
export const queryParseOptions: ParseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** For `new ApolloServer({ ...apolloQueryLimits })`. */
export const apolloQueryLimits = {
  parseOptions: queryParseOptions,
  validationRules: [...queryLimitRules],
};

/** graphql's specified rules plus the limits: everything a document must pass to run. */
export function validateOperation(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
  return validate(schema, document, [...specifiedRules, ...queryLimitRules]);
}

const withCode = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });

/** Why no operation of the document runs, as graphql's execute (and so Apollo over HTTP) words it. */
function operationNotFound(document: DocumentNode, operationName: string | null | undefined): string {
  if (operationName) return `Unknown operation named "${operationName}".`;
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION).length;
  return operations > 1 ? "Must provide operation name if query contains multiple operations." : "Must provide an operation.";
}

/** Apollo's words for a request with an empty `query` (its requestPipeline). */
const EMPTY_DOCUMENT_MESSAGE = "GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.";

/**
 * graphql-ws's `onSubscribe`: parses and validates with the same limits as HTTP, answering a
 * refused document with its errors (coded as Apollo codes them) before anything is executed.
 */
export function subscribeWithLimits(
  schema: GraphQLSchema,
  payload: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
    extensions?: Record<string, unknown> | null;
  },
  extraRules: readonly ValidationRule[] = [],
): ExecutionArgs | readonly GraphQLError[] {
  // Persisted queries are off (server.ts): Apollo answers any request that asks for one so over HTTP, with or without a query.
  if (payload.extensions?.persistedQuery !== undefined)
    return [new GraphQLError("PersistedQueryNotSupported", { extensions: { code: "PERSISTED_QUERY_NOT_SUPPORTED" } })];
  // Apollo refuses an empty document before parsing it, BAD_REQUEST over HTTP; parse would answer GRAPHQL_PARSE_FAILED.
  if (payload.query === "") return [new GraphQLError(EMPTY_DOCUMENT_MESSAGE, { extensions: { code: "BAD_REQUEST" } })];
  let document: DocumentNode;
  try {
    document = parse(payload.query, queryParseOptions);
  } catch (error) {
    if (error instanceof GraphQLError) return [withCode(error, "GRAPHQL_PARSE_FAILED")];
    throw error;
  }
  // The same answer as over HTTP (priorityInputGuard) for a stageBatch priority out of range.
  const priority = priorityInputError(schema, document, payload.variables);
  if (priority) return [priority];
  const errors =
    extraRules.length > 0
      ? validate(schema, document, [...specifiedRules, ...queryLimitRules, ...extraRules])
      : validateOperation(schema, document);
  if (errors.length > 0) return errors.map((error) => withCode(error, (error.extensions.code as string | undefined) ?? LIMIT_ERROR_CODE));
  // Variables of the wrong type: graphql's execute would answer them in a result with no code, which
  // the masking turns into INTERNAL_SERVER_ERROR; Apollo answers them BAD_USER_INPUT over HTTP.
  const operation = getOperationAST(document, payload.operationName);
  // graphql-ws would answer "Unable to identify operation" (GRAPHQL_VALIDATION_FAILED); Apollo's words and code.
  if (!operation)
    return [new GraphQLError(operationNotFound(document, payload.operationName), { extensions: { code: "OPERATION_RESOLUTION_FAILURE" } })];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
  if (coerced.errors) return coerced.errors.map((error) => withCode(error, "BAD_USER_INPUT"));
  return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
}
