import { DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, DEFAULT_REVIEW_POLICY } from "@fxbt/domain";
import { DEFAULT_PROGRESS_INTERVAL_MS } from "@fxbt/events";
import { describe, expect, it } from "vitest";
import { configFromEnv, eventBusKind } from "../src/config";
import { decimal, integer, list, oneOf, readEnv, text } from "../src/env";
import { DEFAULT_RATE_LIMITS } from "../src/rate-limits";

describe("configFromEnv", () => {
  it("runs on a laptop with nothing set", () => {
    const config = configFromEnv({});
    expect(config).toMatchObject({
      port: 4000,
      host: "127.0.0.1",
      embeddedPort: 54329,
      corsOrigins: ["http://localhost:3000", "http://127.0.0.1:3000"],
      limits: { maxRows: DEFAULT_MAX_ROWS, maxBytes: DEFAULT_MAX_BYTES },
      runner: {},
      bank: {},
      progressIntervalMs: DEFAULT_PROGRESS_INTERVAL_MS,
      archival: { retentionDays: 90, stagedRetentionDays: 30, chunkSize: 5000, intervalMs: 3_600_000 },
      logLevel: "info",
      introspection: false,
      access: {
        sessionIdleMs: 30 * 60_000,
        sessionMaxAgeMs: 12 * 3_600_000,
        trustProxy: false,
        authRecheckMs: 5000,
        socketInitTimeoutMs: 10_000,
        lockout: { lockAfter: 5, lockMs: 15 * 60_000 },
        approval: { minTrades: null, minAmountPerCurrency: null },
        firstAdminEmail: "admin@localhost",
      },
    });
    expect(config.metricsToken).toBeUndefined();
    expect(config.access.sessionSecrets).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/data[\\/]postgres$/);
  });

  it("reads the API's own variables", () => {
    expect(
      configFromEnv({
        PORT: "0",
        HOST: " 127.0.0.1 ",
        DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/fxbt",
        DATA_DIR: "/tmp/pg",
        EMBEDDED_PG_PORT: "5433",
        CORS_ORIGINS: "https://a.example, https://b.example,,",
        MAX_CSV_ROWS: "10",
        MAX_CSV_BYTES: "2048",
        PROGRESS_INTERVAL_MS: "50",
        LOG_LEVEL: "warn",
        REDIS_URL: "redis://cache:6379/3",
        REDIS_EVENTS_PREFIX: "desk-2:",
        EXPORT_MAX_CONCURRENT: "3",
        EXPORT_MAX_QUEUED: "0",
        ARCHIVE_RETENTION_DAYS: "365",
        STAGED_RETENTION_DAYS: "7",
        ARCHIVE_CHUNK_SIZE: "1000",
        ARCHIVE_INTERVAL_MS: "0",
        GRAPHQL_INTROSPECTION: "true",
        METRICS_TOKEN: "s3cret",
        SESSION_SECRET: " new-secret, old-secret ,",
        SESSION_IDLE_MS: "600000",
        SESSION_MAX_AGE_MS: "3600000",
        TRUST_PROXY: "loopback, 10.0.0.0/8",
        AUTH_RECHECK_MS: "1000",
        SOCKET_INIT_TIMEOUT_MS: "20000",
        SIGN_IN_LOCK_AFTER: "3",
        SIGN_IN_LOCK_MS: "60000",
        APPROVAL_MIN_TRADES: "500",
        APPROVAL_MIN_AMOUNT: " 1000000.50 ",
        FIRST_ADMIN_EMAIL: " Ops@Example.COM ",
      }),
    ).toEqual({
      port: 0,
      host: "127.0.0.1",
      databaseUrl: "postgresql://postgres@127.0.0.1:5432/fxbt",
      dataDir: "/tmp/pg",
      embeddedPort: 5433,
      corsOrigins: ["https://a.example", "https://b.example"],
      limits: { maxRows: 10, maxBytes: 2048 },
      runner: {},
      bank: {},
      progressIntervalMs: 50,
      logLevel: "warn",
      introspection: true,
      metricsToken: "s3cret",
      access: {
        sessionSecrets: ["new-secret", "old-secret"],
        sessionIdleMs: 600_000,
        sessionMaxAgeMs: 3_600_000,
        trustProxy: "loopback,10.0.0.0/8",
        authRecheckMs: 1000,
        socketInitTimeoutMs: 20_000,
        lockout: { lockAfter: 3, lockMs: 60_000 },
        // Kept as written: money is never a float.
        approval: { minTrades: 500, minAmountPerCurrency: "1000000.50" },
        firstAdminEmail: "ops@example.com",
      },
      // Read in rate-limits.test.ts; none is set here.
      rateLimits: DEFAULT_RATE_LIMITS,
      redisUrl: "redis://cache:6379/3",
      eventsPrefix: "desk-2:",
      exports: { maxConcurrent: 3, maxQueued: 0 },
      // Read in preview.test.ts; none is set here.
      review: DEFAULT_REVIEW_POLICY,
      archival: { retentionDays: 365, stagedRetentionDays: 7, chunkSize: 1000, intervalMs: 0 },
    });
  });

  it("reads TRUST_PROXY as Express does: true or false, a hop count, or addresses", () => {
    const trustProxy = (value: string) => configFromEnv({ TRUST_PROXY: value }).access.trustProxy;
    expect(trustProxy("true")).toBe(true);
    expect(trustProxy("false")).toBe(false);
    expect(trustProxy("2")).toBe(2);
    expect(trustProxy("127.0.0.1")).toBe("127.0.0.1");
    expect(trustProxy("uniquelocal, ::1, 2001:db8::/32")).toBe("uniquelocal,::1,2001:db8::/32");
  });

  it("chooses the event bus: EVENT_BUS, else Redis with REDIS_URL, else PostgreSQL; this process only when asked", () => {
    expect(eventBusKind(configFromEnv({}))).toBe("postgres");
    expect(eventBusKind(configFromEnv({ EVENT_BUS: "memory" }))).toBe("memory");
    expect(eventBusKind(configFromEnv({ EVENT_BUS: "memory", REDIS_URL: "redis://cache:6379" }))).toBe("memory");
    expect(eventBusKind(configFromEnv({ REDIS_URL: "redis://cache:6379" }))).toBe("redis");
    expect(eventBusKind(configFromEnv({ EVENT_BUS: "postgres", REDIS_URL: "redis://cache:6379" }))).toBe("postgres");
    expect(() => configFromEnv({ EVENT_BUS: "redis" })).toThrow(/EVENT_BUS=redis needs REDIS_URL/);
    expect(() => configFromEnv({ EVENT_BUS: "kafka" })).toThrow(/EVENT_BUS must be one of memory, postgres, redis, got "kafka"/);
  });

  it("falls back to the default of an empty variable", () => {
    const config = configFromEnv({ PORT: "", HOST: "  ", DATABASE_URL: "", CORS_ORIGINS: " ", LOG_LEVEL: "", MAX_CSV_ROWS: "" });
    expect(config.port).toBe(4000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.databaseUrl).toBeUndefined();
    expect(config.corsOrigins).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    expect(config.logLevel).toBe("info");
    expect(config.limits.maxRows).toBe(DEFAULT_MAX_ROWS);
  });

  it.each([
    ["PORT", "abc", 'PORT must be a whole number between 0 and 65535, got "abc"'],
    ["PORT", "-1", 'PORT must be a whole number between 0 and 65535, got "-1"'],
    ["PORT", "70000", 'PORT must be a whole number between 0 and 65535, got "70000"'],
    ["PORT", "4000.5", /PORT.*"4000\.5"/],
    ["PORT", "1e3", /PORT.*"1e3"/],
    ["PORT", "0x10", /PORT.*"0x10"/],
    ["EMBEDDED_PG_PORT", "0", /EMBEDDED_PG_PORT must be a whole number between 1 and 65535/],
    ["MAX_CSV_ROWS", "0", 'MAX_CSV_ROWS must be a whole number of at least 1, got "0"'],
    ["MAX_CSV_BYTES", "20MB", /MAX_CSV_BYTES.*"20MB"/],
    ["PROGRESS_INTERVAL_MS", "0", /PROGRESS_INTERVAL_MS must be a whole number of milliseconds between 1 and 2147483647/],
    ["LOG_LEVEL", "loud", 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'],
    ["CORS_ORIGINS", ",", /CORS_ORIGINS must be a comma-separated list, got ","/],
    ["SESSION_SECRET", " , ", /SESSION_SECRET must be a comma-separated list, got ","/],
    ["SESSION_IDLE_MS", "0", 'SESSION_IDLE_MS must be a whole number of milliseconds between 1000 and 2147483647, got "0"'],
    ["SESSION_IDLE_MS", "999", /SESSION_IDLE_MS.*"999"/],
    ["SESSION_IDLE_MS", "30m", /SESSION_IDLE_MS.*"30m"/],
    ["SESSION_MAX_AGE_MS", "1e7", /SESSION_MAX_AGE_MS must be a whole number of milliseconds between 1000 and 2147483647, got "1e7"/],
    ["AUTH_RECHECK_MS", "50", 'AUTH_RECHECK_MS must be a whole number of milliseconds between 100 and 2147483647, got "50"'],
    ["SOCKET_INIT_TIMEOUT_MS", "0", 'SOCKET_INIT_TIMEOUT_MS must be a whole number of milliseconds between 100 and 2147483647, got "0"'],
    // Longer than a Node.js timer holds: it would fire at once and close every socket.
    [
      "SOCKET_INIT_TIMEOUT_MS",
      "3000000000",
      'SOCKET_INIT_TIMEOUT_MS must be a whole number of milliseconds between 100 and 2147483647, got "3000000000"',
    ],
    ["SIGN_IN_LOCK_AFTER", "0", 'SIGN_IN_LOCK_AFTER must be a whole number of at least 1, got "0"'],
    ["SIGN_IN_LOCK_AFTER", "five", /SIGN_IN_LOCK_AFTER.*"five"/],
    ["SIGN_IN_LOCK_MS", "1.5", /SIGN_IN_LOCK_MS must be a whole number of milliseconds between 1000 and 2147483647, got "1\.5"/],
    ["APPROVAL_MIN_TRADES", "0", 'APPROVAL_MIN_TRADES must be a whole number of at least 1, got "0"'],
    ["APPROVAL_MIN_TRADES", "-10", /APPROVAL_MIN_TRADES.*"-10"/],
    ["APPROVAL_MIN_AMOUNT", "abc", 'APPROVAL_MIN_AMOUNT must be a positive decimal amount (e.g. 1000000.00), got "abc"'],
    ["APPROVAL_MIN_AMOUNT", "0", /APPROVAL_MIN_AMOUNT.*"0"/],
    ["APPROVAL_MIN_AMOUNT", "0.00", /APPROVAL_MIN_AMOUNT.*"0\.00"/],
    ["APPROVAL_MIN_AMOUNT", "-5", /APPROVAL_MIN_AMOUNT.*"-5"/],
    ["APPROVAL_MIN_AMOUNT", "1e6", /APPROVAL_MIN_AMOUNT.*"1e6"/],
    ["APPROVAL_MIN_AMOUNT", "1,000,000", /APPROVAL_MIN_AMOUNT.*"1,000,000"/],
    ["APPROVAL_MIN_AMOUNT", "100.12345", /APPROVAL_MIN_AMOUNT.*"100\.12345"/],
    ["TRUST_PROXY", "yes", /TRUST_PROXY must be true, false, a hop count, or comma-separated addresses.*got "yes"/],
    ["TRUST_PROXY", "10.0.0.0/33", /TRUST_PROXY.*"10\.0\.0\.0\/33"/],
    ["TRUST_PROXY", "loopback/8", /TRUST_PROXY.*"loopback\/8"/],
    ["FIRST_ADMIN_EMAIL", "admin", 'FIRST_ADMIN_EMAIL must be an email address, got "admin"'],
    ["EXPORT_MAX_CONCURRENT", "0", 'EXPORT_MAX_CONCURRENT must be a whole number between 1 and 100, got "0"'],
    ["EXPORT_MAX_QUEUED", "-1", /EXPORT_MAX_QUEUED.*"-1"/],
    ["ARCHIVE_RETENTION_DAYS", "ninety", /ARCHIVE_RETENTION_DAYS.*"ninety"/],
    ["STAGED_RETENTION_DAYS", "0", /STAGED_RETENTION_DAYS.*"0"/],
    ["ARCHIVE_CHUNK_SIZE", "0", /ARCHIVE_CHUNK_SIZE.*"0"/],
    ["ARCHIVE_INTERVAL_MS", "-5", /ARCHIVE_INTERVAL_MS.*"-5"/],
  ])("rejects %s=%s", (name, value, message) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(message);
  });

  describe("runner", () => {
    it("reads the variables", () => {
      expect(
        configFromEnv({
          RUNNER_CONCURRENCY: "32",
          RUNNER_HELD_TRADES: "512",
          RUNNER_CLAIM_SIZE: " 16 ",
          RUNNER_MAX_RUNNING_BATCHES: "2",
          RUNNER_LEASE_MS: "5000",
          RUNNER_POLL_INTERVAL_MS: "100",
        }).runner,
      ).toEqual({ concurrency: 32, heldTrades: 512, claimSize: 16, maxRunningBatches: 2, leaseMs: 5000, pollIntervalMs: 100 });
    });

    it("leaves unset and empty variables to the runner's defaults", () => {
      expect(configFromEnv({ RUNNER_CONCURRENCY: "8" }).runner).toEqual({ concurrency: 8 });
      expect(configFromEnv({ RUNNER_CONCURRENCY: "", RUNNER_LEASE_MS: "  " }).runner).toEqual({});
    });

    it.each([
      ["RUNNER_CONCURRENCY", "abc", "a whole number of at least 1"],
      ["RUNNER_CONCURRENCY", "0", "a whole number of at least 1"],
      ["RUNNER_HELD_TRADES", "0", "a whole number of at least 1"],
      ["RUNNER_CLAIM_SIZE", "1.5", "a whole number of at least 1"],
      ["RUNNER_MAX_RUNNING_BATCHES", "-2", "a whole number of at least 1"],
      ["RUNNER_LEASE_MS", "1e3", "a whole number of milliseconds between 1 and 2147483647"],
      ["RUNNER_POLL_INTERVAL_MS", "Infinity", "a whole number of milliseconds between 1 and 2147483647"],
      ["RUNNER_BREAKER_COOLDOWN_MS", "2147483648", "a whole number of milliseconds between 1 and 2147483647"],
    ])("rejects %s=%s", (name, value, expected) => {
      expect(() => configFromEnv({ [name]: value })).toThrow(`${name} must be ${expected}, got "${value}"`);
    });
  });

  describe("bank simulator", () => {
    it("reads the variables", () => {
      expect(
        configFromEnv({
          BANK_SIM_SUCCESS_RATE: "0.75",
          BANK_SIM_LATENCY_MS: "0",
          BANK_SIM_SEED: "abc",
          BANK_SIM_QUOTE_TTL_MS: "5000",
        }).bank,
      ).toEqual({ successRate: 0.75, latencyMs: 0, seed: "abc", quoteTtlMs: 5000 });
      expect(configFromEnv({ BANK_SIM_SUCCESS_RATE: "1", BANK_SIM_LATENCY_MS: " 12.5 " }).bank).toEqual({
        successRate: 1,
        latencyMs: 12.5,
      });
      expect(configFromEnv({ BANK_SIM_SUCCESS_RATE: ".5", BANK_SIM_LATENCY_MS: "3." }).bank).toEqual({ successRate: 0.5, latencyMs: 3 });
    });

    it("leaves unset and empty variables to the simulator's defaults", () => {
      expect(configFromEnv({}).bank).toEqual({});
      expect(configFromEnv({ BANK_SIM_SUCCESS_RATE: "", BANK_SIM_LATENCY_MS: "  ", BANK_SIM_SEED: "" }).bank).toEqual({});
    });

    it.each([
      ["BANK_SIM_SUCCESS_RATE", "1.5", 'BANK_SIM_SUCCESS_RATE must be a number between 0 and 1 (e.g. 0.9), got "1.5"'],
      ["BANK_SIM_SUCCESS_RATE", "-0.1", /BANK_SIM_SUCCESS_RATE/],
      ["BANK_SIM_SUCCESS_RATE", "ninety", /BANK_SIM_SUCCESS_RATE/],
      ["BANK_SIM_SUCCESS_RATE", "90%", /BANK_SIM_SUCCESS_RATE/],
      ["BANK_SIM_SUCCESS_RATE", "1e-1", /BANK_SIM_SUCCESS_RATE/],
      ["BANK_SIM_SUCCESS_RATE", "0x1", /BANK_SIM_SUCCESS_RATE/],
      ["BANK_SIM_LATENCY_MS", "-1", /BANK_SIM_LATENCY_MS must be a number of milliseconds between 0 and 2147483647.*"-1"/],
      ["BANK_SIM_LATENCY_MS", "fast", /BANK_SIM_LATENCY_MS/],
      ["BANK_SIM_LATENCY_MS", "Infinity", /BANK_SIM_LATENCY_MS/],
      ["BANK_SIM_LATENCY_MS", "1e3", /BANK_SIM_LATENCY_MS/],
      ["BANK_SIM_QUOTE_TTL_MS", "0", /BANK_SIM_QUOTE_TTL_MS/],
      ["BANK_SIM_QUOTE_TTL_MS", "1.5", /BANK_SIM_QUOTE_TTL_MS/],
      [
        "BANK_SIM_QUOTE_TTL_MS",
        "-5",
        'BANK_SIM_QUOTE_TTL_MS must be a whole number of milliseconds between 1 and 2147483647 (e.g. 30000), got "-5"',
      ],
    ])("rejects %s=%s", (name, value, message) => {
      expect(() => configFromEnv({ [name]: value })).toThrow(message);
    });
  });
});

