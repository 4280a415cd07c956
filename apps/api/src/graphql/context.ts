import type { Database } from "@fxbt/db";
import type { BatchView, TradeAttemptView, TradeView } from "@fxbt/domain";
import type { EventBus } from "@fxbt/events";
import DataLoader from "dataloader";
import type { Request, Response } from "express";
import type { Caller } from "../auth/authenticate";
import type { AccessService } from "../services/access";
import type { Acting, BatchCommands } from "../services/batch-commands";
import type { BatchQueries } from "../services/batch-queries";
import type { TemplateService } from "../services/templates";
import type { TradeEntry } from "../services/trade-entry";

/** What every operation can reach, one instance per app. */
export interface Services {
  commands: BatchCommands;
  /** Every batch's reads; each request gets them narrowed to its caller's partner. */
  queries: BatchQueries;
  access: AccessService;
  /** Batch templates; every call names its caller's partner, whose templates alone it reaches. */
  templates: TemplateService;
  /** createTrade: trades entered by hand. */
  tradeEntry: TradeEntry;
  database: Database;
  bus: EventBus;
}

/** Per request (or per subscription): who is calling, and loaders that cache only within it. */
export interface GraphQLContext extends Omit<Services, "queries"> {
  /** Null when no credentials came; resolvers ask `authorize` for what they need. */
  caller: Caller | null;
  /** Why the credentials sent were refused (a wrong or revoked key): every operation answers UNAUTHENTICATED. */
  credentialsProblem: string | null;
  /** The client's address, for the audit log. */
  address: string | null;
  /** The reads this caller may make (a partner's see only its batches). */
  queries: BatchQueries;
  /** Set over HTTP only: signing in and out needs the response to set the cookie. */
  http: { req: Request; res: Response } | null;
  batchLoader: DataLoader<string, BatchView | null>;
  /** A trade's attempts, for many trades in one query (Trade.history over a page of trades). */
  historyLoader: DataLoader<TradeView, TradeAttemptView[], string>;
}

export function createContext(
  services: Services,
  request: { caller: Caller | null; problem?: string | null; address: string | null; http?: GraphQLContext["http"] },
): GraphQLContext {
  const queries = services.queries.forPartner(request.caller?.partner ?? null);
  return {
    ...services,
    caller: request.caller,
    credentialsProblem: request.problem ?? null,
    address: request.address,
    http: request.http ?? null,
    queries,
    batchLoader: new DataLoader((ids) => queries.batchesByIds(ids)),
    historyLoader: new DataLoader((trades) => queries.histories(trades), { cacheKeyFn: (trade) => trade.id }),
  };
}

/** The caller acting, for commands; authorize() has already made sure there is one. */
export function acting(context: GraphQLContext): Acting {
  return { caller: context.caller!, address: context.address };
}
