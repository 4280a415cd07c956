import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import type { BankSimulatorOptions } from "@fxbt/bank";
import { DEFAULT_EXPORT_CONNECTIONS } from "@fxbt/db";
import type { ApprovalPolicy, ReviewPolicy } from "@fxbt/domain";
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, DEFAULT_REVIEW_POLICY, isActiveCurrency } from "@fxbt/domain";
import { DEFAULT_PROGRESS_INTERVAL_MS } from "@fxbt/events";
import type { RunnerOptions } from "@fxbt/runner";
import { amount, custom, decimal, type Env, integer, list, oneOf, readEnv, text, type Variable } from "./env";
import { DEFAULT_RATE_LIMITS, type RateLimitOptions } from "./rate-limits";
import type { LockoutPolicy } from "./services/access";
import { type ArchivalOptions, DEFAULT_ARCHIVAL_OPTIONS } from "./services/archival";
import { DEFAULT_EXPORT_MAX_QUEUED } from "./services/results-export";

/** ./data/postgres at the root of the checkout, wherever the API is started from. */
const DEFAULT_DATA_DIR = fileURLToPath(new URL("../../../data/postgres", import.meta.url));

/** pino's levels. */
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export interface ApiConfig {
  port: number;
  host: string;
  /** A PostgreSQL server; when absent, an embedded one keeps its data under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPort: number;
  corsOrigins: string[];
  limits: { maxRows: number; maxBytes: number };
  /** Only the options set in the environment; the runner's defaults apply to the rest. */
  runner: Partial<RunnerOptions>;
  /** Only the options set in the environment; the simulator's defaults apply to the rest. */
  bank: Pick<BankSimulatorOptions, "successRate" | "latencyMs" | "seed" | "quoteTtlMs">;
  progressIntervalMs: number;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Schema introspection and Apollo's sandbox page: off unless GRAPHQL_INTROSPECTION=true. */
  introspection: boolean;
  /** The bearer token /metrics asks for; without one, /metrics is off. */
  metricsToken?: string;
  access: AccessConfig;
  /** Rate limits per principal and per IP, sign-in attempts per IP, and the caps on sockets and subscriptions. */
  rateLimits: Omit<RateLimitOptions, "redisUrl">;
  /**
   * The Redis server the API instances share (REDIS_URL): events cross instances through it and
   * the rate limits count there. Without it, both stay in this process.
   */
  redisUrl?: string;
  /** Put before every event channel's name in Redis, so installations sharing a server stay apart. */
  eventsPrefix: string;
  /**
   * How events reach subscribers (EVENT_BUS): "postgres" carries them across instances with
   * LISTEN/NOTIFY on the product's database (the embedded one included), "redis" with Redis
   * pub/sub on REDIS_URL, "memory" keeps them in this process and suits one instance only. Left
   * out when EVENT_BUS is unset: then "redis" when REDIS_URL is set, "postgres" otherwise
   * ({@link eventBusKind}), so instances sharing a database see each other's events with no
   * setting at all; "memory" only when asked for.
   */
  eventBus?: EventBusKind;
  /** Review before start: large-trade thresholds and when starting needs the batchUid typed (Batch.preview). */
  review: ReviewPolicy;
  /** CSV exports: connections of their own pool, and how many may wait for one before a 503. */
  exports: { maxConcurrent: number; maxQueued: number };
  /** Archival and clean-up of old batches (services/archival.ts): retentions, chunk size and how often it runs. */
  archival: ArchivalOptions;
}

export interface AccessConfig {
  /** Sign the session cookie; unset, a secret is kept in the embedded database's folder or made per process. */
  sessionSecrets: string[] | undefined;
  sessionIdleMs: number;
  sessionMaxAgeMs: number;
  /** Express's "trust proxy": false, true, a hop count, or addresses/subnets. */
  trustProxy: string | boolean | number;
  authRecheckMs: number;
  /** How long a new WebSocket has to send connection_init before it is closed 4408 (SOCKET_INIT_TIMEOUT_MS). */
  socketInitTimeoutMs: number;
  lockout: LockoutPolicy;
  approval: ApprovalPolicy;
  /** The email of the ADMIN made on the first run of an empty database. */
  firstAdminEmail: string;
}

/**
 * How long a new WebSocket has to send connection_init. graphql-ws's own default (3 s) counts the
 * server's own event-loop lag against the client, so a loaded instance closed sockets whose
 * connection_init had been sent at once; 10 s leaves a slow network and a busy server room while
 * a socket that never authenticates is still dropped soon.
 */
