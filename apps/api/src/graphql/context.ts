import type { BatchView, TradeAttemptView, TradeView } from "@fxbt/domain";
import type { EventBus } from "@fxbt/events";
import DataLoader from "dataloader";
import type { BatchCommands } from "../services/batch-commands";
import type { BatchQueries } from "../services/batch-queries";

/** What every operation can reach, one instance per app. */
export interface Services {
  commands: BatchCommands;
  queries: BatchQueries;
  bus: EventBus;
}

/** Per request (or per subscription): loaders cache only within it. */
export interface GraphQLContext extends Services {
  batchLoader: DataLoader<string, BatchView | null>;
  /** A trade's attempts, for many trades in one query (Trade.history over a page of trades). */
  historyLoader: DataLoader<TradeView, TradeAttemptView[], string>;
}

export function createContext(services: Services): GraphQLContext {
  return {
    ...services,
    batchLoader: new DataLoader((ids) => services.queries.batchesByIds(ids)),
    historyLoader: new DataLoader((trades) => services.queries.histories(trades), { cacheKeyFn: (trade) => trade.id }),
  };
}
