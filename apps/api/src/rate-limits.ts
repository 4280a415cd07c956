import type { IncomingMessage } from "node:http";
import type { NextFunction, RequestHandler, Response } from "express";
import { type DocumentNode, type GraphQLError, getOperationAST, Kind, parse, type SelectionSetNode } from "graphql";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Caller } from "./auth/authenticate";
import { apiError } from "./errors";
import { queryParseOptions } from "./graphql/limits";

/**
 * Rate limits and caps on both transports, as the product asks: per principal and per IP on
 * every HTTP request to /graphql and the CSV export and on every graphql-ws `subscribe`, sign-in
 * attempts per IP, sockets per principal and operations per socket. The counting is
 * rate-limiter-flexible's: in this process's memory, or in Redis when REDIS_URL is set so that
 * every API instance draws on the same budget. See "Query limits" in docs/api.md.
 */

/** Every window is a minute: the settings read "… per minute". */
const WINDOW_SECONDS = 60;

/** The graphql-ws close code of a socket over its principal's cap (429, as HTTP says "too many"). */
export const CLOSE_TOO_MANY_SOCKETS = 4429;

/** What {@link RateLimits} enforces; {@link DEFAULT_RATE_LIMITS} holds the defaults. */
export interface RateLimitOptions {
  /**
   * Requests and subscribes a minute per principal (an API key or a signed-in user), over both
   * transports together. Default 600. Requests without valid credentials count per IP only.
   */
  perPrincipalPerMinute: number;
  /** Requests and subscribes a minute per client IP, whoever sends them. Default 1,200. */
  perIpPerMinute: number;
  /** signIn attempts a minute per client IP, each aliased signIn counted. Default 20. */
  signInPerIpPerMinute: number;
  /** Open WebSockets per principal on one API instance; the next is closed with 4429. Default 20. */
  maxSocketsPerPrincipal: number;
  /** Operations open at once on one WebSocket; the next subscribe is refused with LIMIT_EXCEEDED. Default 100. */
  maxSubscriptionsPerSocket: number;
  /** Where the counters live when several instances must share them (redis:// or rediss://). Default none: memory. */
  redisUrl?: string;
}

/**
 * The defaults, sized so that no legitimate client notices them: the dashboard sends a few
 * requests a minute per open page and holds a handful of subscriptions per socket; a script
 * polling a batch every 100 ms stays under 600 a minute. Per IP, twice a principal's budget, so
 * a few users behind one NAT are not refused, while one address cannot rotate through many keys.
 * Sign-in: 20 a minute is ample for people mistyping and makes guessing passwords across many
 * accounts from one address slow (each account also locks after SIGN_IN_LOCK_AFTER failures).
 */
export const DEFAULT_RATE_LIMITS = {
  perPrincipalPerMinute: 600,
  perIpPerMinute: 1_200,
  signInPerIpPerMinute: 20,
  maxSocketsPerPrincipal: 20,
  maxSubscriptionsPerSocket: 100,
} as const satisfies Omit<RateLimitOptions, "redisUrl">;

/** One budget: its limiter, and how a refusal names what ran out. */
interface Budget {
  limiter: RateLimiterMemory | RateLimiterRedis;
  points: number;
  what: string;
}

/** A refusal: what ran out, and when to try again. */
class Refusal {
  constructor(
    readonly message: string,
    readonly retryAfterSeconds: number,
  ) {}
}

/**
 * The limits of one API instance. Made by {@link RateLimits.create}; {@link RateLimits.close}
 * ends its Redis connection (if any).
 */
export class RateLimits {
  private constructor(
    readonly options: RateLimitOptions,
    private readonly perPrincipal: Budget,
    private readonly perIp: Budget,
    private readonly signInPerIp: Budget,
    private readonly onError: (error: unknown) => void,
    private readonly redis: Redis | null,
  ) {}

