import { PRIORITY_RULE, priorityProblem } from "@fxbt/domain";
import type { RequestHandler } from "express";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  getNamedType,
  Kind,
  type ParseOptions,
  parse,
  print,
  TypeInfo,
  type ValueNode,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
} from "graphql";

/** The input object and field checked here: StageBatchInput.priority, an Int of the public contract. */
const INPUT_TYPE = "StageBatchInput";
const FIELD = "priority";

/**
 * The error for a priority as sent, or null when it is in range. A literal is named as written
 * (a number too big for JavaScript stays exact, a string keeps its quotes); a variable's value
 * as the domain words it.
 */
function priorityError(node: ValueNode | null, value: unknown): GraphQLError | null {
  const problem = priorityProblem(value);
  if (!problem) return null;
  const message = node && node.kind !== Kind.VARIABLE ? `${PRIORITY_RULE}, got ${print(node)}` : problem;
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", field: FIELD } });
}

/**
 * The first StageBatchInput.priority of the document outside PRIORITY_RANGE, as one
 * BAD_USER_INPUT error naming the field and the range; null when there is none.
 *
 * GraphQL itself would refuse a literal beyond Int's 32 bits while validating, and such a
 * variable while coercing it, each with its own wording ("Int cannot represent …") and before
 * any resolver runs; this check runs first (priorityInputGuard over HTTP, graphql-ws's
 * onSubscribe over the socket), so every priority a caller gets wrong is answered the same way,
 * whether written in the document or sent as a variable (on its own or inside the whole
 * input). `variables` defaults to none.
 */
export function priorityInputError(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined = {},
): GraphQLError | null {
  const values = variables ?? {};
  const typeInfo = new TypeInfo(schema);
  let found: GraphQLError | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      ObjectField(node) {
        if (found || node.name.value !== FIELD || getNamedType(typeInfo.getParentInputType())?.name !== INPUT_TYPE) return;
        const sent = node.value.kind === Kind.VARIABLE ? values[node.value.name.value] : valueFromASTUntyped(node.value, values);
        found = priorityError(node.value, sent);
      },
      // The whole input in one variable ($input: StageBatchInput!), as the dashboard sends it.
      Argument(node) {
        if (found || node.value.kind !== Kind.VARIABLE || getNamedType(typeInfo.getInputType())?.name !== INPUT_TYPE) return;
        const input = values[node.value.name.value];
        if (input && typeof input === "object" && FIELD in input) found = priorityError(null, (input as Record<string, unknown>)[FIELD]);
      },
    }),
  );
  return found;
}

/**
 * Express handler for POST /graphql, after the JSON body parser and before Apollo: answers a
 * request whose stageBatch priority is out of range with that one error (HTTP 400) in the
 * GraphQL error shape, and hands every other request on untouched.
 *
 * It sits before Apollo, not in an Apollo plugin, because Apollo checks a document's literals in
 * validation before any plugin hook may answer, and serves an already validated document from
 * its cache without validating it again. A document that does not mention stageBatch is not
 * parsed here; one that does not parse is left to Apollo to answer.
 */
export function priorityInputGuard(schema: GraphQLSchema, parseOptions: ParseOptions = {}): RequestHandler {
  return (req, res, next) => {
    const body = req.body as { query?: unknown; variables?: unknown } | undefined;
    if (typeof body?.query !== "string" || !body.query.includes("stageBatch")) return next();
    let document: DocumentNode;
    try {
      document = parse(body.query, parseOptions);
    } catch {
      return next();
    }
    const variables = body.variables && typeof body.variables === "object" ? (body.variables as Record<string, unknown>) : {};
    const error = priorityInputError(schema, document, variables);
    if (!error) return next();
    res.status(400).json({ errors: [{ message: error.message, extensions: { code: "BAD_USER_INPUT", field: FIELD } }] });
  };
}
