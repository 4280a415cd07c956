import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import type { Database } from "@fxbt/db";
import cors from "cors";
import express, { type Request, type Response } from "express";
import session from "express-session";
import { GraphQLError, type GraphQLSchema, NoSchemaIntrospectionCustomRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Registry } from "prom-client";
import { WebSocketServer } from "ws";
import { authenticate, type Caller, refreshCaller, type SessionCarrier } from "./auth/authenticate";
import { CLOSE_FORBIDDEN, CLOSE_INTERNAL_ERROR, CLOSE_UNAUTHORIZED, OpenSockets } from "./auth/open-sockets";
import { DatabaseSessionStore, pruneExpiredSessions, SESSION_PRUNE_MS } from "./auth/session-store";
import { maskInternalErrors, maskOperationErrors, maskResult } from "./errors";
import { SESSION_COOKIE } from "./graphql/access-resolvers";
import { authorize } from "./graphql/authorization";
import { createContext, type GraphQLContext, type Services } from "./graphql/context";
import { apolloQueryLimits, queryParseOptions, subscribeWithLimits } from "./graphql/limits";
import { priorityInputGuard } from "./graphql/priority-input";
import { sharedSubscribe, visibilityScope } from "./graphql/shared-execution";
import { jsonErrors } from "./http-errors";
import { CLOSE_TOO_MANY_SOCKETS, type RateLimitOptions, RateLimits, upgradeAddress } from "./rate-limits";
import { sendFailuresCsv, sendResultsCsv } from "./services/results-export";

export interface HttpServerOptions {
  schema: GraphQLSchema;
  services: Services;
  port: number;
  host?: string;
  corsOrigins: string[];
  /** Read by the CSV export, which streams rather than going through GraphQL. */
  database: Database;
  /** Served on /metrics for Prometheus. */
  metrics: Registry;
  /** Receives every unexpected error before it is masked for the client. */
  logError: (error: unknown) => void;
  /** Largest request body; a CSV inside JSON needs room beyond the CSV size limit. */
  bodyLimitBytes: number;
  /** Schema introspection and Apollo's sandbox page (both transports); off by default. */
  introspection?: boolean;
  /** The bearer token /metrics asks for; without one, /metrics is off. */
  metricsToken?: string;
  sessions: SessionOptions;
  /** Express's "trust proxy": which proxies' X-Forwarded-For and -Proto to believe (the audit log's addresses, Secure cookies). */
  trustProxy: string | boolean | number;
  /** How often open sockets' keys and sessions are checked again; a revoked one's sockets close within this. */
  authRecheckMs: number;
  /** How long a new socket has to send connection_init before it is closed 4408. */
  socketInitTimeoutMs: number;
  /** CSV exports that may wait for an export connection before the next is answered 503. */
  exportMaxQueued?: number;
  /** Requests and subscribes per principal and per IP, sign-in attempts per IP, sockets and subscriptions (rate-limits.ts). */
  rateLimits: RateLimitOptions;
}