  /**
   * Limits counted in memory, or in Redis when `options.redisUrl` is set. With Redis, the API
   * does not start until it is reachable (a wrong REDIS_URL shows at once); if it goes away
   * later, each instance counts in its own memory with the same limits until it is back
   * (rate-limiter-flexible's insurance limiter), so an outage neither stops the API nor lifts
   * the limits. `onError` hears about the Redis connection's errors.
   */
  static async create(options: RateLimitOptions, onError: (error: unknown) => void): Promise<RateLimits> {
    let redis: Redis | null = null;
    if (options.redisUrl) {
      // No offline queue: while Redis is away a command fails at once and the insurance
      // limiter answers, rather than requests waiting on a reconnect.
      redis = new Redis(options.redisUrl, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      redis.on("error", onError);
      try {
        await redis.connect();
      } catch (error) {
        redis.disconnect();
        throw new Error(`cannot reach Redis at REDIS_URL: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const budget = (name: string, points: number, what: string): Budget => {
      const keyPrefix = `fxbt:rate:${name}`;
      const memory = new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
      const limiter = redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: WINDOW_SECONDS, insuranceLimiter: memory })
        : memory;
      return { limiter, points, what };
    };
    return new RateLimits(
      options,
      budget("principal", options.perPrincipalPerMinute, "requests a minute for this principal"),
      budget("ip", options.perIpPerMinute, "requests a minute from this address"),
      budget("sign-in", options.signInPerIpPerMinute, "sign-in attempts a minute from this address"),
      onError,
      redis,
    );
  }

  /**
   * Express middleware counting a request against its IP's budget, answering 429 once it is
   * spent. Goes before the body is parsed and the caller is looked up, so a flood from one
   * address costs neither.
   */
  readonly byAddress: RequestHandler = (req, res, next) => {
    answer(this.consume([[this.perIp, req.ip ?? "unknown"]]), res, next);
  };

  /**
   * Express middleware, after the body is parsed and the session read: counts the request's
   * signIn fields against its IP's sign-in budget, and the request against its principal's
   * budget (`callerOf` says who it is; a request with no valid credentials has only its IP's).
   * A failed lookup is left for the route to report: the request is counted by IP only.
   */
  byCaller(callerOf: (req: Parameters<RequestHandler>[0]) => Promise<{ caller: Caller | null }>): RequestHandler {
    return (req, res, next) => {
      const check = async (): Promise<Refusal | null> => {
        const signIns = signInCount(req.method === "GET" ? req.query : req.body);
        const refusal = signIns > 0 ? await this.consume([[this.signInPerIp, req.ip ?? "unknown"]], signIns) : null;
        if (refusal) return refusal;
        const { caller } = await callerOf(req).catch(() => ({ caller: null }));
        return caller ? await this.consume([[this.perPrincipal, principalKey(caller)]]) : null;
      };
      answer(check(), res, next);
    };
  }

  /**
   * At a socket's connection_init: why a principal holding `openSockets` sockets on this
   * instance may not open another (the close reason to send with {@link CLOSE_TOO_MANY_SOCKETS}), or null.
   */
  refuseSocket(openSockets: number): string | null {
    const cap = this.options.maxSocketsPerPrincipal;
    return openSockets >= cap ? `Too many sockets for this principal (at most ${cap})` : null;
  }

  /**
   * graphql-ws's onSubscribe: why this subscribe message is refused, or null. `operations` is
   * the size of the socket's ctx.subscriptions, which graphql-ws fills before onSubscribe (so it
   * includes this one) and empties as each operation completes or the client completes it, so a
   * completed subscription frees its place. The cap is checked first (before anything awaits,
   * so that messages arriving together are each counted once); then the IP's and the
   * principal's budgets, shared with HTTP.
   */
  async refuseSubscribe(operations: number, caller: Caller | null, address: string | null): Promise<GraphQLError | null> {
    const cap = this.options.maxSubscriptionsPerSocket;
    if (operations > cap) {
      return apiError("LIMIT_EXCEEDED", `at most ${cap} subscriptions may be open on one socket: complete one, or open another socket`, {
        limit: cap,
      });
    }
    const budgets: [Budget, string][] = [[this.perIp, address ?? "unknown"]];
    if (caller) budgets.push([this.perPrincipal, principalKey(caller)]);
    const refusal = await this.consume(budgets);
    return refusal ? apiError("RATE_LIMITED", refusal.message, { retryAfterSeconds: refusal.retryAfterSeconds }) : null;
  }

  /** Ends the Redis connection, if there is one. */
  async close(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  /** Takes `points` from each budget in turn; the first spent one refuses. */
  private async consume(budgets: [Budget, string][], points = 1): Promise<Refusal | null> {
    for (const [budget, key] of budgets) {
      try {
        await budget.limiter.consume(key, points);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          return new Refusal(`Rate limit of ${budget.points} ${budget.what} reached; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
        }
        // Not a refusal but a failure of the store (the insurance limiter normally answers
        // instead): the limits must not become a way to take the API down, so let it through.
        this.onError(rejection);
      }
    }
    return null;
  }
}

/** A principal's counter: kinds kept apart so that a key and a user can never share one. */
const principalKey = (caller: Pick<Caller, "kind" | "id">) => `${caller.kind}:${caller.id}`;

/** Goes on to the route, or answers the refusal; an unexpected failure goes to Express's error handler. */
function answer(refusal: Promise<Refusal | null>, res: Response, next: NextFunction): void {
  refusal.then((refused) => {
    if (refused) tooManyRequests(res, refused);
    else next();
  }, next);
}

/** 429 in the API's error format, with Retry-After (seconds) for clients and proxies that honour it. */
function tooManyRequests(res: Response, refusal: Refusal): void {
  res
    .status(429)
    .set("Retry-After", String(refusal.retryAfterSeconds))
    .json({ errors: [{ message: refusal.message, extensions: { code: "RATE_LIMITED", retryAfterSeconds: refusal.retryAfterSeconds } }] });
}

/**
 * How many signIn fields the operation a request names would run (aliases let one request try
 * several passwords). 0 when the body is not a GraphQL request or does not parse: Apollo
 * refuses those itself. The text is searched before it is parsed, so other requests cost nothing.
 */
export function signInCount(params: unknown): number {
  if (!params || typeof params !== "object" || Array.isArray(params)) return 0;
  const { query, operationName } = params as { query?: unknown; operationName?: unknown };
  if (typeof query !== "string" || !query.includes("signIn")) return 0;
  let document: DocumentNode;
  try {
    document = parse(query, queryParseOptions);
  } catch {
    return 0;
  }
  const operation = getOperationAST(document, typeof operationName === "string" ? operationName : undefined);
  if (operation?.operation !== "mutation") return 0;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [],
    ),
  );
  // Fragments are followed once each: a cycle is invalid, and Apollo refuses it after this.
  const followed = new Set<string>();
  const count = (set: SelectionSetNode): number =>
    set.selections.reduce((sum, selection) => {
      if (selection.kind === Kind.FIELD) return sum + (selection.name.value === "signIn" ? 1 : 0);
      if (selection.kind === Kind.INLINE_FRAGMENT) return sum + count(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || followed.has(fragment.name.value)) return sum;
      followed.add(fragment.name.value);
      return sum + count(fragment.selectionSet);
    }, 0);
  return count(operation.selectionSet);
}

/**
 * The client's address for a WebSocket's upgrade request, as Express tells it for HTTP requests
 * (`req.ip`: X-Forwarded-For as far as "trust proxy" allows), so that both transports count one
 * client under one address: Express's own getter, on a view of the upgrade request that has
 * the app's request prototype (`app.request`, which carries the app and its settings).
 */
export function upgradeAddress(request: IncomingMessage, app: { request: object }): string | null {
  const view = Object.assign(Object.create(app.request) as { ip?: string }, { headers: request.headers, socket: request.socket });
  return view.ip ?? request.socket.remoteAddress ?? null;
}