export const DEFAULT_SOCKET_INIT_TIMEOUT_MS = 10_000;

/** The ways events can travel: see {@link ApiConfig.eventBus}. */
export const EVENT_BUS_KINDS = ["memory", "postgres", "redis"] as const;
export type EventBusKind = (typeof EVENT_BUS_KINDS)[number];

/** Express's names for address ranges in "trust proxy". */
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * TRUST_PROXY as Express reads it: "true"/"false", a hop count, or a comma-separated list of
 * addresses, subnets (CIDR) and range names; anything else is refused here rather than by Express
 * at the first request.
 */
function trustProxyValue(value: string): string | boolean | number | undefined {
  if (value === "true" || value === "false") return value === "true";
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(",").map((entry) => entry.trim());
  const valid = (entry: string) => {
    const [address = "", bits, ...rest] = entry.split("/");
    if (rest.length > 0) return false;
    if (PROXY_RANGES.has(address)) return bits === undefined;
    const family = isIP(address);
    return family !== 0 && (bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)));
  };
  return entries.every(valid) ? entries.join(",") : undefined;
}

const AMOUNT_TEXT = /^\d{1,18}(\.\d{1,4})?$/;

/** "USD=1000000,ZAR=20000000": amounts per active currency, each positive; currency codes upper-cased. */
function currencyAmounts(value: string): Map<string, string> | undefined {
  const amounts = new Map<string, string>();
  for (const entry of value.split(",")) {
    const [code = "", amountText = "", ...rest] = entry.split("=").map((part) => part.trim());
    const currency = code.toUpperCase();
    if (rest.length > 0 || currency.length !== 3 || !isActiveCurrency(currency)) return undefined;
    if (!AMOUNT_TEXT.test(amountText) || !/[1-9]/.test(amountText) || amounts.has(currency)) return undefined;
    amounts.set(currency, amountText);
  }
  return amounts;
}

const CURRENCY_AMOUNTS_EXPECTED =
  "comma-separated CURRENCY=amount pairs, each an active ISO 4217 code once with a positive amount (e.g. USD=1000000,ZAR=20000000)";

/**
 * LARGE_TRADE_AMOUNTS, START_CONFIRM_AMOUNTS and START_CONFIRM_MIN_TRADES: each currency listed
 * replaces that currency's default, the others keep theirs (DEFAULT_REVIEW_POLICY).
 */
function review(env: Env): ReviewPolicy {
  const values = readEnv(env, {
    largeTrade: custom("LARGE_TRADE_AMOUNTS", CURRENCY_AMOUNTS_EXPECTED, currencyAmounts),
    confirmAmounts: custom("START_CONFIRM_AMOUNTS", CURRENCY_AMOUNTS_EXPECTED, currencyAmounts),
    confirmMinTrades: integer("START_CONFIRM_MIN_TRADES", { min: 1 }),
  });
  return {
    largeTradeAmounts: new Map([...DEFAULT_REVIEW_POLICY.largeTradeAmounts, ...(values.largeTrade ?? [])]),
    confirmAmounts: new Map([...DEFAULT_REVIEW_POLICY.confirmAmounts, ...(values.confirmAmounts ?? [])]),
    confirmMinTrades: values.confirmMinTrades ?? DEFAULT_REVIEW_POLICY.confirmMinTrades,
  };
}

const emailAddress = (value: string) => (/^[^\s@]+@[^\s@]+$/.test(value) ? value.toLowerCase() : undefined);

/** A Redis URL (redis:// or rediss://), checked here so that a typo shows at start-up. Default none. */
function redisUrl(name: string): Variable<string, undefined> {
  return {
    name,
    expected: "a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)",
    default: undefined,
    parse: (value) => (/^rediss?:\/\/\S+$/.test(value) ? value : undefined),
  };
}

/** REDIS_URL, REDIS_EVENTS_PREFIX and EVENT_BUS, which must agree: events over Redis need a Redis. */
function events(env: Env): Pick<ApiConfig, "redisUrl" | "eventsPrefix" | "eventBus"> {
  const values = readEnv(env, {
    redisUrl: redisUrl("REDIS_URL"),
    eventsPrefix: text("REDIS_EVENTS_PREFIX", { default: "fxbt:events:" }),
    eventBus: oneOf("EVENT_BUS", EVENT_BUS_KINDS),
  });
  if (values.eventBus === "redis" && !values.redisUrl)
    throw new Error("EVENT_BUS=redis needs REDIS_URL, the Redis server the instances share");
  return values;
}