describe("readEnv", () => {
  it("puts each variable under its key, leaving out those unset without a default", () => {
    const values = readEnv(
      { A: "7", C: "x" },
      { a: integer("A"), b: integer("B", { default: 3 }), c: text("C"), d: decimal("D"), e: list("E"), f: oneOf("F", ["on", "off"]) },
    );
    expect(values).toEqual({ a: 7, b: 3, c: "x" });
    expect(Object.keys(values)).toEqual(["a", "b", "c"]);
  });

  it("quotes the value as given, trimmed", () => {
    expect(() => readEnv({ N: "  12x " }, { n: integer("N", { min: 1, max: 9 }) })).toThrow(
      'N must be a whole number between 1 and 9, got "12x"',
    );
  });

  it("reads numbers of decimal digits only", () => {
    expect(readEnv({ N: "007", D: "-0" }, { n: integer("N"), d: decimal("D") })).toEqual({ n: 7, d: 0 });
    expect(readEnv({ D: "-2.5" }, { d: decimal("D", { min: -5 }) })).toEqual({ d: -2.5 });
    for (const given of ["1e3", "0x10", "+1", "1_000", "1 000", "NaN", "."]) {
      expect(() => readEnv({ D: given }, { d: decimal("D") }), given).toThrow(/D must be a number of at least 0/);
    }
    expect(() => readEnv({ N: "9007199254740993" }, { n: integer("N") })).toThrow(/N must be a whole number/);
  });
});