export interface SessionOptions {
  /** Signs the session cookie; the first signs, every one verifies (rotation). */
  secrets: string[];
  /** A session unused this long ends. */
  idleMs: number;
  /** A session ends this long after sign-in, however busy. */
  maxAgeMs: number;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Queries and mutations over HTTP (Apollo Server 5 on Express 5) and subscriptions over
 * graphql-ws, on one port and one path. Apollo's CSRF prevention stays on: browsers'
 * simple requests are refused, JSON POSTs and the apollo-require-preflight header pass.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const app = express();
  app.set("trust proxy", options.trustProxy);
  const httpServer = http.createServer(app);
  const mask = maskInternalErrors(options.logError);
  const { database, services } = options;
  const sessions = session({
    name: SESSION_COOKIE,
    secret: options.sessions.secrets,
    store: new DatabaseSessionStore(database, options.sessions.maxAgeMs),
    resave: false,
    saveUninitialized: false,
    // Every request pushes the idle expiry back; the store caps it at the absolute one.
    rolling: true,
    cookie: { httpOnly: true, sameSite: "lax", secure: "auto", maxAge: options.sessions.idleMs },
  });
  const openSockets = new OpenSockets(database, options.authRecheckMs, options.logError);
  const limits = await RateLimits.create(options.rateLimits, options.logError);
  /**
   * Who sent an HTTP request (its bearer key, or its session cookie), or why its credentials are
   * refused. Looked up once per request: the rate limits and then the route ask.
   */
  const callers = new WeakMap<Request, ReturnType<typeof credentialsOf>>();
  const callerOf = (req: Request) => {
    let found = callers.get(req);
    if (!found) {
      found = credentialsOf(() => authenticate(database, { authorization: req.headers.authorization, session: req.session }));
      callers.set(req, found);
    }
    return found;
  };
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    // About the HTTP body limit: a message is at most one operation with its variables.
    maxPayload: options.bodyLimitBytes,
    // A browser always says which page opened the socket: only the allowed origins may (no
    // cross-site WebSocket hijacking). Clients that are not browsers send no Origin.
    verifyClient: ({ origin }: { origin?: string }, accept: (allowed: boolean, status?: number, reason?: string) => void) =>
      accept(!origin || options.corsOrigins.includes(origin), 403, "Origin not allowed"),
  });
  const socketCallers = new WeakMap<object, { caller: Caller; address: string | null }>();
  const subscriptions = useServer<Record<string, unknown>, { context?: GraphQLContext }>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: options.socketInitTimeoutMs,
      // graphql-ws closes a socket with an error's own text (4500) when NODE_ENV is not "production";
      // the handlers below mask what they throw themselves, and this covers anything else.
      isProd: true,
      // Every connection proves who it is at connection_init: a key in connectionParams, or the
      // browser's session cookie, read from the upgrade request.
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const refuse = (code: number, reason: string) => {
          socket.close(code, reason);
          return false;
        };
        try {
          // express-session reads the cookie of the upgrade request; there is no response to set one on.
          // A session that cannot be read (the database away) is a fault, not an absent session: 4401 would send the dashboard to sign in.
          await new Promise<void>((resolve, reject) =>
            sessions(request as unknown as Request, {} as Response, (error?: unknown) => (error ? reject(error) : resolve())),
          );
          const { caller } = await credentialsOf(() =>
            authenticate(database, {
              authorization: connectionAuthorization(ctx.connectionParams),
              session: (request as SessionCarrier).session,
            }),
          );
          if (!caller) return refuse(CLOSE_UNAUTHORIZED, "Unauthorized");
          if (caller.mustChangePassword) return refuse(CLOSE_FORBIDDEN, "Forbidden: change your one-time password first");
          const tooMany = limits.refuseSocket(openSockets.countOf(caller));
          if (tooMany) return refuse(CLOSE_TOO_MANY_SOCKETS, tooMany);
          socketCallers.set(ctx.extra, { caller, address: upgradeAddress(request, app) });
          openSockets.add(socket, caller);
          return true;
        } catch (error) {
          // The credentials could not be checked (the database away): closed, in the words HTTP answers with.
          return refuse(CLOSE_INTERNAL_ERROR, maskOperationErrors([unexpected(error)], mask)[0]!.message);
        }
      },
      // Each operation is authorised with the caller as it stands now, exactly as an HTTP request is.
      // Read here rather than in graphql-ws's `context`, whose errors close the whole socket: a
      // failure (the database away) answers this operation alone, masked as over HTTP.
      onSubscribe: async (ctx, _id, payload) => {
        try {
          const socket = socketCallers.get(ctx.extra);
          // ctx.subscriptions is counted now, before anything awaits: it holds this operation too.
          const refused = await limits.refuseSubscribe(
            Object.keys(ctx.subscriptions).length,
            socket?.caller ?? null,
            socket?.address ?? null,
          );
          if (refused) return [refused];
          const args = subscribeWithLimits(options.schema, payload, options.introspection ? [] : [NoSchemaIntrospectionCustomRule]);
          if (!("document" in args)) return args;
          const caller = socket ? await refreshCaller(database, socket.caller) : null;
          const contextValue = createContext(services, {
            caller,
            problem: caller ? null : "the socket's credentials are no longer valid (revoked key or ended session): reconnect",
            address: socket?.address ?? null,
          });
          return { ...args, contextValue };
        } catch (error) {
          return [unexpected(error)];
        }
      },
      // One execution per event for every subscriber of the same operation, variables and
      // visibility scope; each execution gets loaders of its own, as one HTTP request does.
      subscribe: sharedSubscribe<GraphQLContext>({
        scopeOf: visibilityScope,
        executionContext: (context) =>
          createContext(services, { caller: context.caller, problem: context.credentialsProblem, address: context.address }),
      }),
      // The same masking as Apollo's formatError, for errors before execution and in every result.
      onError: (_ctx, _id, _payload, errors) => maskOperationErrors(errors, mask),
      onNext: (_ctx, _id, _payload, _args, result) => maskResult(result, mask),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    includeStacktraceInErrorResponses: false,
    // Automatic persisted queries are off: the API takes the document in every request (docs/api.md),
    // and their errors (an unknown hash, a hash not the query's) carried codes the masking made internal.
    persistedQueries: false,
    formatError: mask,
    ...apolloQueryLimits,
    introspection: options.introspection ?? false,
    plugins: [
      options.introspection ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // graphql's execute would run a subscription's field resolvers with no event (and no
      // authorization: it guards `subscribe`), failing as INTERNAL_SERVER_ERROR.
      {
        requestDidStart: async () => ({
          didResolveOperation: async ({ operation }) => {
            if (operation?.operation !== "subscription") return;
            throw new GraphQLError("subscriptions are served over the WebSocket (graphql-ws) at this same path, not over HTTP", {
              extensions: { code: "BAD_REQUEST", http: { status: 400 } },
            });
          },
        }),
      },
      {
        serverWillStart: async () => ({
          drainServer: async () => {
            openSockets.stop();
            stopPruning();
            await subscriptions.dispose();
            await limits.close();
          },
        }),
      },
    ],
  });
  await apollo.start();

  app.get("/health", (_req, res) => void res.json({ status: "ok" }));
  // All trades (results), or the failed ones in the upload format (failures): the same guards for both.
  for (const [path, send] of [
    ["/export/batches/:id/trades.csv", sendResultsCsv],
    ["/export/batches/:id/failures.csv", sendFailuresCsv],
  ] as const) {
    app.get(
      path,
      cors<cors.CorsRequest>({ origin: options.corsOrigins, credentials: true }),
      limits.byAddress,
      sessions,
      limits.byCaller(callerOf),
      async (req, res, next) => {
        try {
          const { caller, problem } = await callerOf(req);
          // The same rule as every GraphQL read: credentials, a role that may read, no one-time password left.
          const refusal = refusalOf(() => authorize(caller, "read", problem));
          if (refusal) {
            res.status(refusal.extensions.code === "UNAUTHENTICATED" ? 401 : 403).json({ errors: [refusal] });
            return;
          }
          await send(database, req.params.id as string, caller!, res, options.exportMaxQueued);
        } catch (error) {
          next(error);
        }
      },
    );
  }
  app.get("/metrics", async (req, res) => {
    if (!options.metricsToken) {
      res
        .status(404)
        .json({ errors: [{ message: "metrics are off: set METRICS_TOKEN to serve them", extensions: { code: "NOT_FOUND" } }] });
      return;
    }
    if (!bearerMatches(req.headers.authorization, options.metricsToken)) {
      res
        .status(401)
        .json({ errors: [{ message: "metrics need Authorization: Bearer <METRICS_TOKEN>", extensions: { code: "UNAUTHENTICATED" } }] });
      return;
    }
    res.type(options.metrics.contentType).send(await options.metrics.metrics());
  });
  app.use(
    "/graphql",
    cors<cors.CorsRequest>({ origin: options.corsOrigins, credentials: true }),
    limits.byAddress,
    express.json({ limit: options.bodyLimitBytes }),
    sessions,
    limits.byCaller(callerOf),
    // Before Apollo: it would answer a priority beyond Int's 32 bits with GraphQL's coercion error.
    priorityInputGuard(options.schema, queryParseOptions),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => createContext(services, { ...(await callerOf(req)), address: req.ip ?? null, http: { req, res } }),
    }),
  );

  const errors = jsonErrors(options.logError);
  app.use(errors.notFound);
  app.use(errors.failed);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  openSockets.start();
  const stopPruning = pruneExpiredSessions(database, SESSION_PRUNE_MS, options.logError);
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
}

