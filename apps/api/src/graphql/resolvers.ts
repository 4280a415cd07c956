import { type BatchView, batchProgress, processedTrades, type TradeView } from "@fxbt/domain";
import type { StageBatchInput } from "../services/batch-commands";
import type { BatchListArgs, BatchTradesArgs, TradeHistoryArgs } from "../services/batch-queries";
import { failuresCsvPath, resultsCsvPath } from "../services/results-export";
import { acting, type GraphQLContext } from "./context";
import { DateTimeScalar, DecimalScalar } from "./scalars";
import { subscriptionResolvers } from "./subscriptions";

/** Thin by design: every resolver hands its arguments to a service (authorization wraps them: schema.ts). */
export const batchResolvers = {
  DateTime: DateTimeScalar,
  Decimal: DecimalScalar,

  Query: {
    batch: (_: unknown, { id }: { id: string }, { queries }: GraphQLContext) => queries.batchByIdOrUid(id),
    batches: (_: unknown, args: BatchListArgs, { queries }: GraphQLContext) => queries.batches(args),
    activeBatches: (_: unknown, __: unknown, { queries }: GraphQLContext) => queries.activeBatches(),
    recentBatches: (_: unknown, { limit }: { limit: number }, { queries }: GraphQLContext) => queries.recentBatches(limit),
    batchResults: (_: unknown, { id }: { id: string }, { queries }: GraphQLContext) => queries.results(id),
    trade: (_: unknown, { id }: { id: string }, { queries }: GraphQLContext) => queries.trade(id),
    trades: (_: unknown, args: TradeHistoryArgs, { queries }: GraphQLContext) => queries.tradeHistory(args),
  },

  Mutation: {
    stageBatch: (_: unknown, { input }: { input: StageBatchInput }, context: GraphQLContext) =>
      context.commands.stageBatch(input, acting(context)),
    startBatch: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.commands.startBatch(id, acting(context)),
    approveBatch: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.commands.approveBatch(id, acting(context)),
    cancelBatch: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.commands.cancelBatch(id, acting(context)),
    retryFailedTrades: (
      _: unknown,
      { id, errorCodes, tradeIds }: { id: string; errorCodes?: string[] | null; tradeIds?: string[] | null },
      context: GraphQLContext,
    ) => context.commands.retryFailedTrades(id, acting(context), { errorCodes: errorCodes ?? null, tradeIds: tradeIds ?? null }),
    deleteBatch: (_: unknown, { id }: { id: string }, context: GraphQLContext) => context.commands.deleteBatch(id, acting(context)),
  },

  Subscription: subscriptionResolvers,

  Batch: {
    processedTrades: (batch: BatchView) => processedTrades(batch),
    progress: (batch: BatchView) => batchProgress(batch),
    resultsCsvPath: (batch: BatchView) => resultsCsvPath(batch.id),
    failuresCsvPath: (batch: BatchView) => failuresCsvPath(batch.id),
    trades: (batch: BatchView, args: BatchTradesArgs, { queries }: GraphQLContext) => queries.trades(batch, args),
    preview: (batch: BatchView, _: unknown, { queries }: GraphQLContext) => queries.preview(batch),
  },

  Trade: {
    batch: (trade: TradeView, _: unknown, { batchLoader }: GraphQLContext) => batchLoader.load(trade.batchId),
    history: (trade: TradeView, _: unknown, { historyLoader }: GraphQLContext) => historyLoader.load(trade),
  },
};
