import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute, print } from "graphql";
import type { GraphQLContext } from "./context";

/**
 * The part of a caller that can change what a subscription's selection set resolves to, as a
 * string. Everything under the Subscription type reads the caller only through the context's
 * partner-narrowed reads: `Batch.trades` (`queries.trades`), `Trade.batch` (`batchLoader`) and
 * `Trade.history` (`historyLoader`), all made by `createContext` from `caller.partner`. The rest
 * are plain fields of the event's views or pure functions of them (`Batch.progress`,
 * `Batch.processedTrades`, `Batch.resultsCsvPath`, `Batch.failuresCsvPath`, the scalars), and the role is checked only by
 * the root field's `subscribe` (schema.ts), which runs per subscriber. So the partner, and only
 * the partner, is the visibility scope. A resolver added under these types that reads anything
 * else of the caller (its role, its id) must add it here, or callers would share its answer.
 *
 * @param context the subscriber's operation context
 * @returns `"*"` for staff (every batch), `"partner:<name>"` for a partner's principal
 */
export function visibilityScope(context: GraphQLContext): string {
  const partner = context.caller?.partner ?? null;
  return partner === null ? "*" : `partner:${partner}`;
}

/** What callers of the same group share: one execution of their selection set per event. */
export interface SharedExecutionOptions<C> {
  /**
   * The group key's scope part for a subscriber's context (see `visibilityScope`).
   * Subscribers with the same document, operation name, variables and scope share results.
   */
  scopeOf: (context: C) => string;
  /**
   * The context an event's one execution runs with, made from the context of the subscriber that
   * asked first (same scope as every other member of the group). Lets each execution have loaders
   * of its own, as one HTTP request has, instead of one subscriber's cache.
   *
   * @default the subscriber's context as it is
   */
  executionContext?: (context: C) => C;
}

/** graphql-ws's `subscribe` option, with the same contract as graphql's `subscribe`. */
export type SharedSubscribe = (args: ExecutionArgs) => Promise<AsyncGenerator<ExecutionResult> | ExecutionResult>;

/**
 * A `subscribe` for graphql-ws that executes a subscription's selection set once per event per
 * group of subscribers (same document, operation, variables and visibility scope) rather than
 * once per subscriber: with 1,000 sockets watching one batch, one execution and one result object
 * serve them all. graphql's own `subscribe` maps every source event through `execute` for each
 * subscriber; this one does the same mapping through a memo.
 *
 * The memo is keyed by the event object the resolver's source stream yields, held weakly: the
 * in-process bus hands every listener of a channel the same message object (the Redis and
 * PostgreSQL buses parse a message once per instance and do the same), and the subscription
 * resolvers pass live messages on as they are. An event made for one subscriber alone
 * (batchProgress's first event, the state read when subscribing; trade changes read back from the
 * database to resume or fill a gap) is a new object and is executed for that subscriber alone. A
 * resolver that copied each live message would lose the sharing, not correctness. The entry goes
 * when the event is no longer held by any subscriber's queue. Per subscriber, as before: authorization (the root
 * field's `subscribe` runs for each), the bus's bounded buffers and conflation, masking (`onNext`).
 *
 * @returns the source stream's results, or the result with errors graphql returns when the
 *   subscription cannot start (its `subscribe` resolver threw)
 */
export function sharedSubscribe<C extends object>(options: SharedExecutionOptions<C>): SharedSubscribe {
  const { scopeOf, executionContext = (context: C) => context } = options;
  // Per event, per group: the result (or the promise of it), shared by every subscriber of the group.
  const memo = new WeakMap<object, Map<string, ExecutionResult | Promise<ExecutionResult>>>();

  return async (args) => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const group = groupKey(args, scopeOf(args.contextValue as C));
    const run = (event: unknown) => execute({ ...args, rootValue: event, contextValue: executionContext(args.contextValue as C) });
    return mapAsyncIterator(stream, (event) => {
      // Only an object can be the same event for several subscribers.
      if (typeof event !== "object" || event === null) return run(event);
      let results = memo.get(event);
      if (!results) {
        results = new Map();
        memo.set(event, results);
      }
      let result = results.get(group);
      if (result === undefined) {
        result = run(event);
        results.set(group, result);
      }
      return result;
    });
  };
}

/**
 * The group a subscriber belongs to. The document's text as sent (or printed, when parsed without
 * locations) and the variables as sent: two spellings of the same operation only make two groups,
 * never one group of two operations.
 */
function groupKey(args: ExecutionArgs, scope: string): string {
  const text = args.document.loc?.source.body ?? print(args.document);
  return JSON.stringify([text, args.operationName ?? null, args.variableValues ?? null, scope]);
}

function isAsyncIterable<T>(value: unknown): value is AsyncIterable<T> {
  return typeof (value as { [Symbol.asyncIterator]?: unknown })?.[Symbol.asyncIterator] === "function";
}

/**
 * Maps a source stream as graphql's own (internal) mapAsyncIterator does: `return()` goes straight
 * to the source, so a client that completes ends the resolver's stream and its bus subscription
 * at once, instead of waiting, as an async generator's `return()` would, for the next event.
 */
function mapAsyncIterator<T, U>(iterable: AsyncIterable<T>, map: (value: T) => U | Promise<U>): AsyncGenerator<U, undefined, undefined> {
  const iterator = iterable[Symbol.asyncIterator]();
  const done = (): IteratorReturnResult<undefined> => ({ value: undefined, done: true });
  const mapResult = async (result: IteratorResult<T>): Promise<IteratorResult<U, undefined>> => {
    if (result.done) return done();
    try {
      return { value: await map(result.value), done: false };
    } catch (error) {
      // The source must not stay subscribed when its events cannot be mapped any more.
      await iterator.return?.().catch(() => undefined);
      throw error;
    }
  };
  return {
    next: async () => mapResult(await iterator.next()),
    return: async () => (iterator.return ? mapResult(await iterator.return()) : done()),
    throw: async (error: unknown) => {
      if (iterator.throw) return mapResult(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<U, undefined, undefined>;
}
