import { createBankSimulator, DEFAULT_QUOTE_TTL_MS, type FxGateway } from "@fxbt/bank";
import { type OpenDatabase, openDatabase } from "@fxbt/db";
import {
  createInProcessEventBus,
  createPostgresEventBus,
  createRedisEventBus,
  type EventBus,
  EventPublisher,
  EventTooLargeError,
} from "@fxbt/events";
import { BatchRunner } from "@fxbt/runner";
import { type Logger, pino } from "pino";
import { controllingTerminal, createFirstAdmin, sessionSecrets, type Terminal } from "./auth/first-run";
import { type ApiConfig, eventBusKind } from "./config";
import { buildSchema } from "./graphql/schema";
import { createMetrics } from "./metrics";
import { startHttpServer } from "./server";
import { AccessService } from "./services/access";
import { Archival } from "./services/archival";
import { BatchCommands } from "./services/batch-commands";
import { BatchQueries } from "./services/batch-queries";
import { TemplateService } from "./services/templates";
import { TradeEntry } from "./services/trade-entry";

export interface App {
  readonly url: string;
  readonly port: number;
  readonly database: OpenDatabase;
  readonly runner: BatchRunner;
  readonly archival: Archival;
  readonly bus: EventBus;
  close(): Promise<void>;
}

export interface AppOverrides {
  log?: Logger;
  /** A real bank adapter, or a test double; the simulator otherwise. */
  gateway?: FxGateway;
  /** Share one bus between apps in one process (tests of several instances). */
  bus?: EventBus;
  /** Where the first run shows the first admin's one-time password; the controlling terminal by default. */
  terminal?: Terminal | null;
}

/** The composition root: database, events, bank, runner and API wired together. */
export async function startApp(config: ApiConfig, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? pino({ level: config.logLevel });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    embeddedDataDir: config.dataDir,
    embeddedPort: config.embeddedPort,
    exportConnections: config.exports.maxConcurrent,
    log: (message) => log.debug(message),
  });
  const bus = overrides.bus ?? (await eventBus(config, log, database));
  const publisher = new EventPublisher({ bus, progressIntervalMs: config.progressIntervalMs });
  const gateway = overrides.gateway ?? createBankSimulator({ database, ...config.bank });
  const runner = new BatchRunner({ database, gateway, publisher, log, options: config.runner });
  const archival = new Archival({ database, publisher, log, options: config.archival });
  const commands = new BatchCommands({
    archival,
    database,
    publisher,
    wakeRunner: () => runner.wake(),
    limits: config.limits,
    approvalPolicy: config.access.approval,
    log,
  });
  const tradeEntry = new TradeEntry({
    database,
    publisher,
    maxTrades: config.limits.maxRows,
    approvalPolicy: config.access.approval,
  });
  const queries = new BatchQueries(database, null, config.review);
  const access = new AccessService(database, config.access.lockout);
  const templates = new TemplateService({ database, commands });
  await createFirstAdmin(
    access,
    config.access.firstAdminEmail,
    overrides.terminal === undefined ? controllingTerminal() : overrides.terminal,
    log,
  );
  const server = await startHttpServer({
    schema: buildSchema(),
    services: { commands, queries, access, templates, tradeEntry, database, bus },
    port: config.port,
    host: config.host,
    introspection: config.introspection,
    metricsToken: config.metricsToken,
    corsOrigins: config.corsOrigins,
    metrics: createMetrics(runner),
    database,
    logError: (error) => log.error({ err: error }, "unexpected error (clients see it masked)"),
    bodyLimitBytes: Math.ceil(config.limits.maxBytes * 1.5) + 1024 * 1024,
    sessions: {
      secrets: sessionSecrets(config.access.sessionSecrets, database.embedded ? config.dataDir : null, log),
      idleMs: config.access.sessionIdleMs,
      maxAgeMs: config.access.sessionMaxAgeMs,
    },
    trustProxy: config.access.trustProxy,
    authRecheckMs: config.access.authRecheckMs,
    socketInitTimeoutMs: config.access.socketInitTimeoutMs,
    exportMaxQueued: config.exports.maxQueued,
    rateLimits: { ...config.rateLimits, redisUrl: config.redisUrl },
  }).catch(async (error) => {
    await database.close();
    throw error;
  });
  const quoteTtlMs = config.bank.quoteTtlMs ?? DEFAULT_QUOTE_TTL_MS;
  if (!overrides.gateway && runner.options.leaseMs >= quoteTtlMs) {
    log.warn(
      { leaseMs: runner.options.leaseMs, quoteTtlMs },
      "RUNNER_LEASE_MS is not below the quote lifetime: bookings recovered after a crash will find their quotes expired and be quoted again",
    );
  }
  runner.start();
  archival.start();
  const events = overrides.bus ? "given by the caller" : eventBusKind(config);
  log.info({ url: server.url, database: database.embedded ? "embedded" : "server", events }, "FX Batch Trader API ready");

  return {
    url: server.url,
    port: server.port,
    database,
    runner,
    archival,
    bus,
    async close() {
      await server.close();
      await archival.stop();
      await runner.stop();
      publisher.close();
      await gateway.close?.();
      if (!overrides.bus) await bus.close();
      await database.close();
    },
  };
}

/**
 * EVENT_BUS chooses (docs/architecture.md, "The event bus"): over PostgreSQL LISTEN/NOTIFY on the
 * product's own database, the default, so a second instance on the same database (embedded or
 * server) needs nothing more; over Redis pub/sub when REDIS_URL is set; or, asked for with
 * EVENT_BUS=memory, in this process, which only one instance can use. A bus that cannot start
 * stops the API: its subscribers would otherwise miss the other instances' events.
 */
async function eventBus(config: ApiConfig, log: Logger, database: OpenDatabase): Promise<EventBus> {
  const failed = async (what: string, error: unknown): Promise<never> => {
    await database.close();
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  };
  switch (eventBusKind(config)) {
    case "memory":
      return createInProcessEventBus();
    case "postgres":
      return await createPostgresEventBus({
        url: database.url,
        // A message too large to send is a bug of ours, not a passing fault of the connection.
        onError: (error) =>
          error instanceof EventTooLargeError
            ? log.error({ err: error }, "event not sent")
            : log.warn({ err: error }, "PostgreSQL events error"),
      }).catch((error) => failed("cannot start the PostgreSQL event bus", error));
    case "redis":
      return await createRedisEventBus({
        url: config.redisUrl ?? "",
        prefix: config.eventsPrefix,
        onError: (error) => log.warn({ err: error }, "Redis events connection error"),
      }).catch((error) => failed("cannot reach Redis at REDIS_URL", error));
  }
}
