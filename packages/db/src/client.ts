import { performance } from "node:perf_hooks";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";
import type { Queryable } from "./queryable";
import { rawQueryable } from "./raw";

export type { Batch, Trade } from "./generated/prisma/client";
export { Prisma } from "./generated/prisma/client";

/**
 * One pool serves both Prisma (through its driver adapter) and the few hot paths that
 * need the driver itself (COPY), so the runner and the API's requests share one set of
 * connections. CSV exports alone have a small pool of their own (`exportPool`): a storm of
 * exports, each holding a connection for as long as its client takes to read, must not take
 * the connections the runner needs to claim and write trades (issue 9: 60 exports starved it).
 */
export interface Database {
  readonly url: string;
  readonly prisma: PrismaClient;
  /** `$queryRaw` on the pool as named statements without Prisma's mapping (same rows): for hot statements of a fixed shape, committed on their own. */
  readonly raw: Queryable;
  readonly pool: pg.Pool;
  /** At most `exportConnections` connections, for streaming CSV exports only. */
  readonly exportPool: pg.Pool;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  /** Connections in the pool; the runner's chunk writes and the API share them. */
  maxConnections?: number;
  /** Connections of the exports' pool: how many CSV exports stream at once (EXPORT_MAX_CONCURRENT, 2). */
  exportConnections?: number;
}

/** Which pool a connection was asked of. */
export type PoolName = "main" | "export";

/** Told how long each request for a connection waited for one (seconds), failed requests included. */
export type PoolWaitObserver = (seconds: number, pool: PoolName) => void;

export interface PoolStatistics {
  pool: PoolName;
  /** Connections open, in use or idle. */
  total: number;
  idle: number;
  /** Requests for a connection waiting for one. */
  waiting: number;
  max: number;
}

/**
 * Process-wide, like the event loop they compete for: the pools of every open Database and
 * who is told of their waits. Metrics read them (apps/api/src/metrics.ts) without the
 * composition root having to hand the database to the metrics.
 */
const openPools = new Set<{ name: PoolName; pool: pg.Pool }>();
const waitObservers = new Set<PoolWaitObserver>();

/** Calls `observer` with every wait for a connection of any open pool; returns how to stop. */
export function observePoolWaits(observer: PoolWaitObserver): () => void {
  waitObservers.add(observer);
  return () => waitObservers.delete(observer);
}

/** Size, idle and waiting counts of every open pool, summed per pool name. */
export function poolStatistics(): PoolStatistics[] {
  const byName = new Map<PoolName, PoolStatistics>();
  for (const { name, pool } of openPools) {
    const stats = byName.get(name) ?? { pool: name, total: 0, idle: 0, waiting: 0, max: 0 };
    stats.total += pool.totalCount;
    stats.idle += pool.idleCount;
    stats.waiting += pool.waitingCount;
    stats.max += pool.options.max ?? 10;
    byName.set(name, stats);
  }
  return [...byName.values()];
}

/**
 * Times every Pool.connect, the promise and the callback form alike (pool.query and Prisma's
 * adapter both come through it): from asking for a connection to having one, or to the failure.
 */
function observeWaits(pool: pg.Pool, name: PoolName): void {
  const connect = pool.connect.bind(pool) as (callback?: (...args: unknown[]) => void) => Promise<pg.PoolClient> | undefined;
  const report = (asked: number) => {
    if (waitObservers.size === 0) return;
    const seconds = (performance.now() - asked) / 1000;
    for (const observer of waitObservers) observer(seconds, name);
  };
  const timed = (callback?: (...args: unknown[]) => void) => {
    const asked = performance.now();
    if (callback) {
      return connect((...args: unknown[]) => {
        report(asked);
        callback(...args);
      });
    }
    return (connect() as Promise<pg.PoolClient>).then(
      (client) => {
        report(asked);
        return client;
      },
      (error: unknown) => {
        report(asked);
        throw error;
      },
    );
  };
  pool.connect = timed as typeof pool.connect;
}

/** Connections of the export pool unless the caller says otherwise (see apps/api results-export.ts for why 2). */
export const DEFAULT_EXPORT_CONNECTIONS = 2;

export function connectDatabase({ url, maxConnections = 10, exportConnections }: ConnectOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  const exportPool = new pg.Pool({ connectionString: url, max: exportConnections ?? DEFAULT_EXPORT_CONNECTIONS });
  // A client that loses its connection must not crash the process. The pool hears an idle
  // client's error and replaces it; a client checked out (a transaction between two statements,
  // a cursor between two reads) emits the error on itself, where nothing else listens: its next
  // query fails instead, and the pool discards it when it is released.
  for (const each of [pool, exportPool]) {
    each.on("error", () => {});
    each.on("connect", (client) => client.on("error", () => {}));
  }
  observeWaits(pool, "main");
  observeWaits(exportPool, "export");
  const registered = [
    { name: "main" as const, pool },
    { name: "export" as const, pool: exportPool },
  ];
  for (const entry of registered) openPools.add(entry);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    url,
    prisma,
    raw: rawQueryable(pool),
    pool,
    exportPool,
    async close() {
      if (closed) return;
      closed = true;
      for (const entry of registered) openPools.delete(entry);
      await prisma.$disconnect();
      await Promise.all([pool.end(), exportPool.end()]);
    },
  };
}
