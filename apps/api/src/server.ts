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
import express from "express";
import { type GraphQLSchema, NoSchemaIntrospectionCustomRule } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import type { Registry } from "prom-client";
import { WebSocketServer } from "ws";
import { maskInternalErrors, maskOperationErrors, maskResult } from "./errors";
import { createContext, type GraphQLContext, type Services } from "./graphql/context";
import { apolloQueryLimits, subscribeWithLimits } from "./graphql/limits";
import { jsonErrors } from "./http-errors";
import { sendResultsCsv } from "./services/results-export";

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
  const httpServer = http.createServer(app);
  const mask = maskInternalErrors(options.logError);
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
  const subscriptions = useServer<Record<string, unknown>, { context?: GraphQLContext }>(
    {
      schema: options.schema,
      context: () => createContext(options.services),
      onSubscribe: (_ctx, _id, payload) =>
        subscribeWithLimits(options.schema, payload, options.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
      // The same masking as Apollo's formatError, for errors before execution and in every result.
      onError: (_ctx, _id, _payload, errors) => maskOperationErrors(errors, mask),
      onNext: (_ctx, _id, _payload, _args, result) => maskResult(result, mask),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    includeStacktraceInErrorResponses: false,
    formatError: mask,
    ...apolloQueryLimits,
    introspection: options.introspection ?? false,
    plugins: [
      options.introspection ? ApolloServerPluginLandingPageLocalDefault() : ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => void (await subscriptions.dispose()) }) },
    ],
  });
  await apollo.start();

  app.get("/health", (_req, res) => void res.json({ status: "ok" }));
  app.get("/export/batches/:id/trades.csv", cors<cors.CorsRequest>({ origin: options.corsOrigins }), (req, res, next) => {
    sendResultsCsv(options.database, req.params.id, res).catch(next);
  });
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
    express.json({ limit: options.bodyLimitBytes }),
    expressMiddleware(apollo, { context: async () => createContext(options.services) }),
  );

  const errors = jsonErrors(options.logError);
  app.use(errors.notFound);
  app.use(errors.failed);

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
}

/** Compares a request's bearer token with the expected one in constant time (digests of equal length). */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = header?.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(given), digest(token));
}
