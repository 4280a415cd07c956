import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client";

export type { Batch, Trade } from "./generated/prisma/client";
export { Prisma } from "./generated/prisma/client";

/**
 * One pool serves both Prisma (through its driver adapter) and the few hot paths that
 * need the driver itself (COPY), so the process never holds two sets of connections.
 */
export interface Database {
  readonly url: string;
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url: string;
  /** Connections in the pool; the runner's chunk writes and the API share them. */
  maxConnections?: number;
}

export function connectDatabase({ url, maxConnections = 10 }: ConnectOptions): Database {
  const pool = new pg.Pool({ connectionString: url, max: maxConnections });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    url,
    prisma,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
