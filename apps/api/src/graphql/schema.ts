import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { printSchema } from "graphql";
import { resolvers } from "./resolvers";

/**
 * The served schema is the public contract plus this API's extensions: the contract file is
 * the source of truth, never copied. The full printed SDL is committed as apps/api/schema.graphql.
 */
export const typeDefs = [
  readFileSync(new URL("../../../../contract/api-contract.graphql", import.meta.url), "utf8"),
  readFileSync(new URL("./extensions.graphql", import.meta.url), "utf8"),
];

export function buildSchema() {
  return makeExecutableSchema({ typeDefs, resolvers });
}

/** The full SDL as served, for apps/api/schema.graphql and for code generators. */
export function printServedSchema(): string {
  return `${printSchema(buildSchema())}\n`;
}