/** The API error `check` throws, as the JSON error routes answer it, or null when it passes. */
function refusalOf(check: () => unknown): { message: string; extensions: { code: string } } | null {
  try {
    check();
    return null;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { message: error.message, extensions: { code: String(error.extensions.code) } };
  }
}

/**
 * The caller, or why the credentials sent are refused (a wrong or revoked key): operations
 * then answer UNAUTHENTICATED with that reason, in the API's error format. Other failures (the
 * database away) are not a credentials problem and propagate.
 */
async function credentialsOf(run: () => Promise<Caller | null>): Promise<{ caller: Caller | null; problem: string | null }> {
  try {
    return { caller: await run(), problem: null };
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === "UNAUTHENTICATED") return { caller: null, problem: error.message };
    throw error;
  }
}

/**
 * connectionParams' `authorization`, whatever its case, as an HTTP header's name is read: a key sent
 * as `Authorization` was not read at all, and the socket fell back to the browser's cookie, where
 * HTTP refuses a wrong key. Two spellings with different values are no credentials (refused).
 */
function connectionAuthorization(params: Record<string, unknown> | undefined | null): unknown {
  const values = Object.entries(params ?? {})
    .filter(([name]) => name.toLowerCase() === "authorization")
    .map(([, value]) => value);
  if (values.length === 0) return undefined;
  return values.every((value) => value === values[0]) ? values[0] : false;
}

/** An unexpected error as the GraphQL error graphql-ws reports, its cause kept for the masking (logged, never shown). */
function unexpected(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  return new GraphQLError(error instanceof Error ? error.message : String(error), {
    originalError: error instanceof Error ? error : new Error(String(error)),
  });
}

/** Compares a request's bearer token with the expected one in constant time (digests of equal length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