/**
 * The bus EVENT_BUS names, or when it is unset: Redis when REDIS_URL is set, the product's own
 * PostgreSQL otherwise. Never this process unless asked: a second instance started on the same
 * database with no setting would otherwise never see the first one's events, and nothing would say so.
 */
export function eventBusKind(config: Pick<ApiConfig, "eventBus" | "redisUrl">): EventBusKind {
  return config.eventBus ?? (config.redisUrl ? "redis" : "postgres");
}

/**
 * Every setting comes from the environment, with defaults that run on a laptop (docs/operations.md,
 * "Configuration"). The one place that reads environment variables: the runner and the bank
 * take options, and those not set here fall back to the libraries' own defaults. Throws on the
 * first variable set to something invalid.
 */
export function configFromEnv(env: Env = process.env): ApiConfig {
  const { databaseUrl, ...server } = readEnv(env, {
    port: integer("PORT", { max: 65_535, default: 4000 }),
    // Only this machine unless told otherwise: exposing the API is a decision (docker-compose makes it).
    host: text("HOST", { default: "127.0.0.1" }),
    databaseUrl: text("DATABASE_URL"),
    dataDir: text("DATA_DIR", { default: DEFAULT_DATA_DIR }),
    embeddedPort: integer("EMBEDDED_PG_PORT", { min: 1, max: 65_535, default: 54_329 }),
    corsOrigins: list("CORS_ORIGINS", { default: ["http://localhost:3000", "http://127.0.0.1:3000"] }),
    progressIntervalMs: integer("PROGRESS_INTERVAL_MS", { min: 1, unit: "milliseconds", default: DEFAULT_PROGRESS_INTERVAL_MS }),
    logLevel: oneOf("LOG_LEVEL", LOG_LEVELS, { default: "info" }),
    introspection: oneOf("GRAPHQL_INTROSPECTION", ["true", "false"], { default: "false" }),
    metricsToken: text("METRICS_TOKEN"),
  });
  const access = readEnv(env, {
    sessionSecrets: list("SESSION_SECRET"),
    sessionIdleMs: integer("SESSION_IDLE_MS", { min: 1000, default: 30 * 60_000, unit: "milliseconds" }),
    sessionMaxAgeMs: integer("SESSION_MAX_AGE_MS", { min: 1000, default: 12 * 3_600_000, unit: "milliseconds" }),
    trustProxy: custom(
      "TRUST_PROXY",
      "true, false, a hop count, or comma-separated addresses, CIDR subnets, loopback, linklocal or uniquelocal",
      trustProxyValue,
      { default: false },
    ),
    authRecheckMs: integer("AUTH_RECHECK_MS", { min: 100, default: 5000, unit: "milliseconds" }),
    socketInitTimeoutMs: integer("SOCKET_INIT_TIMEOUT_MS", {
      min: 100,
      default: DEFAULT_SOCKET_INIT_TIMEOUT_MS,
      unit: "milliseconds",
    }),
    lockAfter: integer("SIGN_IN_LOCK_AFTER", { min: 1, default: 5 }),
    lockMs: integer("SIGN_IN_LOCK_MS", { min: 1000, default: 15 * 60_000, unit: "milliseconds" }),
    approvalMinTrades: integer("APPROVAL_MIN_TRADES", { min: 1 }),
    approvalMinAmount: amount("APPROVAL_MIN_AMOUNT"),
    firstAdminEmail: custom("FIRST_ADMIN_EMAIL", "an email address", emailAddress, { default: "admin@localhost" }),
  });
  return {
    ...server,
    access: {
      sessionSecrets: access.sessionSecrets,
      sessionIdleMs: access.sessionIdleMs,
      sessionMaxAgeMs: access.sessionMaxAgeMs,
      trustProxy: access.trustProxy,
      authRecheckMs: access.authRecheckMs,
      socketInitTimeoutMs: access.socketInitTimeoutMs,
      lockout: { lockAfter: access.lockAfter, lockMs: access.lockMs },
      approval: { minTrades: access.approvalMinTrades ?? null, minAmountPerCurrency: access.approvalMinAmount ?? null },
      firstAdminEmail: access.firstAdminEmail,
    },
    introspection: server.introspection === "true",
    review: review(env),
    databaseUrl,
    rateLimits: readEnv(env, {
      perPrincipalPerMinute: integer("RATE_LIMIT_PER_MINUTE", { min: 1, default: DEFAULT_RATE_LIMITS.perPrincipalPerMinute }),
      perIpPerMinute: integer("RATE_LIMIT_PER_IP_PER_MINUTE", { min: 1, default: DEFAULT_RATE_LIMITS.perIpPerMinute }),
      signInPerIpPerMinute: integer("SIGN_IN_ATTEMPTS_PER_IP_PER_MINUTE", { min: 1, default: DEFAULT_RATE_LIMITS.signInPerIpPerMinute }),
      maxSocketsPerPrincipal: integer("MAX_SOCKETS_PER_PRINCIPAL", { min: 1, default: DEFAULT_RATE_LIMITS.maxSocketsPerPrincipal }),
      maxSubscriptionsPerSocket: integer("MAX_SUBSCRIPTIONS_PER_SOCKET", {
        min: 1,
        default: DEFAULT_RATE_LIMITS.maxSubscriptionsPerSocket,
      }),
    }),
    ...events(env),
    exports: readEnv(env, {
      maxConcurrent: integer("EXPORT_MAX_CONCURRENT", { min: 1, max: 100, default: DEFAULT_EXPORT_CONNECTIONS }),
      maxQueued: integer("EXPORT_MAX_QUEUED", { min: 0, default: DEFAULT_EXPORT_MAX_QUEUED }),
    }),
    archival: readEnv(env, {
      retentionDays: integer("ARCHIVE_RETENTION_DAYS", { min: 0, default: DEFAULT_ARCHIVAL_OPTIONS.retentionDays }),
      stagedRetentionDays: integer("STAGED_RETENTION_DAYS", { min: 1, default: DEFAULT_ARCHIVAL_OPTIONS.stagedRetentionDays }),
      chunkSize: integer("ARCHIVE_CHUNK_SIZE", { min: 1, max: 100_000, default: DEFAULT_ARCHIVAL_OPTIONS.chunkSize }),
      intervalMs: integer("ARCHIVE_INTERVAL_MS", { min: 0, default: DEFAULT_ARCHIVAL_OPTIONS.intervalMs, unit: "milliseconds" }),
    }),
    limits: readEnv(env, {
      maxRows: integer("MAX_CSV_ROWS", { min: 1, default: DEFAULT_MAX_ROWS }),
      maxBytes: integer("MAX_CSV_BYTES", { min: 1, default: DEFAULT_MAX_BYTES }),
    }),
    // No defaults here: an unset variable is left out, and the library's default applies.
    runner: readEnv(env, {
      concurrency: integer("RUNNER_CONCURRENCY", { min: 1 }),
      heldTrades: integer("RUNNER_HELD_TRADES", { min: 1 }),
      claimSize: integer("RUNNER_CLAIM_SIZE", { min: 1 }),
      maxRunningBatches: integer("RUNNER_MAX_RUNNING_BATCHES", { min: 1 }),
      leaseMs: integer("RUNNER_LEASE_MS", { min: 1, unit: "milliseconds" }),
      pollIntervalMs: integer("RUNNER_POLL_INTERVAL_MS", { min: 1, unit: "milliseconds" }),
      bookingAttempts: integer("RUNNER_BOOKING_ATTEMPTS", { min: 1 }),
      requoteLimit: integer("RUNNER_REQUOTE_LIMIT", { min: 0 }),
      writeAttempts: integer("RUNNER_WRITE_ATTEMPTS", { min: 1 }),
      breakerThreshold: integer("RUNNER_BREAKER_THRESHOLD", { min: 1 }),
      breakerCooldownMs: integer("RUNNER_BREAKER_COOLDOWN_MS", { min: 1, unit: "milliseconds" }),
    }),
    bank: readEnv(env, {
      successRate: decimal("BANK_SIM_SUCCESS_RATE", { min: 0, max: 1, example: "0.9" }),
      latencyMs: decimal("BANK_SIM_LATENCY_MS", { min: 0, unit: "milliseconds", example: "150" }),
      seed: text("BANK_SIM_SEED"),
      quoteTtlMs: integer("BANK_SIM_QUOTE_TTL_MS", { min: 1, unit: "milliseconds", example: "30000" }),
    }),
  };
}
