import type { CreateTradeInput } from "../services/trade-entry";
import { acting, type GraphQLContext } from "./context";

/** createTrade: thin, like every resolver; authorization wraps it (schema.ts). */
export const tradeEntryResolvers = {
  Mutation: {
    createTrade: (_: unknown, { input }: { input: CreateTradeInput }, context: GraphQLContext) =>
      context.tradeEntry.createTrade(input, acting(context)),
  },
};
