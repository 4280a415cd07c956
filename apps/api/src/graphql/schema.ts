import { readFileSync } from "node:fs";
import { makeExecutableSchema } from "@graphql-tools/schema";
import { resolvers } from "./resolvers";

/** The SDL file is the source of truth; the resolvers only fill it in. */
export const typeDefs = readFileSync(new URL("./schema.graphql", import.meta.url), "utf8");

export function buildSchema() {
  return makeExecutableSchema({ typeDefs, resolvers });
}
