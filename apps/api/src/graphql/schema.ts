import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { type GraphQLSchema, printSchema } from "graphql";
import { accessResolvers } from "./access-resolvers";
import { archiveResolvers } from "./archive-resolvers";
import { authorize, type FieldAccess, ROOT_FIELD_ACCESS } from "./authorization";
import type { GraphQLContext } from "./context";
import { batchResolvers } from "./resolvers";
import { runChartResolvers } from "./run-charts-resolvers";
import { templateResolvers } from "./templates-resolvers";
import { tradeEntryResolvers } from "./trade-entry-resolvers";

/**
 * The served schema is the public contract plus this API's extensions: the contract file is
 * the source of truth, never copied. The full printed SDL is committed as apps/api/schema.graphql.
 */
export const typeDefs = [
  readFileSync(new URL("../../../../contract/api-contract.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./extensions.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./access.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./preview.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./run-charts.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./templates.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./archive.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./trade-entry.graphql", import.meta.url), "utf8"),
];

type Resolver = (parent: unknown, args: unknown, context: GraphQLContext, info: unknown) => unknown;

/** Every root field runs only once authorize() has let its caller through. */
function guarded(resolve: Resolver, access: FieldAccess): Resolver {
  return (parent, args, context, info) => {
    authorize(context.caller, access, context.credentialsProblem);
    return resolve(parent, args, context, info);
  };
}

type Resolvers = NonNullable<Parameters<typeof makeExecutableSchema>[0]["resolvers"]>;

function guardRootFields(): Resolvers {
  const { Query, Mutation, Subscription, ...types } = batchResolvers;
  const { Query: chartQuery, Batch: chartBatch, ...chartTypes } = runChartResolvers;
  const roots: Record<string, Record<string, unknown>> = {
    Query: { ...Query, ...accessResolvers.Query, ...chartQuery, ...templateResolvers.Query },
    Mutation: {
      ...Mutation,
      ...accessResolvers.Mutation,
      ...templateResolvers.Mutation,
      ...archiveResolvers.Mutation,
      ...tradeEntryResolvers.Mutation,
    },
    Subscription,
  };
  for (const [type, fields] of Object.entries(roots)) {
    for (const [field, resolver] of Object.entries(fields)) {
      const access = ROOT_FIELD_ACCESS[type]?.[field];
      if (!access) throw new Error(`${type}.${field} has no entry in ROOT_FIELD_ACCESS: say who may use it`);
      fields[field] =
        typeof resolver === "function"
          ? guarded(resolver as Resolver, access)
          : { ...(resolver as object), subscribe: guarded((resolver as { subscribe: Resolver }).subscribe, access) };
    }
  }
  return { ...types, ...chartTypes, Batch: { ...types.Batch, ...chartBatch, ...archiveResolvers.Batch }, ...roots } as Resolvers;
}

/** Refuses a schema with a root field that nobody said who may use (it would have no resolver guard). */
function checkEveryRootFieldGuarded(schema: GraphQLSchema): void {
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.keys(type?.getFields() ?? {})) {
      if (!ROOT_FIELD_ACCESS[type!.name]?.[field]) throw new Error(`${type!.name}.${field} has no entry in ROOT_FIELD_ACCESS`);
    }
  }
}

export function buildSchema() {
  const schema = makeExecutableSchema({ typeDefs, resolvers: guardRootFields() });
  checkEveryRootFieldGuarded(schema);
  return schema;
}

/** The full SDL as served, for apps/api/schema.graphql and for code generators. */
export function printServedSchema(): string {
  return `${printSchema(buildSchema())}\n`;
}
